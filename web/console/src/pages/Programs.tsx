// A district's participation programs (시민참여), all of them or those
// serving one pledge, and the page that adds one.
import { useEffect, useMemo, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { Alert, Anchor, Badge, Breadcrumbs, Button, Group, Loader, Select, Stack, Table, Text, Title } from "@mantine/core";
import { api, type Schemas } from "../api/client";
import { describe, readError } from "../api/errors";
import { useAuth } from "../auth";
import { idOf } from "../labels";
import { canWrite, fieldsOf, failureText, kindLabels, options, programStatusLabels, type ProgramKind, type ProgramStatus, saved } from "./participationParts";
import { draftOf, ProgramForm, programFields, programOf, type ProgramDraft } from "./ProgramForm";

/** The pledge a page is about (its title), when it is about one. */
function usePledge(district: string, pledge: string) {
  const [info, setInfo] = useState<Schemas["Pledge"] | null>(null);
  useEffect(() => {
    if (!pledge) return;
    api.GET("/v1/districts/{district}/pledges/{pledge}", { params: { path: { district, pledge } } }).then(({ data }) => setInfo(data ?? null));
  }, [district, pledge]);
  return info;
}

/** Where a program's pages are. */
export const programPath = (district: string, program: string) => `/districts/${district}/programs/${program}`;

export function Programs({ district }: { district: string }) {
  const { pledge = "" } = useParams();
  const { session } = useAuth();
  const info = usePledge(district, pledge);
  const [kind, setKind] = useState("");
  const [list, setList] = useState<Schemas["Program"][] | null>(null);
  const [error, setError] = useState("");

  useEffect(() => {
    setList(null);
    setError("");
    const filter = [pledge && `pledges:"districts/${district}/pledges/${pledge}"`, kind && `kind = ${kind}`].filter(Boolean).join(" AND ");
    api
      .GET("/v1/districts/{district}/programs", { params: { path: { district }, query: { pageSize: 500, filter: filter || undefined } } })
      .then(({ data, error, response }) => {
        if (error || !data) setError(describe(readError(response.status, error)));
        else setList(data.programs ?? []);
      });
  }, [district, pledge, kind]);

  const newPath = `/districts/${district}/programs/new${pledge ? `?pledge=${encodeURIComponent(pledge)}` : ""}`;
  return (
    <Stack>
      {pledge && (
        <Breadcrumbs>
          <Anchor component={Link} to={`/districts/${district}/pledges`}>공약 목록</Anchor>
          <Anchor component={Link} to={`/districts/${district}/pledges/${pledge}`}>{info?.title ?? pledge}</Anchor>
          <span>참여 프로그램</span>
        </Breadcrumbs>
      )}
      <Title order={1}>{pledge ? "이 공약의 참여 프로그램" : "시민참여 프로그램"}</Title>
      <Group align="end" wrap="wrap">
        <Select label="종류" placeholder="전체" clearable data={options(kindLabels)} value={kind || null} onChange={(v) => setKind(v ?? "")} w={200} />
        {canWrite(session?.roles ?? [], district) && <Button component={Link} to={newPath}>프로그램 추가</Button>}
      </Group>
      {error && <Alert color="red" title="목록을 불러오지 못했습니다">{error}</Alert>}
      {!list && !error && <Loader aria-label="불러오는 중" />}
      {list && list.length === 0 && <Text>프로그램이 없습니다.</Text>}
      {list && list.length > 0 && (
        <Table.ScrollContainer minWidth={0}>
          <Table striped highlightOnHover aria-label="참여 프로그램">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>제목</Table.Th>
                <Table.Th>종류</Table.Th>
                <Table.Th>상태</Table.Th>
                <Table.Th>기록</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((p) => (
                <Table.Tr key={p.name}>
                  <Table.Td>
                    <Anchor component={Link} to={programPath(district, idOf(p.name))}>{p.title}</Anchor>
                  </Table.Td>
                  <Table.Td>{kindLabels[(p.kind ?? "PROGRAM_KIND_UNSPECIFIED") as ProgramKind]}</Table.Td>
                  <Table.Td>
                    <Badge variant="light">{programStatusLabels[(p.status ?? "PROGRAM_STATUS_UNSPECIFIED") as ProgramStatus]}</Badge>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: "nowrap" }}>
                    구성원 {p.recorded?.members ?? 0} · 제안 {p.recorded?.submissions ?? 0}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

/** Adds a program; `?pledge=` names a pledge it serves from the start. */
export function NewProgram({ district }: { district: string }) {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const pledge = params.get("pledge") ?? "";
  const draftKey = `gongyak.program-draft.${district}.new`;
  const initial = useMemo<ProgramDraft>(
    () => JSON.parse(sessionStorage.getItem(draftKey) ?? "null") ?? draftOf(null, pledge ? [`districts/${district}/pledges/${pledge}`] : []),
    [draftKey, district, pledge],
  );
  const [draft, setDraft] = useState(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState("");
  const [saving, setSaving] = useState(false);
  // One id for the form's life: a second click adds it once.
  const [requestId] = useState(() => crypto.randomUUID());

  const change = (d: ProgramDraft) => {
    setDraft(d);
    sessionStorage.setItem(draftKey, JSON.stringify(d));
  };
  const save = async () => {
    const { program, local } = programOf(draft);
    setErrors(local);
    setFailure("");
    if (!program) return;
    setSaving(true);
    const { data, error, response } = await api.POST("/v1/districts/{district}/programs", {
      params: { path: { district }, query: { requestId } },
      body: program,
    });
    setSaving(false);
    if (error || !data) {
      const err = readError(response.status, error);
      const { at, rest } = fieldsOf(err, "program", programFields);
      setErrors(at);
      setFailure(failureText(err, rest));
      return;
    }
    sessionStorage.removeItem(draftKey);
    saved("프로그램을 추가했습니다.");
    navigate(programPath(district, idOf(data.name)));
  };

  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to={`/districts/${district}/programs`}>시민참여 프로그램</Anchor>
        <span>새 프로그램</span>
      </Breadcrumbs>
      <Title order={1}>프로그램 추가</Title>
      {failure && <Alert color="red" title="추가하지 못했습니다" role="alert">{failure}</Alert>}
      <ProgramForm district={district} draft={draft} onChange={change} errors={errors} saving={saving} submitLabel="추가" onSubmit={save} />
    </Stack>
  );
}
