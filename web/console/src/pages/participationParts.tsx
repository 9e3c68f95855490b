// What the participation pages share: the Korean names of the API's enums,
// dates and times as forms hold them, the API's field errors sorted to the
// form's fields, who may write and who sees personal data, and the
// etag-conflict question.
import { Table } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import type { Schemas } from "../api/client";
import { describe, type ApiError } from "../api/errors";
import { permits } from "../roles";

export type ProgramKind = Schemas["ProgramKind"];
export type ProgramStatus = Schemas["ProgramStatus"];
export type MemberRole = Schemas["MemberRole"];

export const kindLabels: Record<ProgramKind, string> = {
  PROGRAM_KIND_UNSPECIFIED: "미지정",
  PROGRAM_KIND_TASK_FORCE: "태스크포스(TF)",
  PROGRAM_KIND_COMMITTEE: "위원회",
  PROGRAM_KIND_CLUB: "동아리",
  PROGRAM_KIND_IDEA_CONTEST: "아이디어 공모전",
  PROGRAM_KIND_POLICY_COMPETITION: "정책 경진대회",
  PROGRAM_KIND_SURVEY: "설문조사",
  PROGRAM_KIND_EVENT: "이벤트",
};

export const programStatusLabels: Record<ProgramStatus, string> = {
  PROGRAM_STATUS_UNSPECIFIED: "미지정",
  PROGRAM_STATUS_PLANNED: "계획",
  PROGRAM_STATUS_ONGOING: "진행 중",
  PROGRAM_STATUS_COMPLETED: "완료",
  PROGRAM_STATUS_CANCELLED: "취소",
};

export const roleLabels: Record<MemberRole, string> = {
  MEMBER_ROLE_UNSPECIFIED: "미지정",
  MEMBER_ROLE_CITIZEN: "시민",
  MEMBER_ROLE_EXPERT: "전문가",
  MEMBER_ROLE_OFFICIAL: "공무원",
};

/** A label map as a Select's options, without the unspecified value. */
export function options<K extends string>(labels: Record<K, string>) {
  return (Object.entries(labels) as [K, string][])
    .filter(([k]) => !k.endsWith("_UNSPECIFIED"))
    .map(([value, label]) => ({ value, label }));
}

/** A google.type.Date as a date input holds it (2020-04-24), or "". */
export function dateText(d: Schemas["Date"] | undefined): string {
  if (!d?.year) return "";
  const two = (n: number | undefined) => String(n ?? 0).padStart(2, "0");
  return `${d.year}-${two(d.month)}-${two(d.day)}`;
}

/** A date input's text as a google.type.Date; undefined when empty. */
export function dateOf(text: string): Schemas["Date"] | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  return m ? { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) } : undefined;
}

/** A timestamp as a datetime-local input holds it, in the browser's time. */
export function timeText(t: string | undefined): string {
  if (!t) return "";
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return "";
  const two = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** A datetime-local input's text as an RFC 3339 timestamp; undefined when empty. */
export function timeOf(text: string): string | undefined {
  if (!text.trim()) return undefined;
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** A timestamp as people read it, in Korean. */
export function when(t: string | undefined): string {
  if (!t) return "-";
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? "-" : d.toLocaleString("ko-KR", { dateStyle: "medium", timeStyle: "short" });
}

/** A whole number typed into a form; null when it is not one. */
export function countOf(text: string): number | null {
  const t = text.trim().replaceAll(",", "");
  if (t === "") return 0;
  return /^\d+$/.test(t) ? Number(t) : null;
}

/**
 * The API's field errors under resource (program, member, submission),
 * keyed by the rest of their path in snake case without indexes
 * (member.person.phone → person.phone; program.pledges[2] → pledges), and
 * what is left for the page's message: errors of fields the form has no
 * place for.
 */
export function fieldsOf(err: ApiError, resource: string, known: string[]): { at: Record<string, string>; rest: string[] } {
  const at: Record<string, string> = {};
  const rest: string[] = [];
  for (const [field, why] of Object.entries(err.fields)) {
    const snake = field.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());
    const path = snake.startsWith(resource + ".") ? snake.slice(resource.length + 1).replace(/\[\d+\]/g, "") : snake;
    const key = known.find((k) => path === k || path.startsWith(k + "."));
    if (key) at[key] = at[key] ? `${at[key]} ${why}` : why;
    else rest.push(`${field}: ${why}`);
  }
  return { at, rest };
}

/** The page's message for a failed write: the error, and what no field shows. */
export function failureText(err: ApiError, rest: string[]): string {
  return [describe(err), ...rest].join(" ");
}

/** Whether the roles let the user write the district's records. */
export function canWrite(roles: string[], district: string): boolean {
  return permits(roles, district, "WriteData");
}

/** Whether the roles let the user see citizens' personal data unmasked. */
export function seesPersonalData(roles: string[], district: string): boolean {
  return permits(roles, district, "PersonalData");
}

/** Says that a write went through, in a notification. */
export function saved(message: string) {
  notifications.show({ message, color: "teal" });
}

/** A wide table on a narrow screen: it scrolls sideways in its own box,
 *  which the keyboard reaches (axe: scrollable-region-focusable), and the
 *  page does not; its columns stay readable on a phone. */
export function WideTable({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Table.ScrollContainer minWidth={600} type="native" tabIndex={0} role="region" aria-label={`${label} (옆으로 넘겨 볼 수 있음)`}>
      {children}
    </Table.ScrollContainer>
  );
}
