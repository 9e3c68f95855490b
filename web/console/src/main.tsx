import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { createTheme, MantineProvider, Notification } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import "@mantine/core/styles.css";
import "@mantine/charts/styles.css";
import "@mantine/notifications/styles.css";
import "./console.css";
import { AuthProvider, basePath } from "./auth";
import { App } from "./App";

// Mantine's default shade 6 of blue, as link and button colour, reads
// 3.6:1 on white, below the 4.5:1 that text needs (axe: color-contrast).
// A notification's close button has no name of its own (axe:
// button-name): every one gets it here.
const theme = createTheme({
  primaryShade: 8,
  components: { Notification: Notification.extend({ defaultProps: { closeButtonProps: { "aria-label": "알림 닫기" } } }) },
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <MantineProvider theme={theme}>
      <Notifications position="top-center" containerWidth="min(440px, calc(100vw - 2rem))" />
      <BrowserRouter basename={basePath}>
        <AuthProvider>
          <App />
        </AuthProvider>
      </BrowserRouter>
    </MantineProvider>
  </StrictMode>,
);
