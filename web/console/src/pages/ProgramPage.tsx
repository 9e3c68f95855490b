// One participation program: what it declares beside what its records
// count, the pledges it serves, the ways to its members, submissions and
// results, and its form, saved with its etag.
import { useCallback, useEffect, useState } from "react";
import { Link, useParams } from "react-router";
import { Alert, Anchor, Badge, Breadcrumbs, Button, Card, Group, List, Loader, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { api, type Schemas } from "../api/client";
import { describe, readError, type ApiError } from "../api/errors";
import { useAuth } from "../auth";
import { idOf } from "../labels";
import {
  canWrite, dateText, fieldsOf, failureText, kindLabels, programStatusLabels, saved, type ProgramKind, type ProgramStatus,
} from "./participationParts";
import { ConflictDialog } from "../components/ConflictDialog";
import { draftOf, ProgramForm, programFields, programOf, type ProgramDraft } from "./ProgramForm";
import { programPath } from "./Programs";

/** A program read by its page, again when asked. */
export function useProgram(district: string, program: string) {
  const [info, setInfo] = useState<Schemas["Program"] | null>(null);
  const [error, setError] = useState("");
  const load = useCallback(async () => {
    const { data, error, response } = await api.GET("/v1/districts/{district}/programs/{program}", { params: { path: { district, program } } });
    if (error || !data) {
      setError(describe(readError(response.status, error)));
      return null;
    }
    setError("");
    setInfo(data);
    return data;
  }, [district, program]);
  useEffect(() => {
    load();
  }, [load]);
  return { info, error, load };
}

/** The breadcrumbs of a program's pages. */
export function ProgramCrumbs({ district, program, title, here }: { district: string; program: string; title?: string; here?: string }) {
  return (
    <Breadcrumbs>
      <Anchor component={Link} to={`/districts/${district}/programs`}>시민참여 프로그램</Anchor>
      {here ? <Anchor component={Link} to={programPath(district, program)}>{title ?? program}</Anchor> : <span>{title ?? program}</span>}
      {here && <span>{here}</span>}
    </Breadcrumbs>
  );
}

/** The titles of the pledges a program serves, by name, as they come. */
function usePledgeTitles(names: string[] | undefined) {
  const [titles, setTitles] = useState<Record<string, string>>({});
  const key = (names ?? []).join(",");
  useEffect(() => {
    for (const name of key ? key.split(",") : []) {
      const [, district, , pledge] = name.split("/");
      api.GET("/v1/districts/{district}/pledges/{pledge}", { params: { path: { district, pledge } } }).then(({ data }) => {
        if (data?.title) setTitles((t) => ({ ...t, [name]: data.title! }));
      });
    }
  }, [key]);
  return titles;
}

function Count({ label, declared, recorded }: { label: string; declared?: number; recorded?: number }) {
  return (
    <Card withBorder padding="sm" role="group" aria-label={label}>
      <Text size="sm" c="dimmed">{label}</Text>
      <Text fw={700}>기록 {recorded ?? 0}</Text>
      {declared !== undefined && <Text size="xs" c="dimmed">계획 {declared || "-"}</Text>}
    </Card>
  );
}

export function ProgramPage({ district }: { district: string }) {
  const { program = "" } = useParams();
  const { session } = useAuth();
  const { info, error, load } = useProgram(district, program);
  const pledgeTitles = usePledgeTitles(info?.pledges);
  const draftKey = `gongyak.program-draft.${district}.${program}`;
  const [draft, setDraft] = useState<ProgramDraft | null>(null);
  const [restored, setRestored] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState("");
  const [saving, setSaving] = useState(false);
  const [conflict, setConflict] = useState(false);

  // The form starts from the program, or from the tab's draft of the same version.
  useEffect(() => {
    if (!info || draft) return;
    const kept = JSON.parse(sessionStorage.getItem(draftKey) ?? "null") as { etag: string; draft: ProgramDraft } | null;
    if (kept && kept.etag === info.etag) {
      setDraft(kept.draft);
      setRestored(true);
    } else {
      setDraft(draftOf(info));
    }
  }, [info, draft, draftKey]);

  const change = (d: ProgramDraft) => {
    setDraft(d);
    sessionStorage.setItem(draftKey, JSON.stringify({ etag: info?.etag ?? "", draft: d }));
  };

  /** Sends the form with etag; returns the error when it failed. */
  const send = async (etag: string | undefined): Promise<ApiError | null> => {
    if (!draft) return null;
    const { program: body, local } = programOf(draft, etag);
    setErrors(local);
    setFailure("");
    if (!body) return null;
    const { data, error, response } = await api.PATCH("/v1/districts/{district}/programs/{program}", {
      params: { path: { district, program } },
      body,
    });
    if (error || !data) {
      const err = readError(response.status, error);
      if (err.code !== "ABORTED") {
        const { at, rest } = fieldsOf(err, "program", programFields);
        setErrors(at);
        setFailure(failureText(err, rest));
      }
      return err;
    }
    sessionStorage.removeItem(draftKey);
    setRestored(false);
    await load();
    setDraft(draftOf(data));
    saved("프로그램을 저장했습니다.");
    return null;
  };
  const save = async () => {
    setSaving(true);
    const err = await send(info?.etag);
    setSaving(false);
    if (err?.code === "ABORTED") setConflict(true);
  };
  const reload = async () => {
    setConflict(false);
    sessionStorage.removeItem(draftKey);
    const fresh = await load();
    setDraft(fresh ? draftOf(fresh) : null);
    setRestored(false);
  };
  const keepMine = async () => {
    setConflict(false);
    setSaving(true);
    // The newest etag with this form: what the other person saved is replaced.
    const fresh = await load();
    const err = await send(fresh?.etag);
    setSaving(false);
    if (err?.code === "ABORTED") setConflict(true);
  };

  const base = programPath(district, program);
  const writer = canWrite(session?.roles ?? [], district);
  const d = info?.declared ?? {};
  const r = info?.recorded ?? {};
  return (
    <Stack>
      <ProgramCrumbs district={district} program={program} title={info?.title} />
      <Title order={1}>{info?.title ?? "참여 프로그램"}</Title>
      {error && <Alert color="red" title="프로그램을 불러오지 못했습니다">{error}</Alert>}
      {!info && !error && <Loader aria-label="불러오는 중" />}
      {info && (
        <>
          <Group>
            <Badge size="lg" variant="light">{kindLabels[(info.kind ?? "PROGRAM_KIND_UNSPECIFIED") as ProgramKind]}</Badge>
            <Badge size="lg">{programStatusLabels[(info.status ?? "PROGRAM_STATUS_UNSPECIFIED") as ProgramStatus]}</Badge>
            {info.term ? <Text size="sm">민선 {info.term}기</Text> : null}
            {(info.startDate || info.endDate) && <Text size="sm">{dateText(info.startDate) || "?"} ~ {dateText(info.endDate) || "?"}</Text>}
          </Group>
          {info.description && <Text>{info.description}</Text>}
          <Group>
            <Button component={Link} to={`${base}/members`} variant="light">구성원</Button>
            <Button component={Link} to={`${base}/submissions`} variant="light">제안·시상</Button>
            <Button component={Link} to={`${base}/results`} variant="light">평가·결과</Button>
          </Group>
          <SimpleGrid cols={{ base: 2, md: 4 }}>
            <Count label="구성원" declared={d.members} recorded={r.members} />
            <Count label="제안·신청" declared={d.applications} recorded={r.submissions} />
            <Count label="선정" declared={d.selected} recorded={r.selected} />
            <Count label="투표·응답" declared={d.participants} recorded={(r.ballots ?? 0) + (r.responses ?? 0)} />
          </SimpleGrid>
          <Stack gap={4}>
            <Text fw={700}>관련 공약</Text>
            {(info.pledges ?? []).length === 0 ? (
              <Text size="sm">연결된 공약이 없습니다.</Text>
            ) : (
              <List size="sm">
                {info.pledges!.map((p) => (
                  <List.Item key={p}>
                    <Anchor component={Link} to={`/districts/${district}/pledges/${idOf(p)}`}>{pledgeTitles[p] ?? idOf(p)}</Anchor>
                  </List.Item>
                ))}
              </List>
            )}
          </Stack>
        </>
      )}
      {info && draft && writer && (
        <Card withBorder aria-label="프로그램 고치기" component="section">
          <Stack>
            <Title order={2} size="h4">프로그램 고치기</Title>
            {restored && <Alert color="blue">저장하지 않은 내용을 다시 불러왔습니다.</Alert>}
            {failure && <Alert color="red" title="저장하지 못했습니다" role="alert">{failure}</Alert>}
            <ProgramForm district={district} draft={draft} onChange={change} errors={errors} saving={saving} submitLabel="저장" onSubmit={save} />
          </Stack>
        </Card>
      )}
      <ConflictDialog opened={conflict} what="이 프로그램을" onClose={() => setConflict(false)} onReload={reload} onKeepMine={keepMine} />
    </Stack>
  );
}
