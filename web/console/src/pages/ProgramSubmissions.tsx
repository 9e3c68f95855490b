// A program's submissions (ideas, proposals, applications) with how they
// were judged: one recorded, and its selection and award set with its etag.
// Proposers are shown as the API gives them (masked unless the user may see
// personal data).
import { useCallback, useEffect, useState } from "react";
import { Link, useParams } from "react-router";
import {
  Alert, Anchor, Button, Card, Checkbox, Group, Loader, Modal, SimpleGrid, Stack, Table, Text, TextInput, Textarea, Title,
} from "@mantine/core";
import { api, type Schemas } from "../api/client";
import { describe, readError, type ApiError } from "../api/errors";
import { useAuth } from "../auth";
import { idOf } from "../labels";
import { canWrite, countOf, fieldsOf, failureText, seesPersonalData, timeOf, when, saved, WideTable } from "./participationParts";
import { ConflictDialog } from "../components/ConflictDialog";
import { ProgramCrumbs, useProgram } from "./ProgramPage";
import { programPath } from "./Programs";

type Submission = Schemas["Submission"];
const submissionFields = ["title", "description", "proposer.name", "proposer.phone", "proposer.email", "proposer", "scores", "receive_time", "selected", "award", "award_rank"];

interface SubmissionDraft {
  title: string;
  description: string;
  name: string;
  phone: string;
  email: string;
  scores: string;
  received: string;
}
const emptyDraft: SubmissionDraft = { title: "", description: "", name: "", phone: "", email: "", scores: "", received: "" };

interface AwardDraft {
  selected: boolean;
  award: string;
  rank: string;
}

