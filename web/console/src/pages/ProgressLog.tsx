// A pledge's progress log (추진상황): its entries as the card lists them,
// and a new one added with the pledge's etag.
import { useCallback, useEffect, useMemo, useState } from "react";
import { Link, useParams } from "react-router";
import { Alert, Anchor, Breadcrumbs, Button, Card, List, Loader, Stack, Text, TextInput, Textarea, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { api, type Schemas } from "../api/client";
import { describe, readError } from "../api/errors";
import { useDraft } from "../components/draft";

type Bullet = Schemas["Bullet"];

function Bullets({ items }: { items: Bullet[] }) {
  return (
    <List size="sm" withPadding>
      {items.map((b, i) => (
        <List.Item key={i}>
          {b.text}
          {(b.children ?? []).length > 0 && <Bullets items={b.children!} />}
        </List.Item>
      ))}
    </List>
  );
}

export function ProgressLog({ district }: { district: string }) {
  const { pledge = "" } = useParams();
  const path = useMemo(() => ({ district, pledge }), [district, pledge]);
  const [info, setInfo] = useState<Schemas["Pledge"] | null>(null);
  // Kept across a sign-in when the session runs out mid-entry.
  const [label, setLabel, clearLabel] = useDraft(`progress.${district}.${pledge}.date`);
  const [text, setText, clearText] = useDraft(`progress.${district}.${pledge}.text`);
  const [errors, setErrors] = useState<{ label?: string; text?: string }>({});
  const [failure, setFailure] = useState("");
  const [saving, setSaving] = useState(false);

  const load = useCallback(async () => {
    const { data, error, response } = await api.GET("/v1/districts/{district}/pledges/{pledge}", { params: { path } });
    if (error || !data) setFailure(describe(readError(response.status, error)));
    else setInfo(data);
  }, [path]);
  useEffect(() => {
    load();
  }, [load]);

  const add = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!info) return;
    const items = text.split("\n").map((t) => t.trim()).filter(Boolean).map((t) => ({ text: t }));
    const local: typeof errors = {};
    if (!label.trim()) local.label = "날짜를 적으세요 (예: '24. 3.).";
    if (!items.length) local.text = "추진 내용을 적으세요.";
    setErrors(local);
    if (local.label || local.text) return;
    const log = info.progressLog ?? [];
    // The server reads each date label again; what it read before is its own.
    const entries = [...log.map((d) => ({ date: { label: d.date.label }, items: d.items })), { date: { label }, items }];
    setSaving(true);
    const { data, error, response } = await api.PATCH("/v1/districts/{district}/pledges/{pledge}", {
      params: { path },
      body: { title: info.title, progressLog: entries, etag: info.etag },
    });
    setSaving(false);
    if (error || !data) {
      const err = readError(response.status, error);
      const at: typeof errors = {};
      const rest: string[] = [];
      const last = entries.length - 1;
      for (const [field, why] of Object.entries(err.fields)) {
        if (field.includes(`progress_log[${last}].date`) || field.includes(`progressLog[${last}].date`)) at.label = why;
        else if (field.includes(`progress_log[${last}]`) || field.includes(`progressLog[${last}]`)) at.text = why;
        else rest.push(`${field}: ${why}`);
      }
      setErrors(at);
      setFailure(err.code === "ABORTED" ? "다른 사람이 먼저 고쳤습니다. 다시 불러왔으니 확인하고 다시 추가하세요." : [describe(err), ...rest].join(" "));
      if (err.code === "ABORTED") load();
      return;
    }
    setInfo(data);
    clearLabel();
    clearText();
    setFailure("");
    notifications.show({ message: "추진상황을 추가했습니다.", color: "teal" });
  };

  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to={`/districts/${district}/pledges`}>공약 목록</Anchor>
        <Anchor component={Link} to={`/districts/${district}/pledges/${pledge}`}>{info?.title ?? pledge}</Anchor>
        <span>추진상황</span>
      </Breadcrumbs>
      <Title order={1}>추진상황</Title>
      {!info && !failure && <Loader aria-label="불러오는 중" />}
      {info && (info.progressLog ?? []).length === 0 && <Text>기록된 추진상황이 없습니다.</Text>}
      {info && (info.progressLog ?? []).length > 0 && (
        <Stack gap="xs" component="ol" style={{ listStyle: "none", padding: 0 }} aria-label="추진상황 목록">
          {info.progressLog!.map((d, i) => (
            <li key={i}>
              <Text fw={700}>{d.date.label}</Text>
              <Bullets items={d.items ?? []} />
            </li>
          ))}
        </Stack>
      )}
      <Card withBorder component="form" onSubmit={add} aria-label="추진상황 추가">
        <Stack>
          <Title order={2} size="h4">추진상황 추가</Title>
          <TextInput label="날짜" description="카드에 쓰는 그대로: '24. 3., 2024. 3. 15., 2024. 하반기" value={label} onChange={(e) => setLabel(e.currentTarget.value)} error={errors.label} />
          <Textarea label="추진 내용" description="한 줄에 한 항목" value={text} onChange={(e) => setText(e.currentTarget.value)} error={errors.text} autosize minRows={3} />
          {failure && <Alert color="red" role="alert">{failure}</Alert>}
          <Button type="submit" loading={saving} disabled={!info} w="fit-content">추가</Button>
        </Stack>
      </Card>
    </Stack>
  );
}
