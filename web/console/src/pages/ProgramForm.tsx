// The form of a participation program, for adding one and changing one:
// what it is, when it runs, the pledges it serves, the counts the district
// declares, its windows and, for an evaluation, how it is scored. The
// API's field errors are shown at their fields; what is typed is kept in
// the tab (sessionStorage) until it is saved, so a sign-in in between
// loses nothing.
import { useEffect, useState } from "react";
import { Button, Fieldset, Group, MultiSelect, Select, SimpleGrid, Stack, TextInput, Textarea } from "@mantine/core";
import { api, type Schemas } from "../api/client";
import { idOf } from "../labels";
import {
  countOf, dateOf, dateText, kindLabels, options, programStatusLabels, timeOf, timeText, type ProgramKind, type ProgramStatus,
} from "./participationParts";

/** The fields the form shows errors at, as the API names them under program. */
export const programFields = [
  "kind", "title", "description", "status", "start_date", "end_date", "pledges",
  "declared.members", "declared.applications", "declared.selected", "declared.participants",
  "submission_window", "voting_window", "response_window", "ballot_scale_max", "citizen_weight_percent", "panel_weight_percent",
];

/** What the form holds: text as typed. */
export interface ProgramDraft {
  kind: string;
  title: string;
  description: string;
  status: string;
  start: string;
  end: string;
  pledges: string[];
  members: string;
  applications: string;
  selected: string;
  participants: string;
  submissionOpen: string;
  submissionClose: string;
  votingOpen: string;
  votingClose: string;
  responseOpen: string;
  responseClose: string;
  scaleMax: string;
  citizenWeight: string;
}

const num = (n: number | undefined) => (n ? String(n) : "");

/** The draft of a program as the API gave it, or of a new one serving pledges. */
export function draftOf(p: Schemas["Program"] | null, pledges: string[] = []): ProgramDraft {
  return {
    kind: p?.kind ?? "",
    title: p?.title ?? "",
    description: p?.description ?? "",
    status: p?.status && p.status !== "PROGRAM_STATUS_UNSPECIFIED" ? p.status : "PROGRAM_STATUS_PLANNED",
    start: dateText(p?.startDate),
    end: dateText(p?.endDate),
    pledges: p?.pledges ?? pledges,
    members: num(p?.declared?.members),
    applications: num(p?.declared?.applications),
    selected: num(p?.declared?.selected),
    participants: num(p?.declared?.participants),
    submissionOpen: timeText(p?.submissionWindow?.openTime),
    submissionClose: timeText(p?.submissionWindow?.closeTime),
    votingOpen: timeText(p?.votingWindow?.openTime),
    votingClose: timeText(p?.votingWindow?.closeTime),
    responseOpen: timeText(p?.responseWindow?.openTime),
    responseClose: timeText(p?.responseWindow?.closeTime),
    scaleMax: num(p?.ballotScaleMax),
    citizenWeight: p?.citizenWeightPercent || p?.panelWeightPercent ? String(p?.citizenWeightPercent ?? 0) : "",
  };
}

/** The program a draft writes, or the fields typed wrong. Every editable
 *  field is sent, so an update writes what the form shows. */
export function programOf(d: ProgramDraft, etag?: string): { program?: Schemas["Program"]; local: Record<string, string> } {
  const local: Record<string, string> = {};
  const count = (field: string, text: string) => {
    const n = countOf(text);
    if (n === null) local[field] = "0 이상의 정수로 적으세요.";
    return n ?? 0;
  };
  const window = (field: string, open: string, close: string): Schemas["Window"] => {
    if ((open && !timeOf(open)) || (close && !timeOf(close))) local[field] = "날짜와 시각을 모두 고르세요.";
    return { openTime: timeOf(open), closeTime: timeOf(close) };
  };
  if (!d.kind) local.kind = "종류를 고르세요.";
  if ((d.start && !dateOf(d.start)) || (d.end && !dateOf(d.end))) local[d.start && !dateOf(d.start) ? "start_date" : "end_date"] = "날짜를 고르세요.";
  const declared = {
    members: count("declared.members", d.members),
    applications: count("declared.applications", d.applications),
    selected: count("declared.selected", d.selected),
    participants: count("declared.participants", d.participants),
  };
  const scale = count("ballot_scale_max", d.scaleMax);
  const citizen = d.citizenWeight.trim() === "" ? null : count("citizen_weight_percent", d.citizenWeight);
  const program: Schemas["Program"] = {
    kind: d.kind as ProgramKind,
    title: d.title,
    description: d.description,
    status: d.status as ProgramStatus,
    startDate: dateOf(d.start),
    endDate: dateOf(d.end),
    pledges: d.pledges,
    declared,
    submissionWindow: window("submission_window", d.submissionOpen, d.submissionClose),
    votingWindow: window("voting_window", d.votingOpen, d.votingClose),
    responseWindow: window("response_window", d.responseOpen, d.responseClose),
    ballotScaleMax: scale,
    // 0 and 0: the API's 50/50.
    citizenWeightPercent: citizen ?? 0,
    panelWeightPercent: citizen === null ? 0 : 100 - citizen,
    etag,
  };
  return Object.keys(local).length ? { local } : { program, local };
}

