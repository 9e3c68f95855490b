// 백만원 as officials type it, to and from the API's whole won (strings,
// int64), exactly: no floating point between them.

/** The won of a 백만원 text ("2.5" → "2500000"); "" for blank, null when it is not a number. */
export function wonOf(text: string): string | null {
  const t = text.trim().replaceAll(",", "");
  if (t === "" || t === "-") return "";
  const m = /^(\d+)(?:\.(\d{0,6}))?$/.exec(t);
  if (!m) return null;
  const won = BigInt(m[1]) * 1_000_000n + BigInt((m[2] ?? "").padEnd(6, "0"));
  return won.toString();
}

/** The 백만원 text of won ("2500000" → "2.5"); "" for none. */
export function millionsOf(won: string | undefined): string {
  if (!won) return "";
  const w = BigInt(won);
  const whole = w / 1_000_000n;
  const frac = (w % 1_000_000n).toString().padStart(6, "0").replace(/0+$/, "");
  return frac ? `${whole}.${frac}` : whole.toString();
}

/** Sums 백만원 texts to 백만원 text, ignoring what is not a number. */
export function sumMillions(texts: string[]): string {
  let won = 0n;
  for (const t of texts) {
    const w = wonOf(t);
    if (w) won += BigInt(w);
  }
  return formatMillions(millionsOf(won.toString()) || "0");
}

/** Groups the whole part of a 백만원 text by thousands. */
export function formatMillions(text: string): string {
  const [whole, frac] = text.split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return frac ? `${grouped}.${frac}` : grouped;
}
