// The pledge editor's sections: each a card of fields, each field with the
// API's error for it (by the path the API names, pledge.yearly_goals[2].year).
// A field inside a list item carries the item's name in its accessible name
// ("연차별 목표 3 연도") while it shows the short label.
import { Autocomplete, Card, Checkbox, Group, MultiSelect, Select, SimpleGrid, Stack, Text, TextInput, Textarea, Title } from "@mantine/core";
import type { ReactNode } from "react";
import type { Schemas } from "../api/client";
import { ItemList } from "../components/ItemList";
import { sourceLabels } from "../labels";
import {
  levelLabels, newKey, projectTypeLabels, timingLabels,
  type CompletionTiming, type FundingSource, type ImplementingLevel, type PledgeForm, type ProjectType,
} from "./pledgeForm";

/** The API's field errors, read by the form's fields. */
export interface FieldErrors {
  /** The error at exactly pledge.<path>. */
  one: (path: string) => string | undefined;
  /** Every error at pledge.<path> or inside it, with where inside. */
  under: (path: string) => string | undefined;
}

export function errorsFor(errors: Record<string, string>): FieldErrors {
  const one = (path: string) => errors[`pledge.${path}`];
  const under = (path: string) => {
    const p = `pledge.${path}`;
    const found = Object.entries(errors)
      .filter(([f]) => f === p || f.startsWith(`${p}[`) || f.startsWith(`${p}.`))
      .map(([f, why]) => (f === p ? why : `${f.slice(p.length)}: ${why}`));
    return found.length ? found.join("; ") : undefined;
  };
  return { one, under };
}

// The paths the sections show an error at; the rest the page lists.
const shown = new RegExp(
  "^pledge\\.(" +
    [
      "code", "title", "project_type", "implementing_levels(\\[\\d+\\])?", "completion_timing", "owning_department", "owning_team",
      "related_departments(\\[\\d+\\])?", "all_departments_related", "contacts(\\[\\d+\\](\\.(name|position|phone))?)?",
      "required_budget\\.(label|amount_won)", "required_budget\\.shares(\\[\\d+\\](\\.(source|label|percent))?)?",
      "background(\\[\\d+\\](\\.(label|text))?)?", "overview\\.period\\.(label|start_year|end_year)", "overview\\.(methods|contents)([.[].*)?",
      "final_goal", "yearly_goals(\\[\\d+\\](\\.(year|goal))?)?", "future_plans(\\[\\d+\\].*)?", "risks(\\[\\d+\\](\\.(problem|countermeasure))?)?",
    ].join("|") +
    ")$",
);

/** The errors no field of the form shows, to be listed with the page's message. */
export function unshownErrors(errors: Record<string, string>): [string, string][] {
  return Object.entries(errors).filter(([f]) => !shown.test(f));
}

interface SectionProps {
  form: PledgeForm;
  edit: (f: PledgeForm) => void;
  at: FieldErrors;
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card withBorder component="section" aria-label={title}>
      <Stack>
        <Title order={2} size="h3">{title}</Title>
        {children}
      </Stack>
    </Card>
  );
}

const enumData = <T extends string>(labels: Record<T, string>) => Object.entries(labels).map(([value, label]) => ({ value, label: label as string }));

