// A pledge's status: changing it with a reason, and its history.
import { useCallback, useEffect, useMemo, useState } from "react";
import { Link, useParams } from "react-router";
import { Alert, Anchor, Breadcrumbs, Button, Card, Group, Loader, Select, Stack, Table, Text, Textarea, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { api, type Schemas } from "../api/client";
import { describe, readError } from "../api/errors";
import { useDraft } from "../components/draft";
import { settableStatuses, statusLabels, type PledgeStatus } from "../labels";

const label = (s: string | undefined) => statusLabels[(s ?? "PLEDGE_STATUS_UNSPECIFIED") as PledgeStatus];

function dateOf(c: Schemas["StatusChange"]): string {
  const d = c.effectiveDate;
  if (d?.year) return `${d.year}. ${d.month}. ${d.day}.`;
  return c.changeTime ? new Date(c.changeTime).toLocaleDateString("ko-KR") : "-";
}

export function StatusPage({ district }: { district: string }) {
  const { pledge = "" } = useParams();
  const path = useMemo(() => ({ district, pledge }), [district, pledge]);
  const [info, setInfo] = useState<Schemas["Pledge"] | null>(null);
  const [history, setHistory] = useState<Schemas["StatusChange"][] | null>(null);
  // Kept across a sign-in when the session runs out mid-change.
  const [statusText, setStatusText, clearStatus] = useDraft(`status.${district}.${pledge}.status`);
  const [reason, setReason, clearReason] = useDraft(`status.${district}.${pledge}.reason`);
  const status = statusText || null;
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState("");
  const [saving, setSaving] = useState(false);

  const load = useCallback(async () => {
    const [p, h] = await Promise.all([
      api.GET("/v1/districts/{district}/pledges/{pledge}", { params: { path } }),
      api.GET("/v1/districts/{district}/pledges/{pledge}/statusChanges", { params: { path, query: { pageSize: 100 } } }),
    ]);
    setInfo(p.data ?? null);
    setHistory(h.data?.statusChanges ?? []);
    if (p.error) setFailure(describe(readError(p.response.status, p.error)));
  }, [path]);
  useEffect(() => {
    load();
  }, [load]);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!status) local.status = "바꿀 상태를 고르세요.";
    if (!reason.trim()) local.reason = "바꾸는 까닭을 적으세요.";
    setErrors(local);
    if (Object.keys(local).length || !info) return;
    setSaving(true);
    const { error, response } = await api.POST("/v1/districts/{district}/pledges/{pledge}:changeStatus", {
      params: { path },
      body: { status: status as PledgeStatus, reason, etag: info.etag, requestId: crypto.randomUUID() },
    });
    setSaving(false);
    if (error) {
      const err = readError(response.status, error);
      const at: Record<string, string> = {};
      for (const [f, why] of Object.entries(err.fields)) at[f.endsWith("reason") ? "reason" : f.endsWith("status") ? "status" : f] = why;
      setErrors(at);
      setFailure(err.code === "ABORTED" ? "다른 사람이 먼저 상태를 바꿨습니다. 아래 이력을 다시 불러왔으니 확인하고 다시 바꾸세요." : describe(err));
      if (err.code === "ABORTED") load();
      return;
    }
    setFailure("");
    clearReason();
    clearStatus();
    notifications.show({ message: "상태를 바꿨습니다.", color: "teal" });
    load();
  };

  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to={`/districts/${district}/pledges`}>공약 목록</Anchor>
        <Anchor component={Link} to={`/districts/${district}/pledges/${pledge}`}>{info?.title ?? pledge}</Anchor>
        <span>상태</span>
      </Breadcrumbs>
      <Title order={1}>추진 상태</Title>
      <Text>현재 상태: <strong>{info ? label(info.status) : "…"}</strong></Text>
      <Card withBorder component="form" onSubmit={submit} aria-label="상태 변경">
        <Stack>
          <Select
            label="바꿀 상태"
            data={settableStatuses.map((s) => ({ value: s, label: statusLabels[s] }))}
            value={status}
            onChange={(v) => setStatusText(v ?? "")}
            error={errors.status}
          />
          <Textarea label="변경 사유" value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={errors.reason} autosize minRows={2} />
          {failure && <Alert color="red" role="alert">{failure}</Alert>}
          <Group>
            <Button type="submit" loading={saving} disabled={!info}>상태 변경</Button>
          </Group>
        </Stack>
      </Card>
      <Title order={2} size="h3">변경 이력</Title>
      {!history && <Loader aria-label="불러오는 중" />}
      {history && history.length === 0 && <Text>이력이 없습니다.</Text>}
      {history && history.length > 0 && (
        <Table.ScrollContainer minWidth={0}>
          <Table striped aria-label="상태 변경 이력">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>효력일</Table.Th>
                <Table.Th>변경</Table.Th>
                <Table.Th>사유</Table.Th>
                <Table.Th>변경한 사람</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {history.map((c) => (
                <Table.Tr key={c.name}>
                  <Table.Td>{dateOf(c)}</Table.Td>
                  <Table.Td>{label(c.previousStatus)} → {label(c.status)}</Table.Td>
                  <Table.Td style={{ wordBreak: "break-word" }}>{c.reason}</Table.Td>
                  <Table.Td style={{ wordBreak: "break-all" }}>{c.actor}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
