// The sections of a pledge as the editor's form holds them (text as typed,
// lists with keys that follow their items), to and from the API's Pledge,
// and the part of a pledge that changed: what the PATCH sends, so that the
// gateway's update mask names only that.
import type { Schemas } from "../api/client";
import { millionsOf, wonOf } from "../money";

type Pledge = Schemas["Pledge"];
export type ProjectType = Schemas["ProjectType"];
export type ImplementingLevel = Schemas["ImplementingLevel"];
export type CompletionTiming = Schemas["CompletionTiming"];
export type FundingSource = Schemas["FundingSource"];

export const projectTypeLabels: Record<ProjectType, string> = {
  PROJECT_TYPE_UNSPECIFIED: "표시 안 함",
  PROJECT_TYPE_NEW: "신규사업",
  PROJECT_TYPE_CONTINUING: "계속사업",
};
export const levelLabels: Record<Exclude<ImplementingLevel, "IMPLEMENTING_LEVEL_UNSPECIFIED">, string> = {
  IMPLEMENTING_LEVEL_NATIONAL: "국가",
  IMPLEMENTING_LEVEL_METROPOLITAN: "시도",
  IMPLEMENTING_LEVEL_LOCAL: "시군구",
};
export const timingLabels: Record<CompletionTiming, string> = {
  COMPLETION_TIMING_UNSPECIFIED: "표시 안 함",
  COMPLETION_TIMING_WITHIN_TERM: "임기내",
  COMPLETION_TIMING_AFTER_TERM: "임기후",
};

/** A list item with a key of its own, kept while it moves. */
export type Keyed<T> = T & { key: string };
let next = 0;
/** A new key for a list item. */
export const newKey = () => `k${++next}`;
const keyed = <T extends object>(xs: T[] | undefined): Keyed<T>[] => (xs ?? []).map((x) => ({ ...x, key: newKey() }));

export interface ContactRow { name: string; position: string; phone: string }
export interface ShareRow { source: FundingSource; label: string; percent: string }
export interface BackgroundRow { label: string; text: string }
export interface GoalRow { year: string; goal: string }
export interface PlanRow { date: string; items: string }
export interface RiskRow { problem: string; countermeasure: string }

/** The editable sections; numbers and 백만원 as typed text. */
export interface PledgeForm {
  code: string;
  title: string;
  projectType: ProjectType;
  implementingLevels: ImplementingLevel[];
  completionTiming: CompletionTiming;
  owningDepartment: string;
  owningTeam: string;
  relatedDepartments: string[];
  allDepartmentsRelated: boolean;
  contacts: Keyed<ContactRow>[];
  budgetLabel: string;
  budgetMillions: string;
  shares: Keyed<ShareRow>[];
  background: Keyed<BackgroundRow>[];
  periodLabel: string;
  periodStart: string;
  periodEnd: string;
  periodOpen: boolean;
  methods: string;
  contents: string;
  finalGoal: string;
  yearlyGoals: Keyed<GoalRow>[];
  futurePlans: Keyed<PlanRow>[];
  risks: Keyed<RiskRow>[];
}

/** A tree of bullets as lines, two spaces deeper for each level. */
export function bulletsText(bs: Schemas["Bullet"][] | undefined, depth = 0): string {
  return (bs ?? []).flatMap((b) => [`${"  ".repeat(depth)}${b.text}`, ...(b.children?.length ? [bulletsText(b.children, depth + 1)] : [])]).join("\n");
}

/** Lines back to a tree: a line indented deeper than the one before is its child. */
export function bulletsOf(text: string): Schemas["Bullet"][] {
  const root: Schemas["Bullet"][] = [];
  const stack: { depth: number; list: Schemas["Bullet"][] }[] = [{ depth: -1, list: root }];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const depth = Math.floor((line.length - line.trimStart().length) / 2);
    while (stack.length > 1 && stack[stack.length - 1].depth >= depth) stack.pop();
    const b: Schemas["Bullet"] = { text: line.trim() };
    stack[stack.length - 1].list.push(b);
    b.children = [];
    stack.push({ depth, list: b.children });
  }
  const prune = (bs: Schemas["Bullet"][]) =>
    bs.map((b): Schemas["Bullet"] => (b.children?.length ? { text: b.text, children: prune(b.children) } : { text: b.text }));
  return prune(root);
}

const num = (n: number | undefined) => (n ? String(n) : "");