export function BasicsSection({ form, edit, at, departments }: SectionProps & { departments: Schemas["Department"][] }) {
  const set = (patch: Partial<PledgeForm>) => edit({ ...form, ...patch });
  const deptData = departments.map((d) => ({ value: d.name ?? "", label: d.displayName }));
  for (const name of [form.owningDepartment, ...form.relatedDepartments]) {
    if (name && !deptData.some((d) => d.value === name)) deptData.push({ value: name, label: name.split("/").pop() ?? name });
  }
  const teams = departments.find((d) => d.name === form.owningDepartment)?.teams ?? [];
  return (
    <Section title="기본 정보">
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput label="공약번호" value={form.code} onChange={(e) => set({ code: e.currentTarget.value })} error={at.one("code")} />
        <TextInput label="공약명" required value={form.title} onChange={(e) => set({ title: e.currentTarget.value })} error={at.one("title")} />
        <Select label="사업유형" data={enumData(projectTypeLabels)} value={form.projectType} allowDeselect={false}
          onChange={(v) => v && set({ projectType: v as ProjectType })} error={at.one("project_type")} />
        <Select label="완료시기" data={enumData(timingLabels)} value={form.completionTiming} allowDeselect={false}
          onChange={(v) => v && set({ completionTiming: v as CompletionTiming })} error={at.one("completion_timing")} />
      </SimpleGrid>
      <Checkbox.Group label="사업주체" value={form.implementingLevels} error={at.under("implementing_levels")}
        onChange={(v) => set({ implementingLevels: v as ImplementingLevel[] })}>
        <Group mt="xs">
          {Object.entries(levelLabels).map(([value, label]) => <Checkbox key={value} value={value} label={label} />)}
        </Group>
      </Checkbox.Group>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <Select label="담당부서" data={deptData} value={form.owningDepartment || null} clearable searchable
          onChange={(v) => set({ owningDepartment: v ?? "" })} error={at.one("owning_department")} />
        <Autocomplete label="담당팀" data={teams} value={form.owningTeam} onChange={(v) => set({ owningTeam: v })} error={at.one("owning_team")} />
      </SimpleGrid>
      <MultiSelect label="관련부서" data={deptData} value={form.relatedDepartments} searchable disabled={form.allDepartmentsRelated}
        onChange={(v) => set({ relatedDepartments: v })} error={at.under("related_departments")} />
      <Checkbox label="관련부서: 전 부서" checked={form.allDepartmentsRelated}
        onChange={(e) => set({ allDepartmentsRelated: e.currentTarget.checked, relatedDepartments: e.currentTarget.checked ? [] : form.relatedDepartments })}
        error={at.one("all_departments_related")} />
      <Text size="sm">
        담당자 연락처는 공무원의 업무 연락처입니다. 이 화면은 API가 주는 그대로 보여 주고, 공개 화면에서는 이름과 번호가 가려집니다.
      </Text>
      <ItemList id="contacts" title="담당자 · 연락처" itemName="담당자" items={form.contacts} error={at.one("contacts")}
        onChange={(contacts) => set({ contacts })} blank={() => ({ key: newKey(), name: "", position: "", phone: "" })}>
        {(c, i, put) => (
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <TextInput label="이름" aria-label={`담당자 ${i + 1} 이름`} value={c.name} onChange={(e) => put({ ...c, name: e.currentTarget.value })}
              error={at.one(`contacts[${i}].name`) ?? at.one(`contacts[${i}]`)} />
            <TextInput label="직위" aria-label={`담당자 ${i + 1} 직위`} value={c.position} onChange={(e) => put({ ...c, position: e.currentTarget.value })}
              error={at.one(`contacts[${i}].position`)} />
            <TextInput label="연락처" aria-label={`담당자 ${i + 1} 연락처`} value={c.phone} placeholder="062) 960-8891" inputMode="tel"
              onChange={(e) => put({ ...c, phone: e.currentTarget.value })} error={at.one(`contacts[${i}].phone`)} />
          </SimpleGrid>
        )}
      </ItemList>
    </Section>
  );
}

const sources = Object.keys(sourceLabels).filter((s) => s !== "FUNDING_SOURCE_UNSPECIFIED") as FundingSource[];

export function BudgetSection({ form, edit, at }: SectionProps) {
  const set = (patch: Partial<PledgeForm>) => edit({ ...form, ...patch });
  return (
    <Section title="소요예산">
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput label="소요예산 표기" description="카드에 쓰는 그대로: 8.5백만원(구 100)" value={form.budgetLabel}
          onChange={(e) => set({ budgetLabel: e.currentTarget.value })} error={at.one("required_budget.label")} />
        <TextInput label="소요예산 금액 (백만원)" inputMode="decimal" value={form.budgetMillions}
          onChange={(e) => set({ budgetMillions: e.currentTarget.value })} error={at.one("required_budget.amount_won")} />
      </SimpleGrid>
      <ItemList id="shares" title="재원별 분담 비율 (합 100%)" itemName="재원 분담" items={form.shares} error={at.one("required_budget.shares")}
        onChange={(shares) => set({ shares })} blank={() => ({ key: newKey(), source: "FUNDING_SOURCE_LOCAL" as FundingSource, label: "", percent: "" })}>
        {(s, i, put) => (
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <Select label="재원" aria-label={`재원 분담 ${i + 1} 재원`} data={sources.map((v) => ({ value: v, label: sourceLabels[v] }))} value={s.source}
              allowDeselect={false} onChange={(v) => v && put({ ...s, source: v as FundingSource })} error={at.one(`required_budget.shares[${i}].source`)} />
            <TextInput label="표기" aria-label={`재원 분담 ${i + 1} 표기`} placeholder="구" value={s.label}
              onChange={(e) => put({ ...s, label: e.currentTarget.value })} error={at.one(`required_budget.shares[${i}].label`)} />
            <TextInput label="비율 (%)" aria-label={`재원 분담 ${i + 1} 비율`} inputMode="numeric" value={s.percent}
              onChange={(e) => put({ ...s, percent: e.currentTarget.value })} error={at.one(`required_budget.shares[${i}].percent`)} />
          </SimpleGrid>
        )}
      </ItemList>
    </Section>
  );
}

const bulletHelp = "한 줄에 한 항목. 하위 항목은 줄 앞에 빈칸 두 개.";

