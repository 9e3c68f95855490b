// Sign-in through the OpenID provider the gateway names in config.json:
// authorization code with PKCE, the tokens kept in this tab's session
// storage. No silent renewal: an expired token sends the user back through
// the provider's login, returning to the page they were on.
//
// Signing out ends the provider's session (its end_session endpoint), drops
// the tokens from storage and lands on a page that says so and stays: the
// console does not send a signed-out tab back to the provider's login by
// itself, not after a reload nor when going back to a page of the console,
// until the user asks to sign in again.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { useLocation, useNavigate } from "react-router";
import { User, UserManager, WebStorageStateStore } from "oidc-client-ts";
import { SignedOut } from "./pages/SignedOut";

/** What /admin/config.json says. */
interface ConsoleConfig {
  issuer: string;
  clientId: string;
}

/** The signed-in user as the console shows them. */
export interface Session {
  name: string;
  /** The provider's subject: its user name, for the development provider. */
  subject: string;
  roles: string[];
  accessToken: string;
}

interface AuthState {
  /** The session, or null before sign-in (or after it expired). */
  session: Session | null;
  /** Why sign-in is not possible, in Korean; empty when it is. */
  problem: string;
  /** True when the session's token expired: sign in again. */
  expired: boolean;
  loading: boolean;
  signIn: () => void;
  signOut: () => void;
  /** Called when the API refuses the token: the session is over. */
  sessionExpired: () => void;
}

const AuthContext = createContext<AuthState | null>(null);

export function useAuth(): AuthState {
  const a = useContext(AuthContext);
  if (!a) throw new Error("useAuth outside AuthProvider");
  return a;
}

/** The roles claim the development provider (and production's) issues. */
const rolesClaim = "gongyak_roles";

function sessionOf(user: User | null): Session | null {
  if (!user || user.expired) return null;
  const p = user.profile as Record<string, unknown>;
  const roles = Array.isArray(p[rolesClaim]) ? (p[rolesClaim] as unknown[]).map(String) : [];
  const name = String(p.name ?? p.preferred_username ?? p.sub);
  return { name, subject: String(p.preferred_username ?? p.sub), roles, accessToken: user.access_token };
}

/** Where the console's routes start; the router's basename. */
export const basePath = "/admin";

/** The page a sign-out lands on, under basePath. */
export const signedOutPath = "/signed-out";

// This tab signed out: until it signs in again, a console page without a
// session says so rather than going on to the provider's login. A mark in
// the tab's session storage, so that a reload or the back button keeps it;
// it holds no token.
const signedOutKey = "gongyak.signedOut";

function markSignedOut(on: boolean) {
  try {
    if (on) window.sessionStorage.setItem(signedOutKey, "1");
    else window.sessionStorage.removeItem(signedOutKey);
  } catch {
    // Storage refused (a private window's quota): the mark is a courtesy.
  }
}

function isSignedOut(): boolean {
  try {
    return window.sessionStorage.getItem(signedOutKey) === "1";
  } catch {
    return false;
  }
}

let manager: UserManager | null = null;
// The callback's code is good once: a second run of the start (React's
// development mode runs effects twice) takes the first one's answer.
let callback: Promise<User> | null = null;
// The same for the return from the provider's end_session.
let signoutCallback: Promise<unknown> | null = null;

/** The current access token, for the API client; empty before sign-in. */
let currentToken = "";
export function accessToken(): string {
  return currentToken;
}

/** Where the user is, so that sign-in can bring them back. */
function here(): string {
  const path = window.location.pathname.startsWith(basePath) ? window.location.pathname.slice(basePath.length) : "/";
  return (path || "/") + window.location.search;
}