export function ProgramSubmissions({ district }: { district: string }) {
  const { program = "" } = useParams();
  const { session } = useAuth();
  const roles = session?.roles ?? [];
  const writer = canWrite(roles, district);
  const { info, load: loadProgram } = useProgram(district, program);
  const path = { district, program };
  const [list, setList] = useState<Submission[] | null>(null);
  const [loadError, setLoadError] = useState("");

  const load = useCallback(async () => {
    const { data, error, response } = await api.GET("/v1/districts/{district}/programs/{program}/submissions", {
      params: { path: { district, program }, query: { pageSize: 500 } },
    });
    if (error || !data) setLoadError(describe(readError(response.status, error)));
    else {
      setLoadError("");
      setList(data.submissions ?? []);
    }
  }, [district, program]);
  useEffect(() => {
    load();
  }, [load]);

  // Recording one.
  const [draft, setDraft] = useState<SubmissionDraft>(emptyDraft);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState("");
  const [saving, setSaving] = useState(false);
  const [requestId, setRequestId] = useState(() => crypto.randomUUID());
  const text = (key: keyof SubmissionDraft) => ({
    value: draft[key],
    onChange: (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => setDraft({ ...draft, [key]: e.currentTarget.value }),
  });
  const record = async (e: React.FormEvent) => {
    e.preventDefault();
    const scores = draft.scores.split(/[,\s]+/).filter(Boolean).map((score) => ({ score }));
    const local: Record<string, string> = {};
    if (draft.received && !timeOf(draft.received)) local.receive_time = "날짜와 시각을 모두 고르세요.";
    setErrors(local);
    setFailure("");
    if (Object.keys(local).length) return;
    setSaving(true);
    const { data, error, response } = await api.POST("/v1/districts/{district}/programs/{program}/submissions", {
      params: { path, query: { requestId } },
      body: {
        title: draft.title,
        description: draft.description,
        proposer: draft.name || draft.phone || draft.email ? { name: draft.name, phone: draft.phone, email: draft.email } : undefined,
        scores,
        receiveTime: timeOf(draft.received),
      },
    });
    setSaving(false);
    if (error || !data) {
      const err = readError(response.status, error);
      const { at, rest } = fieldsOf(err, "submission", submissionFields);
      setErrors(at);
      setFailure(failureText(err, rest));
      return;
    }
    setErrors({});
    setDraft(emptyDraft);
    setRequestId(crypto.randomUUID());
    saved("제안을 기록했습니다.");
    load();
    loadProgram();
  };

  // Its award.
  const [editing, setEditing] = useState<Submission | null>(null);
  const [award, setAward] = useState<AwardDraft>({ selected: false, award: "", rank: "" });
  const [awardErrors, setAwardErrors] = useState<Record<string, string>>({});
  const [awardFailure, setAwardFailure] = useState("");
  const [conflict, setConflict] = useState(false);
  const open = (s: Submission) => {
    setEditing(s);
    setAward({ selected: s.selected ?? false, award: s.award ?? "", rank: s.awardRank ? String(s.awardRank) : "" });
    setAwardErrors({});
    setAwardFailure("");
  };
  const send = async (etag: string | undefined): Promise<ApiError | null> => {
    if (!editing) return null;
    const rank = countOf(award.rank);
    if (rank === null) {
      setAwardErrors({ award_rank: "0 이상의 정수로 적으세요 (1이 가장 높은 상)." });
      return null;
    }
    // Only these fields: the update's mask is what the body holds.
    const { data, error, response } = await api.PATCH("/v1/districts/{district}/programs/{program}/submissions/{submission}", {
      params: { path: { ...path, submission: idOf(editing.name) } },
      body: { selected: award.selected, award: award.award, awardRank: rank, etag } as Submission,
    });
    if (error || !data) {
      const err = readError(response.status, error);
      if (err.code !== "ABORTED") {
        const { at, rest } = fieldsOf(err, "submission", submissionFields);
        setAwardErrors(at);
        setAwardFailure(failureText(err, rest));
      }
      return err;
    }
    setEditing(null);
    saved("선정·시상을 저장했습니다.");
    load();
    loadProgram();
    return null;
  };
  const saveAward = async (e: React.FormEvent) => {
    e.preventDefault();
    setSaving(true);
    const err = await send(editing?.etag);
    setSaving(false);
    if (err?.code === "ABORTED") setConflict(true);
  };
  const fresh = async () => {
    if (!editing) return null;
    const { data } = await api.GET("/v1/districts/{district}/programs/{program}/submissions/{submission}", {
      params: { path: { ...path, submission: idOf(editing.name) } },
    });
    return data ?? null;
  };
  const reload = async () => {
    setConflict(false);
    const s = await fresh();
    if (s) open(s);
    load();
  };
  const keepMine = async () => {
    setConflict(false);
    const s = await fresh();
    setSaving(true);
    const err = await send(s?.etag);
    setSaving(false);
    if (err?.code === "ABORTED") setConflict(true);
  };

  return (
    <Stack>
      <ProgramCrumbs district={district} program={program} title={info?.title} here="제안·시상" />
      <Title order={1}>제안·시상</Title>
      <Group>
        <Text size="sm">
          {seesPersonalData(roles, district) ? "제안자 개인정보가 그대로 보입니다 (열람은 감사 기록에 남습니다)." : "제안자 개인정보는 가려서 보입니다 (개인정보 취급 권한이 없음)."}
        </Text>
        <Anchor component={Link} to={`${programPath(district, program)}/results`} size="sm">평가·결과 보기</Anchor>
      </Group>
      {loadError && <Alert color="red" title="제안을 불러오지 못했습니다">{loadError}</Alert>}
      {!list && !loadError && <Loader aria-label="불러오는 중" />}
      {list && list.length === 0 && <Text>기록된 제안이 없습니다.</Text>}
      {list && list.length > 0 && (
        <WideTable label="제안 목록">
          <Table striped aria-label="제안 목록">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>제목</Table.Th>
                <Table.Th>제안자</Table.Th>
                <Table.Th>접수</Table.Th>
                <Table.Th>심사 평균</Table.Th>
                <Table.Th>선정</Table.Th>
                <Table.Th>시상</Table.Th>
                {writer && <Table.Th>선정·시상</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((s) => (
                <Table.Tr key={s.name}>
                  <Table.Td>{s.title}</Table.Td>
                  <Table.Td>{s.proposer?.name || "-"}</Table.Td>
                  <Table.Td style={{ whiteSpace: "nowrap" }}>{when(s.receiveTime)}</Table.Td>
                  <Table.Td>{s.meanScore || "-"}</Table.Td>
                  <Table.Td>{s.selected ? "선정" : "-"}</Table.Td>
                  <Table.Td>{s.award ? `${s.award}${s.awardRank ? ` (${s.awardRank}위)` : ""}` : "-"}</Table.Td>
                  {writer && (
                    <Table.Td>
                      <Button size="xs" variant="default" onClick={() => open(s)} aria-label={`${s.title} 선정·시상`}>선정·시상</Button>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </WideTable>
      )}
      {writer && (
        <Card withBorder component="form" onSubmit={record} aria-label="제안 기록">
          <Stack>
            <Title order={2} size="h4">제안 기록</Title>
            <TextInput label="제안 제목" {...text("title")} error={errors.title} />
            <Textarea label="제안 내용" {...text("description")} error={errors.description} autosize minRows={2} />
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <TextInput label="제안자 이름" {...text("name")} error={errors["proposer.name"] ?? errors.proposer} autoComplete="off" />
              <TextInput label="제안자 전화번호" placeholder="010-1234-5678" inputMode="tel" {...text("phone")} error={errors["proposer.phone"]} autoComplete="off" />
              <TextInput label="제안자 전자우편" inputMode="email" {...text("email")} error={errors["proposer.email"]} autoComplete="off" />
            </SimpleGrid>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput label="심사 점수" description="심사위원별 0~100점, 쉼표로 구분 (예: 85, 90.5)" {...text("scores")} error={errors.scores} />
              <TextInput
                type="datetime-local"
                label="접수 일시"
                description="지난 제출을 기록할 때만 (접수 기간 안, 등록 권한 필요). 비우면 지금."
                {...text("received")}
                error={errors.receive_time}
              />
            </SimpleGrid>
            {failure && <Alert color="red" role="alert">{failure}</Alert>}
            <Button type="submit" loading={saving} w="fit-content">기록</Button>
          </Stack>
        </Card>
      )}
      <Modal opened={editing !== null && !conflict} onClose={() => setEditing(null)} title="선정·시상">
        <Stack component="form" onSubmit={saveAward}>
          <Text size="sm">{editing?.title}</Text>
          <Checkbox label="선정" checked={award.selected} onChange={(e) => setAward({ ...award, selected: e.currentTarget.checked })} error={awardErrors.selected} />
          <TextInput label="시상" placeholder="금상" value={award.award} onChange={(e) => setAward({ ...award, award: e.currentTarget.value })} error={awardErrors.award} />
          <TextInput label="시상 순위" description="1이 가장 높은 상, 0은 없음" inputMode="numeric" value={award.rank} onChange={(e) => setAward({ ...award, rank: e.currentTarget.value })} error={awardErrors.award_rank} />
          {awardFailure && <Alert color="red" role="alert">{awardFailure}</Alert>}
          <Group>
            <Button type="submit" loading={saving}>저장</Button>
            <Button variant="default" onClick={() => setEditing(null)}>닫기</Button>
          </Group>
        </Stack>
      </Modal>
      <ConflictDialog opened={conflict} what="이 제안을" onClose={() => setConflict(false)} onReload={reload} onKeepMine={keepMine} />
    </Stack>
  );
}