export function ContentSection({ form, edit, at }: SectionProps) {
  const set = (patch: Partial<PledgeForm>) => edit({ ...form, ...patch });
  return (
    <Section title="추진배경 · 추진개요 · 목표">
      <ItemList id="background" title="추진배경" itemName="추진배경" items={form.background} error={at.one("background")}
        onChange={(background) => set({ background })} blank={() => ({ key: newKey(), label: "", text: "" })}>
        {(b, i, put) => (
          <>
            <TextInput label="소제목" aria-label={`추진배경 ${i + 1} 소제목`} placeholder="행복가치 대두" value={b.label}
              onChange={(e) => put({ ...b, label: e.currentTarget.value })} error={at.one(`background[${i}].label`)} />
            <Textarea label="내용" aria-label={`추진배경 ${i + 1} 내용`} autosize minRows={2} value={b.text}
              onChange={(e) => put({ ...b, text: e.currentTarget.value })} error={at.one(`background[${i}].text`) ?? at.one(`background[${i}]`)} />
          </>
        )}
      </ItemList>
      <Text fw={700}>추진개요</Text>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput label="기간 표기" placeholder="2018. ~ 지속" value={form.periodLabel}
          onChange={(e) => set({ periodLabel: e.currentTarget.value })} error={at.one("overview.period.label")} />
        <Group grow align="start">
          <TextInput label="시작 연도" inputMode="numeric" value={form.periodStart}
            onChange={(e) => set({ periodStart: e.currentTarget.value })} error={at.one("overview.period.start_year")} />
          <TextInput label="끝 연도" inputMode="numeric" value={form.periodEnd} disabled={form.periodOpen}
            onChange={(e) => set({ periodEnd: e.currentTarget.value })} error={at.one("overview.period.end_year")} />
        </Group>
      </SimpleGrid>
      <Checkbox label="기간: 지속 (끝 없음)" checked={form.periodOpen}
        onChange={(e) => set({ periodOpen: e.currentTarget.checked, periodEnd: e.currentTarget.checked ? "" : form.periodEnd })} />
      <Textarea label="방법" description={bulletHelp} autosize minRows={2} value={form.methods}
        onChange={(e) => set({ methods: e.currentTarget.value })} error={at.under("overview.methods")} />
      <Textarea label="내용" description={bulletHelp} autosize minRows={2} value={form.contents}
        onChange={(e) => set({ contents: e.currentTarget.value })} error={at.under("overview.contents")} />
      <Textarea label="최종목표" autosize minRows={2} value={form.finalGoal}
        onChange={(e) => set({ finalGoal: e.currentTarget.value })} error={at.one("final_goal")} />
      <ItemList id="goals" title="연차별 달성 목표" itemName="연차별 목표" items={form.yearlyGoals} error={at.one("yearly_goals")}
        onChange={(yearlyGoals) => set({ yearlyGoals })} blank={() => ({ key: newKey(), year: "", goal: "" })}>
        {(g, i, put) => (
          <Group align="start" wrap="wrap">
            <TextInput label="연도" aria-label={`연차별 목표 ${i + 1} 연도`} inputMode="numeric" w={160} value={g.year}
              onChange={(e) => put({ ...g, year: e.currentTarget.value })} error={at.one(`yearly_goals[${i}].year`) ?? at.one(`yearly_goals[${i}]`)} />
            <Textarea label="목표" aria-label={`연차별 목표 ${i + 1} 목표`} autosize minRows={1} style={{ flex: "1 1 200px" }} value={g.goal}
              onChange={(e) => put({ ...g, goal: e.currentTarget.value })} error={at.one(`yearly_goals[${i}].goal`)} />
          </Group>
        )}
      </ItemList>
    </Section>
  );
}

export function PlansSection({ form, edit, at }: SectionProps) {
  const set = (patch: Partial<PledgeForm>) => edit({ ...form, ...patch });
  return (
    <Section title="향후 추진계획 · 예상 문제점">
      <ItemList id="plans" title="향후 추진계획" itemName="추진계획" items={form.futurePlans} error={at.one("future_plans")}
        onChange={(futurePlans) => set({ futurePlans })} blank={() => ({ key: newKey(), date: "", items: "" })}>
        {(e, i, put) => (
          <>
            <TextInput label="일자" aria-label={`추진계획 ${i + 1} 일자`} description="'24. 3., 2024. 하반기" value={e.date}
              onChange={(ev) => put({ ...e, date: ev.currentTarget.value })} error={at.under(`future_plans[${i}].date`) ?? at.one(`future_plans[${i}]`)} />
            <Textarea label="추진사항" aria-label={`추진계획 ${i + 1} 추진사항`} description={bulletHelp} autosize minRows={2} value={e.items}
              onChange={(ev) => put({ ...e, items: ev.currentTarget.value })} error={at.under(`future_plans[${i}].items`)} />
          </>
        )}
      </ItemList>
      <ItemList id="risks" title="예상 문제점 및 대책" itemName="문제점" items={form.risks} error={at.one("risks")}
        onChange={(risks) => set({ risks })} blank={() => ({ key: newKey(), problem: "", countermeasure: "" })}>
        {(r, i, put) => (
          <>
            <Textarea label="예상 문제점" aria-label={`문제점 ${i + 1} 예상 문제점`} autosize minRows={1} value={r.problem}
              onChange={(e) => put({ ...r, problem: e.currentTarget.value })} error={at.one(`risks[${i}].problem`) ?? at.one(`risks[${i}]`)} />
            <Textarea label="대책" aria-label={`문제점 ${i + 1} 대책`} autosize minRows={1} value={r.countermeasure}
              onChange={(e) => put({ ...r, countermeasure: e.currentTarget.value })} error={at.one(`risks[${i}].countermeasure`)} />
          </>
        )}
      </ItemList>
    </Section>
  );
}
