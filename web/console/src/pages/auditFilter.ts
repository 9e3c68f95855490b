// The audit log's filters as the AIP-160 filter the API takes.

/** The audit page's filters, as typed (all text; "" is no filter). */
export interface AuditFilters {
  service: string;
  action: string;
  actor: string;
  resource: string;
  /** "1": the resource and what lies under it (resource/…). */
  under: string;
  /** Dates, YYYY-MM-DD, in Korea's time; both days included. */
  from: string;
  to: string;
  /** A filter typed by hand, ANDed to the rest. */
  extra: string;
}

/** value in double quotes, its backslashes and quotes escaped: whatever
 *  is typed stays one value. (A * still matches any text: the filter
 *  language has no escape for it.) */
export function quote(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** The start of a day in Korea (UTC+9, no summer time), as RFC 3339. */
function dayStart(date: string, plusDays = 0): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return null;
  const d = new Date(`${date}T00:00:00+09:00`);
  if (Number.isNaN(d.getTime())) return null;
  d.setUTCDate(d.getUTCDate() + plusDays);
  return d.toISOString().replace(".000Z", "Z");
}

/** The filter string for f; "" when nothing is filtered. */
export function auditFilter(f: AuditFilters): string {
  const parts: string[] = [];
  if (f.service) parts.push(`service = ${quote(f.service)}`);
  if (f.action) parts.push(`action = ${quote(f.action)}`);
  if (f.actor.trim()) parts.push(`actor = ${quote(f.actor.trim())}`);
  const resource = f.resource.trim();
  if (resource && f.under === "1") parts.push(`(resource = ${quote(resource)} OR resource = ${quote(resource.replace(/\/+$/, "") + "/*")})`);
  else if (resource) parts.push(`resource = ${quote(resource)}`);
  const from = dayStart(f.from);
  if (from) parts.push(`time >= ${quote(from)}`);
  const to = dayStart(f.to, 1);
  if (to) parts.push(`time < ${quote(to)}`);
  if (f.extra.trim()) parts.push(`(${f.extra.trim()})`);
  return parts.join(" AND ");
}