/** The district's pledges as options, by their number. */
function usePledgeOptions(district: string) {
  const [opts, setOpts] = useState<{ value: string; label: string }[]>([]);
  useEffect(() => {
    api
      .GET("/v1/districts/{district}/pledges", { params: { path: { district }, query: { pageSize: 500, orderBy: "code" } } })
      .then(({ data }) => setOpts((data?.pledges ?? []).map((p) => ({ value: p.name ?? "", label: `${p.code ?? ""} ${p.title ?? idOf(p.name)}`.trim() }))));
  }, [district]);
  return opts;
}

export function ProgramForm({ district, draft, onChange, errors, saving, submitLabel, onSubmit }: {
  district: string;
  draft: ProgramDraft;
  onChange: (d: ProgramDraft) => void;
  errors: Record<string, string>;
  saving: boolean;
  submitLabel: string;
  onSubmit: () => void;
}) {
  const pledgeOptions = usePledgeOptions(district);
  const set = <K extends keyof ProgramDraft>(key: K, value: ProgramDraft[K]) => onChange({ ...draft, [key]: value });
  const text = (key: keyof ProgramDraft) => ({
    value: draft[key] as string,
    onChange: (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => set(key, e.currentTarget.value),
  });
  const evaluation = draft.kind === "PROGRAM_KIND_POLICY_COMPETITION";
  const survey = draft.kind === "PROGRAM_KIND_SURVEY";
  // The pledges it serves stay choosable even when the list has not come yet.
  const pledgeData = [...pledgeOptions, ...draft.pledges.filter((p) => !pledgeOptions.some((o) => o.value === p)).map((p) => ({ value: p, label: idOf(p) }))];
  return (
    <Stack
      component="form"
      onSubmit={(e: React.FormEvent) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <Select label="종류" data={options(kindLabels)} value={draft.kind || null} onChange={(v) => set("kind", v ?? "")} error={errors.kind} allowDeselect={false} />
        <Select label="진행 상태" data={options(programStatusLabels)} value={draft.status || null} onChange={(v) => set("status", v ?? "")} error={errors.status} allowDeselect={false} />
      </SimpleGrid>
      <TextInput label="제목" {...text("title")} error={errors.title} />
      <Textarea label="설명" {...text("description")} error={errors.description} autosize minRows={2} />
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput type="date" label="시작일" {...text("start")} error={errors.start_date} />
        <TextInput type="date" label="종료일" {...text("end")} error={errors.end_date} />
      </SimpleGrid>
      <MultiSelect
        label="관련 공약"
        description="이 프로그램이 뒷받침하는 공약 (같은 민선 기수)"
        data={pledgeData}
        value={draft.pledges}
        onChange={(v) => set("pledges", v)}
        error={errors.pledges}
        searchable
        clearable
      />
      <Fieldset legend="계획한 인원·건수 (기록과 별개로 적는 수)">
        <SimpleGrid cols={{ base: 2, sm: 4 }}>
          <TextInput label="구성원 수" inputMode="numeric" {...text("members")} error={errors["declared.members"]} />
          <TextInput label="접수 건수" inputMode="numeric" {...text("applications")} error={errors["declared.applications"]} />
          <TextInput label="선정 건수" inputMode="numeric" {...text("selected")} error={errors["declared.selected"]} />
          <TextInput label="참여자 수" inputMode="numeric" {...text("participants")} error={errors["declared.participants"]} />
        </SimpleGrid>
      </Fieldset>
      <Fieldset legend="제안·신청 접수 기간 (비워 두면 언제나 접수)">
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput type="datetime-local" label="접수 시작" {...text("submissionOpen")} />
          <TextInput type="datetime-local" label="접수 마감" {...text("submissionClose")} error={errors.submission_window} />
        </SimpleGrid>
      </Fieldset>
      {evaluation && (
        <Fieldset legend="시민 평가">
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput type="datetime-local" label="투표 시작" {...text("votingOpen")} />
            <TextInput type="datetime-local" label="투표 마감" {...text("votingClose")} error={errors.voting_window} />
            <TextInput label="투표 최고 점수" description="1점부터 이 점수까지 (비우면 10)" inputMode="numeric" {...text("scaleMax")} error={errors.ballot_scale_max} />
            <TextInput
              label="시민 평가 비중 (%)"
              description="나머지는 전문가 평가 비중 (비우면 50:50)"
              inputMode="numeric"
              {...text("citizenWeight")}
              error={errors.citizen_weight_percent ?? errors.panel_weight_percent}
            />
          </SimpleGrid>
        </Fieldset>
      )}
      {survey && (
        <Fieldset legend="설문 응답 기간">
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput type="datetime-local" label="응답 시작" {...text("responseOpen")} />
            <TextInput type="datetime-local" label="응답 마감" {...text("responseClose")} error={errors.response_window} />
          </SimpleGrid>
        </Fieldset>
      )}
      <Group>
        <Button type="submit" loading={saving}>{submitLabel}</Button>
      </Group>
    </Stack>
  );
}
