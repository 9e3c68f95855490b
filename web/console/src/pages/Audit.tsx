// A district's audit log with filters. The filters are in the address
// (so a reload or a link keeps them) and become the AIP-160 filter the API
// takes, every value quoted; what the API refuses is shown as it says.
import { useEffect, useMemo, useState } from "react";
import { useSearchParams } from "react-router";
import { Alert, Badge, Button, Card, Checkbox, Code, Group, Loader, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { api, type Schemas } from "../api/client";
import { describe, readError } from "../api/errors";
import { auditFilter, type AuditFilters } from "./auditFilter";

type Event = Schemas["AuditEvent"];

const serviceLabels: Record<string, string> = {
  pledge: "공약",
  budget: "예산",
  indicator: "지표",
  participation: "참여",
};

const actionLabels: Record<string, string> = {
  create: "만들기",
  update: "고치기",
  delete: "지우기",
  change_status: "상태 변경",
  revoke: "폐기",
  read_personal_data: "개인정보 열람",
};

const pageSizes = ["10", "50", "100"];

/** The filters' names in the address. */
const keys: (keyof AuditFilters)[] = ["service", "action", "actor", "resource", "under", "from", "to", "extra"];

function filtersOf(q: URLSearchParams): AuditFilters {
  const f = {} as Record<keyof AuditFilters, string>;
  for (const k of keys) f[k] = q.get(k) ?? "";
  return f;
}

function when(t: string | undefined): string {
  return t ? new Date(t).toLocaleString("ko-KR", { dateStyle: "medium", timeStyle: "medium" }) : "";
}

function show(v: unknown): string {
  if (v === undefined) return "";
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** The fields an event changed, as they were and as they are. */
function Change({ e }: { e: Event }) {
  const before = (e.before ?? {}) as Record<string, unknown>;
  const after = (e.after ?? {}) as Record<string, unknown>;
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  if (fields.length === 0) return <Text size="sm" c="dimmed">바뀐 항목 기록 없음</Text>;
  return (
    <Table layout="fixed" withTableBorder fz="xs" aria-label="바뀐 내용">
      <Table.Thead>
        <Table.Tr>
          <Table.Th w="28%">항목</Table.Th>
          <Table.Th>이전</Table.Th>
          <Table.Th>이후</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {fields.map((f) => (
          <Table.Tr key={f}>
            <Table.Td style={{ wordBreak: "break-all" }}>{f}</Table.Td>
            <Table.Td style={{ wordBreak: "break-all" }}>{show(before[f])}</Table.Td>
            <Table.Td style={{ wordBreak: "break-all" }}>{show(after[f])}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function Audit({ district }: { district: string }) {
  const [params, setParams] = useSearchParams();
  const applied = useMemo(() => filtersOf(params), [params]);
  const [form, setForm] = useState<AuditFilters>(applied);
  useEffect(() => setForm(applied), [applied]);
  const filter = useMemo(() => auditFilter(applied), [applied]);

  // The tokens of the pages before this one, to go back; the current one.
  const [trail, setTrail] = useState<string[]>([]);
  const [token, setToken] = useState("");
  const [pageSize, setPageSize] = useState("50");
  useEffect(() => {
    setTrail([]);
    setToken("");
  }, [filter, district, pageSize]);

  const [events, setEvents] = useState<Event[] | null>(null);
  const [next, setNext] = useState("");
  const [failure, setFailure] = useState("");
  const [filterError, setFilterError] = useState("");

  useEffect(() => {
    let cancelled = false;
    setEvents(null);
    setFailure("");
    setFilterError("");
    api
      .GET("/v1/districts/{district}/auditEvents", {
        params: { path: { district }, query: { filter: filter || undefined, pageSize: Number(pageSize), pageToken: token || undefined } },
      })
      .then(({ data, error, response }) => {
        if (cancelled) return;
        if (error || !data) {
          const err = readError(response.status, error);
          const why = err.fields.filter;
          // The filters the page builds are quoted; what the API refuses
          // is most likely the filter typed in by hand.
          if (why && applied.extra) setFilterError(why);
          setFailure(why ? `${describe(err)} ${why}` : describe(err));
          setEvents([]);
          return;
        }
        setEvents(data.auditEvents ?? []);
        setNext(data.nextPageToken ?? "");
      });
    return () => {
      cancelled = true;
    };
  }, [district, filter, token, pageSize, applied.extra]);

  const set = (k: keyof AuditFilters) => (v: string | null) => setForm((f) => ({ ...f, [k]: v ?? "" }));
  const apply = (e: React.FormEvent) => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const k of keys) if (form[k]) q.set(k, form[k]);
    setParams(q);
  };
  const clear = () => setParams(new URLSearchParams());

  return (
    <Stack>
      <Title order={1}>감사 기록</Title>
      <Text size="sm">
        모든 서비스가 남긴 변경과 개인정보 열람 기록입니다. 고칠 수도 지울 수도 없습니다. 행위자와 대상에서 *는 아무 글자와나 맞습니다.
      </Text>
      <Card withBorder component="form" onSubmit={apply} aria-label="감사 기록 거르기" noValidate>
        <Stack>
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
            <Select label="서비스" placeholder="전체" clearable value={form.service || null} onChange={set("service")}
              data={Object.entries(serviceLabels).map(([value, label]) => ({ value, label: `${label} (${value})` }))} />
            <Select label="동작" placeholder="전체" clearable value={form.action || null} onChange={set("action")}
              data={Object.entries(actionLabels).map(([value, label]) => ({ value, label: `${label} (${value})` }))} />
            <TextInput label="행위자" placeholder="user:gwangsan-admin@*" value={form.actor} onChange={(e) => set("actor")(e.currentTarget.value)} />
            <TextInput label="대상 자원" placeholder="districts/gwangsan/pledges/…" value={form.resource}
              onChange={(e) => set("resource")(e.currentTarget.value)} />
            <TextInput type="date" label="시작일" value={form.from} onChange={(e) => set("from")(e.currentTarget.value)} />
            <TextInput type="date" label="종료일" value={form.to} onChange={(e) => set("to")(e.currentTarget.value)} />
          </SimpleGrid>
          <Checkbox label="대상 자원 아래의 것도 포함" checked={form.under === "1"} onChange={(e) => set("under")(e.currentTarget.checked ? "1" : "")} />
          <TextInput label="추가 필터 (선택)" description='AIP-160 형식, 예: action != "update". 위 조건과 AND로 묶습니다.' value={form.extra}
            onChange={(e) => set("extra")(e.currentTarget.value)} error={filterError || undefined} />
          <Group>
            <Button type="submit">조회</Button>
            <Button variant="default" onClick={clear}>조건 지우기</Button>
          </Group>
          {filter && (
            <Text size="xs" c="dimmed" style={{ wordBreak: "break-all" }}>
              보낸 필터: <Code>{filter}</Code>
            </Text>
          )}
        </Stack>
      </Card>

      {failure && <Alert color="red" role="alert" title="감사 기록을 불러오지 못했습니다">{failure}</Alert>}
      {!events && <Loader aria-label="불러오는 중" />}
      {events && events.length === 0 && !failure && <Text>조건에 맞는 기록이 없습니다.</Text>}
      {events && events.length > 0 && (
        <Stack gap="sm" component="ol" style={{ listStyle: "none", padding: 0, margin: 0 }} aria-label="감사 기록 목록">
          {events.map((e) => (
            <Card key={e.name} withBorder padding="sm" component="li">
              <Stack gap={6}>
                <Group gap="xs" wrap="wrap">
                  <Badge variant="light">{serviceLabels[e.service ?? ""] ?? e.service}</Badge>
                  <Badge>{actionLabels[e.action ?? ""] ?? e.action}</Badge>
                  <Text size="sm">{when(e.time)}</Text>
                </Group>
                <Text size="sm" style={{ wordBreak: "break-all" }}>누가: {e.actor}</Text>
                <Text size="sm" style={{ wordBreak: "break-all" }}>대상: {e.resource}</Text>
                <Change e={e} />
              </Stack>
            </Card>
          ))}
        </Stack>
      )}
      <Group align="flex-end">
        <Select label="쪽당 기록 수" data={pageSizes} value={pageSize} onChange={(v) => v && setPageSize(v)} allowDeselect={false} w={120} />
        <Button variant="default" disabled={trail.length === 0}
          onClick={() => { setToken(trail[trail.length - 1]); setTrail(trail.slice(0, -1)); }}>
          이전 쪽
        </Button>
        <Button variant="default" disabled={!next}
          onClick={() => { setTrail([...trail, token]); setToken(next); }}>
          다음 쪽
        </Button>
      </Group>
    </Stack>
  );
}