export function formOf(p: Pledge): PledgeForm {
  const period = p.overview?.period;
  return {
    code: p.code ?? "",
    title: p.title ?? "",
    projectType: p.projectType ?? "PROJECT_TYPE_UNSPECIFIED",
    implementingLevels: p.implementingLevels ?? [],
    completionTiming: p.completionTiming ?? "COMPLETION_TIMING_UNSPECIFIED",
    owningDepartment: p.owningDepartment ?? "",
    owningTeam: p.owningTeam ?? "",
    relatedDepartments: p.relatedDepartments ?? [],
    allDepartmentsRelated: p.allDepartmentsRelated ?? false,
    contacts: keyed((p.contacts ?? []).map((c) => ({ name: c.name ?? "", position: c.position ?? "", phone: c.phone ?? "" }))),
    budgetLabel: p.requiredBudget?.label ?? "",
    budgetMillions: millionsOf(p.requiredBudget?.amountWon),
    shares: keyed((p.requiredBudget?.shares ?? []).map((s) => ({ source: s.source, label: s.label ?? "", percent: num(s.percent) }))),
    background: keyed((p.background ?? []).map((b) => ({ label: b.label ?? "", text: b.text }))),
    periodLabel: period?.label ?? "",
    periodStart: num(period?.startYear),
    periodEnd: num(period?.endYear),
    periodOpen: period?.openEnded ?? false,
    methods: bulletsText(p.overview?.methods),
    contents: bulletsText(p.overview?.contents),
    finalGoal: p.finalGoal ?? "",
    yearlyGoals: keyed((p.yearlyGoals ?? []).map((g) => ({ year: num(g.year), goal: g.goal }))),
    futurePlans: keyed((p.futurePlans ?? []).map((e) => ({ date: e.date.label, items: bulletsText(e.items) }))),
    risks: keyed((p.risks ?? []).map((r) => ({ problem: r.problem ?? "", countermeasure: r.countermeasure ?? "" }))),
  };
}

/** The form's fields that are not numbers where numbers go, by the
 *  API's path of each (what the server would name), with why. */
export function localErrors(f: PledgeForm): Record<string, string> {
  const bad: Record<string, string> = {};
  const whole = (text: string, path: string) => {
    if (text.trim() !== "" && !/^\d+$/.test(text.trim())) bad[path] = "숫자로 적으세요.";
  };
  if (wonOf(f.budgetMillions) === null) bad["pledge.required_budget.amount_won"] = "숫자로 적으세요 (백만원).";
  f.shares.forEach((s, i) => whole(s.percent, `pledge.required_budget.shares[${i}].percent`));
  whole(f.periodStart, "pledge.overview.period.start_year");
  whole(f.periodEnd, "pledge.overview.period.end_year");
  f.yearlyGoals.forEach((g, i) => whole(g.year, `pledge.yearly_goals[${i}].year`));
  return bad;
}

const int = (t: string) => (t.trim() === "" ? 0 : Number(t.trim()));

/** The pledge's editable fields as the API takes them, every one given
 *  (zero values too), so that a field emptied is a change. */
export function pledgeOf(f: PledgeForm): Partial<Pledge> {
  return {
    code: f.code,
    title: f.title,
    projectType: f.projectType,
    implementingLevels: f.implementingLevels,
    completionTiming: f.completionTiming,
    owningDepartment: f.owningDepartment,
    owningTeam: f.owningTeam,
    relatedDepartments: f.relatedDepartments,
    allDepartmentsRelated: f.allDepartmentsRelated,
    contacts: f.contacts.map((c) => ({ name: c.name, position: c.position, phone: c.phone })),
    requiredBudget: {
      label: f.budgetLabel,
      amountWon: wonOf(f.budgetMillions) || "0",
      shares: f.shares.map((s) => ({ source: s.source, label: s.label, percent: int(s.percent) })),
    },
    background: f.background.map((b) => ({ label: b.label, text: b.text })),
    overview: {
      period: { label: f.periodLabel, startYear: int(f.periodStart), endYear: int(f.periodEnd), openEnded: f.periodOpen },
      methods: bulletsOf(f.methods),
      contents: bulletsOf(f.contents),
    },
    finalGoal: f.finalGoal,
    yearlyGoals: f.yearlyGoals.map((g) => ({ year: int(g.year), goal: g.goal })),
    futurePlans: f.futurePlans.map((e) => ({ date: { label: e.date }, items: bulletsOf(e.items) })),
    risks: f.risks.map((r) => ({ problem: r.problem, countermeasure: r.countermeasure })),
  };
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

/** What after changes of before: objects compared field by field, lists
 *  and values whole; undefined when nothing changed. The gateway makes the
 *  update mask of the fields the body holds (grpc-gateway's PATCH), so the
 *  mask names these and nothing else. */
export function changes(before: unknown, after: unknown): unknown {
  if (isObject(before) && isObject(after)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(after)) {
      const c = changes(before[k], after[k]);
      if (c !== undefined) out[k] = c;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return JSON.stringify(before) === JSON.stringify(after) ? undefined : after;
}