async function loadManager(): Promise<UserManager> {
  const res = await fetch(`${basePath}/config.json`, { cache: "no-cache" });
  if (!res.ok) throw new Error(`config.json: HTTP ${res.status}`);
  const cfg = (await res.json()) as ConsoleConfig;
  if (!cfg.issuer) throw new Error("no issuer");
  const callback = `${window.location.origin}${basePath}/callback`;
  return new UserManager({
    authority: cfg.issuer,
    client_id: cfg.clientId,
    redirect_uri: callback,
    post_logout_redirect_uri: callback,
    response_type: "code",
    scope: "openid profile",
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    automaticSilentRenew: false,
    // The roles are the access token's and userinfo's claims, not the ID
    // token's: userinfo adds them to the profile.
    loadUserInfo: true,
  });
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(null);
  const [problem, setProblem] = useState("");
  const [expired, setExpired] = useState(false);
  const [loading, setLoading] = useState(true);
  const [signedOut, setSignedOut] = useState(isSignedOut);
  const location = useLocation();
  // The effect below runs once, at the start; navigate changes with
  // every route.
  const navigate = useRef(useNavigate());

  const adopt = useCallback((user: User | null) => {
    const s = sessionOf(user);
    currentToken = s?.accessToken ?? "";
    setSession(s);
    return s;
  }, []);

  // The page stays as it is under the notice, so that what is being
  // edited is kept (forms keep their drafts across the sign-in).
  const sessionExpired = useCallback(() => {
    manager?.removeUser();
    currentToken = "";
    setExpired(true);
  }, []);

  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        if (!manager) {
          manager = await loadManager();
          // The token runs out while the page is open: say so at once,
          // not at the next call the API refuses.
          manager.events.addAccessTokenExpired(sessionExpired);
        }
        const params = new URLSearchParams(window.location.search);
        if (window.location.pathname === `${basePath}/callback`) {
          if (params.has("code") || params.has("error")) {
            callback = callback ?? manager.signinRedirectCallback();
            const user = await callback;
            const back = (user.state as { returnTo?: string } | undefined)?.returnTo ?? "/";
            if (!cancelled) {
              markSignedOut(false);
              setSignedOut(false);
              adopt(user);
              navigate.current(back, { replace: true });
            }
          } else {
            // Back from the provider's end_session: its state (kept since
            // the sign-out began) is used up; what it says matters not.
            signoutCallback = signoutCallback ?? manager.signoutRedirectCallback().catch((e) => console.warn(e));
            await signoutCallback;
            await manager.removeUser();
            if (!cancelled) navigate.current(signedOutPath, { replace: true });
          }
        } else {
          const user = await manager.getUser();
          if (!cancelled && user?.expired) {
            await manager.removeUser();
            setExpired(true);
          }
          if (!cancelled) adopt(user);
        }
      } catch (e) {
        console.error(e);
        if (!cancelled)
          setProblem(
            manager
              ? "로그인을 마치지 못했습니다. 다시 시도하세요."
              : "로그인 설정을 불러오지 못했습니다. 관리자에게 문의하세요 (GONGYAK_CONSOLE_ISSUER).",
          );
      } finally {
        if (!cancelled) setLoading(false);
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [adopt, sessionExpired]);

  const signIn = useCallback(() => {
    // From the signed-out page, sign-in starts afresh at the start page.
    const returnTo = window.location.pathname === basePath + signedOutPath ? "/" : here();
    manager?.signinRedirect({ state: { returnTo } });
  }, []);
  // The mark goes first: the page shows it is signed out while the
  // browser goes to the provider, and so does the page if it comes back
  // from the browser's cache. The tokens leave storage as the redirect
  // starts (oidc-client-ts removes the user, keeping the ID token only as
  // the end_session request's hint).
  const signOut = useCallback(() => {
    const m = manager;
    markSignedOut(true);
    setSignedOut(true);
    adopt(null);
    if (!m) return;
    m.signoutRedirect().catch(async (e) => {
      // The provider cannot be reached: the tokens still go.
      console.error(e);
      await m.removeUser();
      window.location.assign(basePath + signedOutPath);
    });
  }, [adopt]);

  const value = useMemo(
    () => ({ session, problem, expired, loading, signIn, signOut, sessionExpired }),
    [session, problem, expired, loading, signIn, signOut, sessionExpired],
  );
  // The signed-out page stays until the user signs in: no session is
  // sought there, and no other page of the tab goes to the provider alone.
  const showSignedOut = !loading && !session && !problem && (signedOut || location.pathname === signedOutPath);
  return (
    <AuthContext.Provider value={value}>{showSignedOut ? <SignedOut onSignIn={signIn} /> : children}</AuthContext.Provider>
  );
}
