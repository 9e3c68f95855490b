// A program's members: citizens' names, phones and e-mails as the API
// gives them (masked, 정*정, unless the user may see personal data, which
// the page says), a member added, a member changed with its etag. Personal
// data stays in the page's state: never in the address, the title, the
// tab's storage or the browser's console.
import { useCallback, useEffect, useState } from "react";
import { useParams } from "react-router";
import { Alert, Button, Card, Group, Loader, Modal, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { api, type Schemas } from "../api/client";
import { describe, readError, type ApiError } from "../api/errors";
import { useAuth } from "../auth";
import { idOf } from "../labels";
import {
  canWrite, dateOf, dateText, fieldsOf, failureText, options, roleLabels, seesPersonalData, saved, WideTable, type MemberRole,
} from "./participationParts";
import { ConflictDialog } from "../components/ConflictDialog";
import { ProgramCrumbs, useProgram } from "./ProgramPage";

type Member = Schemas["Member"];
const memberFields = ["person.name", "person.phone", "person.email", "person", "role", "affiliation", "join_date", "leave_date"];

interface MemberDraft {
  name: string;
  phone: string;
  email: string;
  role: string;
  affiliation: string;
  joined: string;
  left: string;
}

const emptyDraft: MemberDraft = { name: "", phone: "", email: "", role: "MEMBER_ROLE_CITIZEN", affiliation: "", joined: "", left: "" };

function draftOf(m: Member): MemberDraft {
  return {
    name: m.person?.name ?? "", phone: m.person?.phone ?? "", email: m.person?.email ?? "",
    role: m.role ?? "", affiliation: m.affiliation ?? "", joined: dateText(m.joinDate), left: dateText(m.leaveDate),
  };
}

/** The member a draft writes; without personal data when withPerson is
 *  false, so that the update leaves it as stored (the API refuses a
 *  masked value written back). */
function bodyOf(d: MemberDraft, withPerson: boolean, etag?: string) {
  const body: Partial<Member> = {
    role: d.role as MemberRole, affiliation: d.affiliation, joinDate: dateOf(d.joined), leaveDate: dateOf(d.left), etag,
  };
  if (withPerson) body.person = { name: d.name, phone: d.phone, email: d.email };
  return body as Member;
}

/** The fields of a member; the personal ones locked when the user may
 *  not see (so not change) them. */
function MemberFields({ draft, onChange, errors, personLocked }: {
  draft: MemberDraft;
  onChange: (d: MemberDraft) => void;
  errors: Record<string, string>;
  personLocked: boolean;
}) {
  const text = (key: keyof MemberDraft) => ({
    value: draft[key],
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => onChange({ ...draft, [key]: e.currentTarget.value }),
  });
  const locked = personLocked ? "개인정보 열람 권한이 있어야 고칠 수 있습니다." : undefined;
  return (
    <>
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <TextInput label="이름" {...text("name")} error={errors["person.name"] ?? errors.person} disabled={personLocked} description={locked} autoComplete="off" />
        <TextInput label="전화번호" placeholder="010-1234-5678" inputMode="tel" {...text("phone")} error={errors["person.phone"]} disabled={personLocked} autoComplete="off" />
        <TextInput label="전자우편" inputMode="email" {...text("email")} error={errors["person.email"]} disabled={personLocked} autoComplete="off" />
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <Select label="구분" data={options(roleLabels)} value={draft.role || null} onChange={(v) => onChange({ ...draft, role: v ?? "" })} error={errors.role} allowDeselect={false} />
        <TextInput label="소속" placeholder="시민행복위원회" {...text("affiliation")} error={errors.affiliation} />
        <TextInput type="date" label="참여 시작일" {...text("joined")} error={errors.join_date} />
        <TextInput type="date" label="참여 종료일" {...text("left")} error={errors.leave_date} />
      </SimpleGrid>
    </>
  );
}

export function ProgramMembers({ district }: { district: string }) {
  const { program = "" } = useParams();
  const { session } = useAuth();
  const roles = session?.roles ?? [];
  const unmasked = seesPersonalData(roles, district);
  const writer = canWrite(roles, district);
  const { info } = useProgram(district, program);
  const path = { district, program };
  const [members, setMembers] = useState<Member[] | null>(null);
  const [loadError, setLoadError] = useState("");

  const load = useCallback(async () => {
    const { data, error, response } = await api.GET("/v1/districts/{district}/programs/{program}/members", {
      params: { path: { district, program }, query: { pageSize: 500 } },
    });
    if (error || !data) setLoadError(describe(readError(response.status, error)));
    else {
      setLoadError("");
      setMembers(data.members ?? []);
    }
  }, [district, program]);
  useEffect(() => {
    load();
  }, [load]);

  // Adding.
  const [draft, setDraft] = useState<MemberDraft>(emptyDraft);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState("");
  const [saving, setSaving] = useState(false);
  const add = async (e: React.FormEvent) => {
    e.preventDefault();
    setSaving(true);
    const { data, error, response } = await api.POST("/v1/districts/{district}/programs/{program}/members", {
      params: { path },
      body: bodyOf(draft, true),
    });
    setSaving(false);
    if (error || !data) {
      const err = readError(response.status, error);
      const { at, rest } = fieldsOf(err, "member", memberFields);
      setErrors(at);
      setFailure(failureText(err, rest));
      return;
    }
    setErrors({});
    setFailure("");
    setDraft(emptyDraft);
    saved("구성원을 추가했습니다.");
    load();
  };

  // Changing one.
  const [editing, setEditing] = useState<Member | null>(null);
  const [editDraft, setEditDraft] = useState<MemberDraft>(emptyDraft);
  const [editErrors, setEditErrors] = useState<Record<string, string>>({});
  const [editFailure, setEditFailure] = useState("");
  const [conflict, setConflict] = useState(false);
  const open = (m: Member) => {
    setEditing(m);
    setEditDraft(draftOf(m));
    setEditErrors({});
    setEditFailure("");
  };
  const send = async (etag: string | undefined): Promise<ApiError | null> => {
    if (!editing) return null;
    const { data, error, response } = await api.PATCH("/v1/districts/{district}/programs/{program}/members/{member}", {
      params: { path: { ...path, member: idOf(editing.name) } },
      body: bodyOf(editDraft, unmasked, etag),
    });
    if (error || !data) {
      const err = readError(response.status, error);
      if (err.code !== "ABORTED") {
        const { at, rest } = fieldsOf(err, "member", memberFields);
        setEditErrors(at);
        setEditFailure(failureText(err, rest));
      }
      return err;
    }
    setEditing(null);
    saved("구성원 정보를 저장했습니다.");
    load();
    return null;
  };
  const saveEdit = async (e: React.FormEvent) => {
    e.preventDefault();
    setSaving(true);
    const err = await send(editing?.etag);
    setSaving(false);
    if (err?.code === "ABORTED") setConflict(true);
  };
  const reload = async () => {
    setConflict(false);
    if (!editing) return;
    const { data } = await api.GET("/v1/districts/{district}/programs/{program}/members/{member}", { params: { path: { ...path, member: idOf(editing.name) } } });
    if (data) open(data);
    load();
  };
  const keepMine = async () => {
    setConflict(false);
    if (!editing) return;
    const { data } = await api.GET("/v1/districts/{district}/programs/{program}/members/{member}", { params: { path: { ...path, member: idOf(editing.name) } } });
    setSaving(true);
    const err = await send(data?.etag);
    setSaving(false);
    if (err?.code === "ABORTED") setConflict(true);
  };

  return (
    <Stack>
      <ProgramCrumbs district={district} program={program} title={info?.title} here="구성원" />
      <Title order={1}>구성원</Title>
      {unmasked ? (
        <Alert color="orange" title="개인정보가 그대로 보입니다">
          개인정보 취급 권한(personal-data)이 있어 이름·전화번호·전자우편을 가리지 않고 보여 줍니다. 이 열람은 감사 기록에 남습니다.
        </Alert>
      ) : (
        <Alert color="blue" title="개인정보는 가려서 보입니다">
          이름·전화번호·전자우편은 개인정보 취급 권한(personal-data)이 있는 사람에게만 그대로 보이고, 다른 사람에게는 정*정, 010-****-1234처럼 가려집니다.
        </Alert>
      )}
      {loadError && <Alert color="red" title="구성원을 불러오지 못했습니다">{loadError}</Alert>}
      {!members && !loadError && <Loader aria-label="불러오는 중" />}
      {members && members.length === 0 && <Text>기록된 구성원이 없습니다.</Text>}
      {members && members.length > 0 && (
        <WideTable label="구성원 목록">
          <Table striped aria-label="구성원 목록">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>이름</Table.Th>
                <Table.Th>구분</Table.Th>
                <Table.Th>소속</Table.Th>
                <Table.Th>전화번호</Table.Th>
                <Table.Th>전자우편</Table.Th>
                <Table.Th>참여 기간</Table.Th>
                {writer && <Table.Th>고치기</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {members.map((m, i) => (
                <Table.Tr key={m.name}>
                  <Table.Td>{m.person?.name}</Table.Td>
                  <Table.Td>{roleLabels[(m.role ?? "MEMBER_ROLE_UNSPECIFIED") as MemberRole]}</Table.Td>
                  <Table.Td>{m.affiliation}</Table.Td>
                  <Table.Td style={{ whiteSpace: "nowrap" }}>{m.person?.phone}</Table.Td>
                  <Table.Td>{m.person?.email}</Table.Td>
                  <Table.Td style={{ whiteSpace: "nowrap" }}>{dateText(m.joinDate)}{m.leaveDate ? ` ~ ${dateText(m.leaveDate)}` : ""}</Table.Td>
                  {writer && (
                    <Table.Td>
                      {/* Named by its row, not by the person: a screen reader's list of buttons is no place for personal data either. */}
                      <Button size="xs" variant="default" onClick={() => open(m)} aria-label={`${i + 1}번째 구성원 고치기`}>고치기</Button>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </WideTable>
      )}
      {/* One member's form at a time: the same labels twice would be two fields of one name. */}
      {writer && !editing && (
        <Card withBorder component="form" onSubmit={add} aria-label="구성원 추가">
          <Stack>
            <Title order={2} size="h4">구성원 추가</Title>
            <MemberFields draft={draft} onChange={setDraft} errors={errors} personLocked={false} />
            {failure && <Alert color="red" role="alert">{failure}</Alert>}
            <Button type="submit" loading={saving} w="fit-content">추가</Button>
          </Stack>
        </Card>
      )}
      <Modal opened={editing !== null && !conflict} onClose={() => setEditing(null)} title="구성원 고치기" size="lg">
        <Stack component="form" onSubmit={saveEdit}>
          {!unmasked && <Text size="sm">이름·전화번호·전자우편은 가려져 있어 여기서 고칠 수 없습니다.</Text>}
          <MemberFields draft={editDraft} onChange={setEditDraft} errors={editErrors} personLocked={!unmasked} />
          {editFailure && <Alert color="red" role="alert">{editFailure}</Alert>}
          <Group>
            <Button type="submit" loading={saving}>저장</Button>
            <Button variant="default" onClick={() => setEditing(null)}>닫기</Button>
          </Group>
        </Stack>
      </Modal>
      <ConflictDialog opened={conflict} what="이 구성원을" onClose={() => setConflict(false)} onReload={reload} onKeepMine={keepMine} />
    </Stack>
  );
}
