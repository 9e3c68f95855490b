import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { defineConfig, type Plugin } from "vite";
import react from "@vitejs/plugin-react";

// The gateway embeds this folder; its README is committed so the Go package
// compiles before the first build, so the folder is emptied around it.
const outDir = "../../services/gateway/internal/console/dist";

function emptyAroundNote(): Plugin {
  return {
    name: "gongyak-empty-dist",
    apply: "build",
    buildStart() {
      for (const entry of readdirSync(outDir)) {
        if (entry !== "README") rmSync(join(outDir, entry), { recursive: true, force: true });
      }
    },
  };
}

export default defineConfig({
  base: "/admin/",
  plugins: [react(), emptyAroundNote()],
  build: {
    outDir,
    emptyOutDir: false,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // npm run dev: the API and config.json come from a running gateway.
    proxy: {
      "/v1": "http://127.0.0.1:8080",
      "/admin/config.json": "http://127.0.0.1:8080",
    },
  },
});
