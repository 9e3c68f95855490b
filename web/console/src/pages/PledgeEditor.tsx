// Every section of a pledge's card that lives on the pledge, in one form:
// saved with the pledge's etag and only what changed (the body holds the
// changed fields; the gateway's update mask is made of them), the API's
// field errors shown at their fields, a conflict explained (reload or keep
// mine), and the draft kept in the tab while the session is renewed.
import { useCallback, useEffect, useMemo, useState } from "react";
import { Link, useParams } from "react-router";
import { Alert, Anchor, Breadcrumbs, Button, Card, Group, Loader, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { api, type Schemas } from "../api/client";
import { describe, readError } from "../api/errors";
import { ConflictDialog } from "../components/ConflictDialog";
import { dropDraft, keepDraft, takeDraft } from "../components/draft";
import { changes, formOf, localErrors, pledgeOf, type PledgeForm } from "./pledgeForm";
import { BasicsSection, BudgetSection, ContentSection, PlansSection, errorsFor, unshownErrors } from "./PledgeSections";

export function PledgeEditor({ district }: { district: string }) {
  const { pledge = "" } = useParams();
  const path = useMemo(() => ({ district, pledge }), [district, pledge]);
  const draftKey = `gongyak.pledge-draft.${district}.${pledge}`;
  const [original, setOriginal] = useState<Schemas["Pledge"] | null>(null);
  const [form, setForm] = useState<PledgeForm | null>(null);
  const [departments, setDepartments] = useState<Schemas["Department"][]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState("");
  const [loadFailure, setLoadFailure] = useState("");
  const [restored, setRestored] = useState(false);
  const [conflict, setConflict] = useState(false);
  const [saving, setSaving] = useState(false);

  /** Reads the pledge; takes the tab's draft when it was made from it. */
  const load = useCallback(async () => {
    setErrors({});
    setFailure("");
    const { data, error, response } = await api.GET("/v1/districts/{district}/pledges/{pledge}", { params: { path } });
    if (error || !data) {
      setLoadFailure(describe(readError(response.status, error)));
      return;
    }
    setOriginal(data);
    const draft = takeDraft<PledgeForm>(draftKey, data.etag ?? "");
    setForm(draft ?? formOf(data));
    setRestored(draft !== null);
  }, [path, draftKey]);
  useEffect(() => {
    load();
    api.GET("/v1/districts/{district}/departments", { params: { path: { district }, query: { pageSize: 500 } } }).then(({ data }) =>
      setDepartments(data?.departments ?? []),
    );
  }, [load, district]);

  const edit = (next: PledgeForm) => {
    setForm(next);
    if (original) keepDraft(draftKey, original.etag ?? "", next);
  };

  /** What the form changed of the pledge as it was read. */
  const changed = useMemo(() => {
    if (!original || !form) return undefined;
    return changes(pledgeOf(formOf(original)), pledgeOf(form)) as Partial<Schemas["Pledge"]> | undefined;
  }, [original, form]);

  const showErrors = (fields: Record<string, string>, summary: string) => {
    setErrors(fields);
    const elsewhere = unshownErrors(fields);
    setFailure([summary, ...elsewhere.map(([f, why]) => `${f}: ${why}`)].join(" "));
    // The first field marked wrong, for the keyboard and the eye.
    requestAnimationFrame(() => document.querySelector<HTMLElement>("[aria-invalid=true]")?.focus());
  };

  /** Sends what changed with etag; says whether the pledge was saved, or "conflict". */
  const send = async (etag: string): Promise<boolean | "conflict"> => {
    if (!form || !changed) return false;
    const local = localErrors(form);
    if (Object.keys(local).length) {
      showErrors(local, "숫자가 들어갈 곳에 다른 글자가 있습니다.");
      return false;
    }
    // The generated type asks for a title, which a PATCH needs only when it changes it.
    const body = { ...changed, etag } as Schemas["Pledge"];
    const { data, error, response } = await api.PATCH("/v1/districts/{district}/pledges/{pledge}", { params: { path }, body });
    if (error || !data) {
      const err = readError(response.status, error);
      if (err.code === "ABORTED") return "conflict";
      showErrors(err.fields, describe(err));
      return false;
    }
    setOriginal(data);
    setForm(formOf(data));
    setErrors({});
    setFailure("");
    setRestored(false);
    dropDraft(draftKey);
    notifications.show({ message: "공약을 저장했습니다.", color: "teal" });
    return true;
  };

  const save = async () => {
    if (!original) return;
    if (!changed) {
      setFailure("");
      notifications.show({ message: "바뀐 내용이 없습니다.", color: "gray" });
      return;
    }
    setSaving(true);
    const r = await send(original.etag ?? "");
    setSaving(false);
    if (r === "conflict") setConflict(true);
  };
  const reload = async () => {
    setConflict(false);
    dropDraft(draftKey);
    await load();
  };
  const keepMine = async () => {
    setConflict(false);
    setSaving(true);
    // The newest etag with the fields this form changed: the other
    // person's changes to other fields stay.
    const { data } = await api.GET("/v1/districts/{district}/pledges/{pledge}", { params: { path } });
    const r = await send(data?.etag ?? original?.etag ?? "");
    setSaving(false);
    if (r === "conflict") setConflict(true);
  };

  const at = errorsFor(errors);
  const base = `/districts/${district}/pledges/${pledge}`;
  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to={`/districts/${district}/pledges`}>공약 목록</Anchor>
        <Anchor component={Link} to={base}>{original?.title ?? pledge}</Anchor>
        <span>편집</span>
      </Breadcrumbs>
      <Title order={1}>공약 편집</Title>
      {loadFailure && <Alert color="red" title="공약을 불러오지 못했습니다" role="alert">{loadFailure}</Alert>}
      {!form && !loadFailure && <Loader aria-label="불러오는 중" />}
      {restored && <Alert color="blue">저장하지 않은 내용을 다시 불러왔습니다.</Alert>}
      {form && (
        <>
          <Text size="sm">
            예산, 추진상황, 성과지표, 상태는 각각의 화면에서 고칩니다. 목록의 항목은 위로·아래로·삭제 단추로 옮기고 지웁니다.
          </Text>
          <BasicsSection form={form} edit={edit} at={at} departments={departments} />
          <BudgetSection form={form} edit={edit} at={at} />
          <ContentSection form={form} edit={edit} at={at} />
          <PlansSection form={form} edit={edit} at={at} />
          <Card withBorder pos="sticky" bottom={0} style={{ zIndex: 2 }} p="sm">
            <Stack gap="xs">
              {failure && <Alert color="red" title="저장하지 못했습니다" role="alert">{failure}</Alert>}
              <Group>
                <Button onClick={save} loading={saving}>저장</Button>
                <Button component={Link} to={base} variant="default">카드 보기</Button>
                <Text size="sm" aria-live="polite">{changed ? `고친 항목: ${Object.keys(changed).length}개` : "고친 내용 없음"}</Text>
              </Group>
            </Stack>
          </Card>
        </>
      )}
      <ConflictDialog
        opened={conflict}
        what="이 공약을"
        detail="내 것으로 저장하면 내가 고친 항목만 내 내용으로 바뀌고, 내가 고치지 않은 항목은 다른 사람이 저장한 대로 남습니다."
        onClose={() => setConflict(false)}
        onReload={reload}
        onKeepMine={keepMine}
      />
    </Stack>
  );
}
