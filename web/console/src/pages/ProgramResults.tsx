// A program's results as the API computes them, drawn as tables with a
// chart: an evaluation's tally (citizens' ballots weighed with the panel's
// scores) with its entries, a survey's answers question by question, and
// any other program's awards as published (proposers always masked).
import { useCallback, useEffect, useState } from "react";
import { useParams } from "react-router";
import { Alert, Button, Card, Group, Loader, SimpleGrid, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { BarChart } from "@mantine/charts";
import { api, type Schemas } from "../api/client";
import { describe, readError } from "../api/errors";
import { useAuth } from "../auth";
import { canWrite, fieldsOf, failureText, kindLabels, type ProgramKind, saved, WideTable } from "./participationParts";
import { ProgramCrumbs, useProgram } from "./ProgramPage";

/** Reads one of the results; again when load is called. */
function useResult<T>(fetch: () => Promise<{ data?: T; error?: unknown; response: Response }>) {
  const [result, setResult] = useState<T | null>(null);
  const [error, setError] = useState("");
  const load = useCallback(async () => {
    const { data, error, response } = await fetch();
    if (error || !data) setError(describe(readError(response.status, error)));
    else {
      setError("");
      setResult(data);
    }
  }, [fetch]);
  useEffect(() => {
    load();
  }, [load]);
  return { result, error, load };
}

function Contest({ district, program }: { district: string; program: string }) {
  const fetch = useCallback(
    () => api.GET("/v1/districts/{district}/programs/{program}/contestResults", { params: { path: { district, program } } }),
    [district, program],
  );
  const { result, error } = useResult<Schemas["ContestResults"]>(fetch);
  if (error) return <Alert color="red" title="결과를 불러오지 못했습니다">{error}</Alert>;
  if (!result) return <Loader aria-label="불러오는 중" />;
  const awards = result.awards ?? [];
  const scored = awards.filter((a) => a.meanScore);
  return (
    <Stack>
      <Title order={2} size="h3">공모 결과</Title>
      <Text aria-label="접수와 선정">접수 {result.submissions ?? 0}건 · 선정 {result.selected ?? 0}건 · 시상 {awards.length}건</Text>
      {awards.length === 0 ? (
        <Text>시상한 제안이 없습니다.</Text>
      ) : (
        <WideTable label="시상 결과">
          <Table striped aria-label="시상 결과">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>순위</Table.Th>
                <Table.Th>시상</Table.Th>
                <Table.Th>제안</Table.Th>
                <Table.Th>제안자</Table.Th>
                <Table.Th>심사 평균</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {awards.map((a) => (
                <Table.Tr key={a.submission}>
                  <Table.Td>{a.awardRank || "-"}</Table.Td>
                  <Table.Td>{a.award || "-"}</Table.Td>
                  <Table.Td>{a.title}</Table.Td>
                  <Table.Td>{a.proposer || "-"}</Table.Td>
                  <Table.Td>{a.meanScore || "-"}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </WideTable>
      )}
      {scored.length > 0 && (
        <BarChart
          h={220}
          data={scored.map((a) => ({ 제안: a.title ?? "", 점수: Number(a.meanScore) }))}
          dataKey="제안"
          series={[{ name: "점수", color: "teal.6" }]}
          role="img"
          aria-label="시상한 제안의 심사 평균 점수 그래프 (표와 같은 값)"
        />
      )}
    </Stack>
  );
}

function Evaluation({ district, program, writer }: { district: string; program: string; writer: boolean }) {
  const fetch = useCallback(
    () => api.GET("/v1/districts/{district}/programs/{program}/tally", { params: { path: { district, program } } }),
    [district, program],
  );
  const { result, error, load } = useResult<Schemas["Tally"]>(fetch);
  const [title, setTitle] = useState("");
  const [panel, setPanel] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState("");
  const [saving, setSaving] = useState(false);
  const addEntry = async (e: React.FormEvent) => {
    e.preventDefault();
    setSaving(true);
    const { data, error, response } = await api.POST("/v1/districts/{district}/programs/{program}/entries", {
      params: { path: { district, program } },
      body: { title, panelScore: panel.trim() || undefined, position: (result?.entries?.length ?? 0) + 1 },
    });
    setSaving(false);
    if (error || !data) {
      const err = readError(response.status, error);
      const { at, rest } = fieldsOf(err, "entry", ["title", "panel_score", "position"]);
      setErrors(at);
      setFailure(failureText(err, rest));
      return;
    }
    setErrors({});
    setFailure("");
    setTitle("");
    setPanel("");
    saved("평가 항목을 추가했습니다.");
    load();
  };
  if (error) return <Alert color="red" title="집계를 불러오지 못했습니다">{error}</Alert>;
  if (!result) return <Loader aria-label="불러오는 중" />;
  const entries = result.entries ?? [];
  return (
    <Stack>
      <Title order={2} size="h3">평가 집계</Title>
      <Text aria-label="투표와 비중">
        시민 투표 {result.ballots ?? 0}표 · 비중 시민 {result.citizenWeightPercent ?? 0}% : 전문가 {result.panelWeightPercent ?? 0}%
      </Text>
      {entries.length === 0 ? (
        <Text>평가 항목이 없습니다.</Text>
      ) : (
        <WideTable label="평가 집계">
          <Table striped aria-label="평가 집계">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>순위</Table.Th>
                <Table.Th>항목</Table.Th>
                <Table.Th>투표</Table.Th>
                <Table.Th>시민 평균</Table.Th>
                <Table.Th>시민 점수</Table.Th>
                <Table.Th>전문가 점수</Table.Th>
                <Table.Th>종합 점수</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {entries.map((t) => (
                <Table.Tr key={t.entry}>
                  <Table.Td>{t.rank || "-"}</Table.Td>
                  <Table.Td>{t.title}</Table.Td>
                  <Table.Td>{t.ballots ?? 0}</Table.Td>
                  <Table.Td>{t.citizenMean || "-"}</Table.Td>
                  <Table.Td>{t.citizenScore || "-"}</Table.Td>
                  <Table.Td>{t.panelScore || "-"}</Table.Td>
                  <Table.Td fw={700}>{t.combinedScore || "-"}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </WideTable>
      )}
      {entries.length > 0 && (
        <BarChart
          h={240}
          data={entries.map((t) => ({ 항목: t.title ?? "", 시민: Number(t.citizenScore || 0), 전문가: Number(t.panelScore || 0), 종합: Number(t.combinedScore || 0) }))}
          dataKey="항목"
          series={[{ name: "시민", color: "blue.6" }, { name: "전문가", color: "orange.6" }, { name: "종합", color: "teal.7" }]}
          withLegend
          role="img"
          aria-label="평가 항목별 시민·전문가·종합 점수 그래프 (표와 같은 값)"
        />
      )}
      {writer && (
        <Card withBorder component="form" onSubmit={addEntry} aria-label="평가 항목 추가">
          <Stack>
            <Title order={3} size="h4">평가 항목 추가</Title>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput label="항목 제목" value={title} onChange={(e) => setTitle(e.currentTarget.value)} error={errors.title} />
              <TextInput label="전문가 점수" description="0~100, 소수 둘째 자리까지" inputMode="decimal" value={panel} onChange={(e) => setPanel(e.currentTarget.value)} error={errors.panel_score} />
            </SimpleGrid>
            {failure && <Alert color="red" role="alert">{failure}</Alert>}
            <Button type="submit" loading={saving} w="fit-content">추가</Button>
          </Stack>
        </Card>
      )}
    </Stack>
  );
}

function Survey({ district, program }: { district: string; program: string }) {
  const fetch = useCallback(
    () => api.GET("/v1/districts/{district}/programs/{program}/surveyResults", { params: { path: { district, program } } }),
    [district, program],
  );
  const { result, error } = useResult<Schemas["SurveyResults"]>(fetch);
  if (error) return <Alert color="red" title="설문 결과를 불러오지 못했습니다">{error}</Alert>;
  if (!result) return <Loader aria-label="불러오는 중" />;
  const questions = result.questions ?? [];
  return (
    <Stack>
      <Title order={2} size="h3">설문 결과</Title>
      <Text>응답 {result.responses ?? 0}건</Text>
      {questions.length === 0 && <Text>질문이 없습니다.</Text>}
      {questions.map((q, i) => (
        <Card withBorder key={q.question}>
          <Text fw={700}>{i + 1}. {q.text}</Text>
          <Text size="sm" c="dimmed">
            응답 {q.answered ?? 0}건{q.mean ? ` · 평균 ${q.mean}` : ""}
            {q.kind === "QUESTION_KIND_FREE_TEXT" ? " · 자유 응답은 개인정보가 있을 수 있어 건수만 보입니다" : ""}
          </Text>
          {(q.counts ?? []).length > 0 && (
            <Table aria-label={`${i + 1}번 질문의 응답 분포`}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>보기</Table.Th>
                  <Table.Th>응답 수</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {q.counts!.map((c) => (
                  <Table.Tr key={c.value}>
                    <Table.Td>{c.label || c.value}</Table.Td>
                    <Table.Td>{c.count ?? 0}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Card>
      ))}
    </Stack>
  );
}

export function ProgramResults({ district }: { district: string }) {
  const { program = "" } = useParams();
  const { session } = useAuth();
  const { info, error } = useProgram(district, program);
  const kind = (info?.kind ?? "PROGRAM_KIND_UNSPECIFIED") as ProgramKind;
  return (
    <Stack>
      <ProgramCrumbs district={district} program={program} title={info?.title} here="평가·결과" />
      <Title order={1}>평가·결과</Title>
      {error && <Alert color="red" title="프로그램을 불러오지 못했습니다">{error}</Alert>}
      {!info && !error && <Loader aria-label="불러오는 중" />}
      {info && (
        <>
          <Group>
            <Text size="sm">{kindLabels[kind]}</Text>
          </Group>
          {kind === "PROGRAM_KIND_POLICY_COMPETITION" ? (
            <Evaluation district={district} program={program} writer={canWrite(session?.roles ?? [], district)} />
          ) : kind === "PROGRAM_KIND_SURVEY" ? (
            <Survey district={district} program={program} />
          ) : (
            <Contest district={district} program={program} />
          )}
        </>
      )}
    </Stack>
  );
}
