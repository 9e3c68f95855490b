// A form's unsaved content kept in this tab's session storage, tied to the
// etag it was edited from: it outlives a reload and the round trip through
// the provider's login when the session expires, and is dropped when what
// it was made from has changed since.

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
