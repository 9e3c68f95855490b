// A pledge's performance indicators: each year's actual (정량) or
// assessment (정성), saved with the indicator's etag; the API's field
// errors shown at their year.
import { useCallback, useEffect, useMemo, useState } from "react";
import { Link, useParams } from "react-router";
import { Alert, Anchor, Breadcrumbs, Button, Card, Group, Loader, Select, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { api, type Schemas } from "../api/client";
import { describe, readError } from "../api/errors";
import { useDraft } from "../components/draft";
import { idOf, percent } from "../labels";

type Indicator = Schemas["Indicator"];
type Assessment = Schemas["Assessment"];

const assessments: { value: Assessment; label: string }[] = [
  { value: "ASSESSMENT_UNSPECIFIED", label: "평가 전" },
  { value: "ASSESSMENT_ACHIEVED", label: "달성" },
  { value: "ASSESSMENT_PARTLY_ACHIEVED", label: "일부 달성" },
  { value: "ASSESSMENT_NOT_ACHIEVED", label: "미달성" },
  { value: "ASSESSMENT_NOT_YET_DUE", label: "기한 전" },
];

const measureText = (m: Schemas["Measure"] | undefined) => m?.number ?? m?.text ?? "";

function IndicatorCard({ path, initial }: { path: { district: string; pledge: string }; initial: Indicator }) {
  const [ind, setInd] = useState(initial);
  // The entries being edited are a draft of this version of the indicator
  // (its etag): kept across a sign-in, and dropped when the indicator
  // changed meanwhile.
  const [draft, setDraft, clearDraft] = useDraft(`indicator.${initial.name}.${ind.etag}`);
  const entries: Schemas["YearEntry"][] = draft ? JSON.parse(draft) : (ind.entries ?? []);
  const setEntries = (next: Schemas["YearEntry"][]) => setDraft(JSON.stringify(next));
  const [errors, setErrors] = useState<Record<number, string>>({});
  const [failure, setFailure] = useState("");
  const [saving, setSaving] = useState(false);
  const quantitative = ind.kind !== "INDICATOR_KIND_QUALITATIVE";
  const indicatorPath = { ...path, indicator: idOf(ind.name) };

  const setEntry = (i: number, change: Partial<Schemas["YearEntry"]>) =>
    setEntries(entries.map((e, j) => (j === i ? { ...e, ...change } : e)));

  const reload = async () => {
    const { data } = await api.GET("/v1/districts/{district}/pledges/{pledge}/indicators/{indicator}", { params: { path: indicatorPath } });
    if (data) {
      clearDraft();
      setInd(data);
      setFailure("");
      setErrors({});
    }
  };

  const save = async () => {
    setSaving(true);
    const { data, error, response } = await api.PATCH("/v1/districts/{district}/pledges/{pledge}/indicators/{indicator}", {
      params: { path: indicatorPath },
      // Only what the page edits; each year's achievement is the server's.
      body: { title: ind.title, kind: ind.kind, entries: entries.map(({ achievement: _, ...e }) => e), etag: ind.etag },
    });
    setSaving(false);
    if (error || !data) {
      const err = readError(response.status, error);
      const at: Record<number, string> = {};
      const rest: string[] = [];
      for (const [field, why] of Object.entries(err.fields)) {
        const m = /entries\[(\d+)\]/.exec(field);
        if (m) at[Number(m[1])] = why;
        else rest.push(`${field}: ${why}`);
      }
      setErrors(at);
      setFailure(err.code === "ABORTED" ? "다른 사람이 먼저 고쳤습니다. 다시 불러온 뒤 고치세요." : [describe(err), ...rest].join(" "));
      return;
    }
    clearDraft();
    setInd(data);
    setErrors({});
    setFailure("");
    notifications.show({ message: "실적을 저장했습니다.", color: "teal" });
  };

  return (
    <Card withBorder component="section" aria-label={ind.title}>
      <Stack gap="xs">
        <Title order={2} size="h4">{ind.title}</Title>
        <Text size="sm" c="dimmed">
          {quantitative ? `정량 (${ind.unit || "단위 없음"})` : "정성"} · 달성률 {percent(ind.achievement?.percent)}
        </Text>
        <Table.ScrollContainer minWidth={0}>
          <Table aria-label={`${ind.title} 연도별 실적`}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>연도</Table.Th>
                <Table.Th>목표</Table.Th>
                <Table.Th>{quantitative ? "실적" : "평가"}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {entries.map((e, i) => (
                <Table.Tr key={e.year}>
                  <Table.Th scope="row" style={{ whiteSpace: "nowrap" }}>{e.year}</Table.Th>
                  <Table.Td>{measureText(e.target)}</Table.Td>
                  <Table.Td miw={140}>
                    {quantitative ? (
                      <TextInput
                        aria-label={`${e.year}년 실적`}
                        inputMode="decimal"
                        size="xs"
                        value={e.actual?.number ?? ""}
                        onChange={(ev) => setEntry(i, { actual: ev.currentTarget.value ? { number: ev.currentTarget.value } : undefined })}
                        error={errors[i]}
                      />
                    ) : (
                      <Select
                        aria-label={`${e.year}년 평가`}
                        size="xs"
                        data={assessments}
                        value={e.assessment ?? "ASSESSMENT_UNSPECIFIED"}
                        onChange={(v) => setEntry(i, { assessment: (v ?? "ASSESSMENT_UNSPECIFIED") as Assessment })}
                        allowDeselect={false}
                        error={errors[i]}
                      />
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {failure && <Alert color="red" role="alert">{failure}</Alert>}
        <Group>
          <Button onClick={save} loading={saving}>저장</Button>
          <Button variant="default" onClick={reload}>다시 불러오기</Button>
        </Group>
      </Stack>
    </Card>
  );
}

export function Indicators({ district }: { district: string }) {
  const { pledge = "" } = useParams();
  const path = useMemo(() => ({ district, pledge }), [district, pledge]);
  const [title, setTitle] = useState("");
  const [list, setList] = useState<Indicator[] | null>(null);
  const [failure, setFailure] = useState("");
  const load = useCallback(async () => {
    const [p, l] = await Promise.all([
      api.GET("/v1/districts/{district}/pledges/{pledge}", { params: { path } }),
      api.GET("/v1/districts/{district}/pledges/{pledge}/indicators", { params: { path, query: { pageSize: 100 } } }),
    ]);
    setTitle(p.data?.title ?? pledge);
    if (l.error) setFailure(describe(readError(l.response.status, l.error)));
    else setList(l.data?.indicators ?? []);
  }, [path, pledge]);
  useEffect(() => {
    load();
  }, [load]);
  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to={`/districts/${district}/pledges`}>공약 목록</Anchor>
        <Anchor component={Link} to={`/districts/${district}/pledges/${pledge}`}>{title}</Anchor>
        <span>성과지표</span>
      </Breadcrumbs>
      <Title order={1}>성과지표 실적</Title>
      {failure && <Alert color="red">{failure}</Alert>}
      {!list && !failure && <Loader aria-label="불러오는 중" />}
      {list?.length === 0 && <Text>성과지표가 없습니다.</Text>}
      {list?.map((ind) => <IndicatorCard key={ind.name} path={path} initial={ind} />)}
    </Stack>
  );
}
