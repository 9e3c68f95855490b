// Drafts: what is typed into a form, kept in this tab's session storage
// until it is saved. Signing in again after the session ran out is a trip
// through the provider and a new page load; the draft is what brings the
// form back as it was.
import { useCallback, useEffect, useState } from "react";

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
