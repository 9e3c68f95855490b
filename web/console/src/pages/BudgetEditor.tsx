// A pledge's investment plan as the card's table, funding source × year,
// edited in 백만원 with the totals following the typing; saved with the
// plan's etag, the API's field errors shown at their cells.
import { useCallback, useEffect, useMemo, useState } from "react";
import { Link, useParams } from "react-router";
import {
  Alert, Anchor, Breadcrumbs, Button, Group, Loader, SegmentedControl, Select, Stack, Table, Text, TextInput, Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { api, type Schemas } from "../api/client";
import { describe, readError, type ApiError } from "../api/errors";
import { ConflictDialog } from "../components/ConflictDialog";
import { sourceLabels, percent, type FundingSource } from "../labels";
import { formatMillions, millionsOf, sumMillions, wonOf } from "../money";

type Kind = "planned" | "secured" | "executed";
const kinds: { value: Kind; label: string }[] = [
  { value: "planned", label: "계획" },
  { value: "secured", label: "확보" },
  { value: "executed", label: "집행" },
];
const kindOfField: Record<string, Kind> = {
  planned_won: "planned", plannedWon: "planned",
  secured_won: "secured", securedWon: "secured",
  executed_won: "executed", executedWon: "executed",
};
const allSources = Object.keys(sourceLabels).filter((s) => s !== "FUNDING_SOURCE_UNSPECIFIED") as FundingSource[];

type Amounts = Record<Kind, string>;
/** A cell is one source and year: `${source}|${year}`. */
type Cells = Record<string, Amounts>;
const key = (source: string, year: number) => `${source}|${year}`;
const empty: Amounts = { planned: "", secured: "", executed: "" };

interface Draft {
  etag: string;
  sources: FundingSource[];
  cells: Cells;
}

function cellsOf(b: Schemas["Budget"] | null): { sources: FundingSource[]; cells: Cells } {
  const cells: Cells = {};
  const sources: FundingSource[] = [];
  for (const l of b?.lines ?? []) {
    const s = (l.source ?? "FUNDING_SOURCE_UNSPECIFIED") as FundingSource;
    if (!sources.includes(s)) sources.push(s);
    cells[key(s, l.year ?? 0)] = { planned: millionsOf(l.plannedWon), secured: millionsOf(l.securedWon), executed: millionsOf(l.executedWon) };
  }
  return { sources: sources.length ? sources : ["FUNDING_SOURCE_LOCAL"], cells };
}

export function BudgetEditor({ district }: { district: string }) {
  const { pledge = "" } = useParams();
  const path = useMemo(() => ({ district, pledge }), [district, pledge]);
  const draftKey = `gongyak.budget-draft.${district}.${pledge}`;
  const [pledgeInfo, setPledgeInfo] = useState<Schemas["Pledge"] | null>(null);
  const [budget, setBudget] = useState<Schemas["Budget"] | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [sources, setSources] = useState<FundingSource[]>([]);
  const [cells, setCells] = useState<Cells>({});
  const [kind, setKind] = useState<Kind>("planned");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState("");
  const [conflict, setConflict] = useState(false);
  const [saving, setSaving] = useState(false);
  const [restored, setRestored] = useState(false);

  /** Reads the plan; keeps a draft made from the same etag when asked. */
  const load = useCallback(
    async (keepDraft: boolean) => {
      setErrors({});
      setFailure("");
      const [p, b] = await Promise.all([
        api.GET("/v1/districts/{district}/pledges/{pledge}", { params: { path } }),
        api.GET("/v1/districts/{district}/pledges/{pledge}/budget", { params: { path } }),
      ]);
      setPledgeInfo(p.data ?? null);
      if (b.error && b.response.status !== 404) {
        setFailure(describe(readError(b.response.status, b.error)));
        return null;
      }
      const fresh = b.data ?? null;
      setBudget(fresh);
      const draft = keepDraft ? (JSON.parse(sessionStorage.getItem(draftKey) ?? "null") as Draft | null) : null;
      if (draft && draft.etag === (fresh?.etag ?? "")) {
        setSources(draft.sources);
        setCells(draft.cells);
        setRestored(true);
      } else {
        const c = cellsOf(fresh);
        setSources(c.sources);
        setCells(c.cells);
        sessionStorage.removeItem(draftKey);
      }
      setLoaded(true);
      return fresh;
    },
    [path, draftKey],
  );
  useEffect(() => {
    load(true);
  }, [load]);

  const years = useMemo(() => {
    const ys = new Set<number>();
    const range = pledgeInfo?.validYears;
    if (range?.firstYear) {
      const last = range.lastYear || range.firstYear + 4;
      for (let y = range.firstYear; y <= last; y++) ys.add(y);
    }
    for (const k of Object.keys(cells)) ys.add(Number(k.split("|")[1]));
    return [...ys].filter((y) => y > 0).sort();
  }, [pledgeInfo, cells]);

  const edit = (source: FundingSource, year: number, value: string) => {
    const next = { ...cells, [key(source, year)]: { ...(cells[key(source, year)] ?? empty), [kind]: value } };
    setCells(next);
    const draft: Draft = { etag: budget?.etag ?? "", sources, cells: next };
    sessionStorage.setItem(draftKey, JSON.stringify(draft));
  };
  const textOf = (source: string, year: number) => cells[key(source, year)]?.[kind] ?? "";

  /** Sends the table with etag; returns the error when it failed. */
  const send = async (etag: string | undefined): Promise<ApiError | null> => {
    const lines: Schemas["BudgetLine"][] = [];
    const local: Record<string, string> = {};
    const before = new Map((budget?.lines ?? []).map((l) => [key(l.source ?? "", l.year ?? 0), l]));
    for (const s of sources) {
      for (const y of years) {
        const c = cells[key(s, y)];
        if (!c) continue;
        const won: Partial<Record<Kind, string>> = {};
        for (const k of ["planned", "secured", "executed"] as Kind[]) {
          const w = wonOf(c[k]);
          if (w === null) local[`${key(s, y)}|${k}`] = "숫자로 적으세요 (백만원)";
          else if (w) won[k] = w;
        }
        if (!won.planned && !won.secured && !won.executed) continue;
        const old = before.get(key(s, y));
        lines.push({
          source: s, year: y, sourceLabel: old?.sourceLabel, carryOver: old?.carryOver, note: old?.note,
          plannedWon: won.planned, securedWon: won.secured, executedWon: won.executed,
        });
      }
    }
    if (Object.keys(local).length) {
      setErrors(local);
      return null;
    }
    const { data, error, response } = await api.PATCH("/v1/districts/{district}/pledges/{pledge}/budget", {
      params: { path, query: { allowMissing: !budget } },
      body: { lines, asOfDate: budget?.asOfDate, etag },
    });
    if (error || !data) {
      const err = readError(response.status, error);
      // budget.lines[3].planned_won → the cell of line 3, its amount.
      const at: Record<string, string> = {};
      const rest: string[] = [];
      for (const [field, why] of Object.entries(err.fields)) {
        const m = /lines\[(\d+)\]\.(\w+)/.exec(field);
        const line = m ? lines[Number(m[1])] : undefined;
        if (line) at[`${key(line.source ?? "", line.year ?? 0)}|${kindOfField[m![2]] ?? kind}`] = why;
        else rest.push(`${field}: ${why}`);
      }
      setErrors(at);
      if (err.code !== "ABORTED") setFailure([describe(err), ...rest].join(" "));
      return err;
    }
    setBudget(data);
    const c = cellsOf(data);
    setSources(c.sources);
    setCells(c.cells);
    setErrors({});
    setFailure("");
    setRestored(false);
    sessionStorage.removeItem(draftKey);
    notifications.show({ message: "예산을 저장했습니다.", color: "teal" });
    return null;
  };

  const save = async () => {
    setSaving(true);
    const err = await send(budget?.etag);
    setSaving(false);
    if (err?.code === "ABORTED") setConflict(true);
  };
  const reload = async () => {
    setConflict(false);
    sessionStorage.removeItem(draftKey);
    await load(false);
  };
  const keepMine = async () => {
    setConflict(false);
    setSaving(true);
    // The newest etag, with this table: what the other person wrote is
    // replaced by what is on the screen.
    const { data } = await api.GET("/v1/districts/{district}/pledges/{pledge}/budget", { params: { path } });
    if (data) setBudget(data);
    const err = await send(data?.etag);
    setSaving(false);
    if (err?.code === "ABORTED") setConflict(true);
  };

  const kindLabel = kinds.find((k) => k.value === kind)!.label;
  const unused = allSources.filter((s) => !sources.includes(s));
  const total = budget?.total;
  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to={`/districts/${district}/pledges`}>공약 목록</Anchor>
        <Anchor component={Link} to={`/districts/${district}/pledges/${pledge}`}>{pledgeInfo?.title ?? pledge}</Anchor>
        <span>예산</span>
      </Breadcrumbs>
      <Title order={1}>투자 계획 (백만원)</Title>
      {!loaded && !failure && <Loader aria-label="불러오는 중" />}
      {restored && <Alert color="blue">저장하지 않은 내용을 다시 불러왔습니다.</Alert>}
      {failure && <Alert color="red" title="저장하지 못했습니다" role="alert">{failure}</Alert>}
      {loaded && (
        <>
          <SegmentedControl aria-label="금액 종류" data={kinds} value={kind} onChange={(v) => setKind(v as Kind)} />
          <Table.ScrollContainer minWidth={0}>
            <Table withTableBorder withColumnBorders aria-label={`재원별 연도별 ${kindLabel} 금액`}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>재원</Table.Th>
                  {years.map((y) => <Table.Th key={y}>{y}</Table.Th>)}
                  <Table.Th>계</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {sources.map((s) => (
                  <Table.Tr key={s}>
                    <Table.Th scope="row" style={{ whiteSpace: "nowrap" }}>{sourceLabels[s]}</Table.Th>
                    {years.map((y) => (
                      <Table.Td key={y} miw={90}>
                        <TextInput
                          aria-label={`${sourceLabels[s]} ${y}년 ${kindLabel}`}
                          inputMode="decimal"
                          size="xs"
                          value={textOf(s, y)}
                          onChange={(e) => edit(s, y, e.currentTarget.value)}
                          error={errors[`${key(s, y)}|${kind}`]}
                        />
                      </Table.Td>
                    ))}
                    <Table.Td aria-label={`${sourceLabels[s]} 계`}>{sumMillions(years.map((y) => textOf(s, y)))}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
              <Table.Tfoot>
                <Table.Tr>
                  <Table.Th scope="row" style={{ whiteSpace: "nowrap" }}>합계</Table.Th>
                  {years.map((y) => (
                    <Table.Td key={y} aria-label={`${y}년 합계`}>{sumMillions(sources.map((s) => textOf(s, y)))}</Table.Td>
                  ))}
                  <Table.Td aria-label="총계" fw={700}>
                    {sumMillions(sources.flatMap((s) => years.map((y) => textOf(s, y))))}
                  </Table.Td>
                </Table.Tr>
              </Table.Tfoot>
            </Table>
          </Table.ScrollContainer>
          {Object.entries(errors).some(([k]) => !k.endsWith(`|${kind}`)) && (
            <Text c="red" size="sm">다른 금액 종류에도 잘못된 값이 있습니다: {[...new Set(Object.keys(errors).map((k) => kinds.find((x) => x.value === k.split("|")[2])?.label))].join(", ")}</Text>
          )}
          <Group align="end">
            {unused.length > 0 && (
              <Select
                label="재원 추가"
                placeholder="재원 선택"
                data={unused.map((s) => ({ value: s, label: sourceLabels[s] }))}
                value={null}
                onChange={(v) => v && setSources([...sources, v as FundingSource])}
                w={160}
              />
            )}
            <Button onClick={save} loading={saving}>저장</Button>
          </Group>
          {total && (
            <Text size="sm" c="dimmed">
              저장된 계획: 총 {formatMillions(millionsOf(total.plannedWon) || "0")} 백만원 · 확보율 {percent(total.securingRate)} · 집행률 {percent(total.executionRate)}
            </Text>
          )}
        </>
      )}
      <ConflictDialog opened={conflict} what="이 예산을" onClose={() => setConflict(false)} onReload={reload} onKeepMine={keepMine} />
    </Stack>
  );
}
