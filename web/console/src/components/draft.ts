// A form's unsaved content kept in this tab's session storage, tied to the
// etag it was edited from: it outlives a reload and the round trip through
// the provider's login when the session expires, and is dropped when what
// it was made from has changed since. useDraft keeps one text field the
// same way, under a key of its own (with the etag in it when the draft
// belongs to one version).
import { useCallback, useEffect, useState } from "react";

interface Stored<T> {
  etag: string;
  value: T;
}

/** Keeps value as the draft at key, made from etag. */
export function keepDraft<T>(key: string, etag: string, value: T) {
  sessionStorage.setItem(key, JSON.stringify({ etag, value } satisfies Stored<T>));
}

/** The draft at key when it was made from etag; otherwise none, and any
 *  other draft there is dropped. */
export function takeDraft<T>(key: string, etag: string): T | null {
  let stored: Stored<T> | null = null;
  try {
    stored = JSON.parse(sessionStorage.getItem(key) ?? "null") as Stored<T> | null;
  } catch {
    stored = null;
  }
  if (stored && stored.etag === etag) return stored.value;
  sessionStorage.removeItem(key);
  return null;
}

/** Forgets the draft at key (saved, or thrown away). */
export function dropDraft(key: string) {
  sessionStorage.removeItem(key);
}


const prefix = "gongyak.draft.";

function read(key: string): string | null {
  try {
    return sessionStorage.getItem(prefix + key);
  } catch {
    return null; // storage refused (a private window's quota): no draft
  }
}

/**
 * A text field's value kept as a draft under key: [value, set, clear].
 * The draft goes when the value is back to initial or clear is called
 * (after a save). A new key (another pledge) reads that key's draft.
 */
export function useDraft(key: string, initial = ""): [string, (v: string) => void, () => void] {
  const [state, setState] = useState(() => ({ key, value: read(key) ?? initial }));
  // The key changes with the route (another pledge) while the page stays.
  const value = state.key === key ? state.value : (read(key) ?? initial);
  useEffect(() => {
    if (state.key !== key) setState({ key, value: read(key) ?? initial });
  }, [key, initial, state.key]);
  const set = useCallback(
    (v: string) => {
      setState({ key, value: v });
      try {
        if (v === initial) sessionStorage.removeItem(prefix + key);
        else sessionStorage.setItem(prefix + key, v);
      } catch {
        // No storage: the form still works, without a draft.
      }
    },
    [key, initial],
  );
  const clear = useCallback(() => {
    sessionStorage.removeItem(prefix + key);
    setState({ key, value: initial });
  }, [key, initial]);
  return [value, set, clear];
}
