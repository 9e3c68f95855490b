// A district's API keys: the list (revoked ones included), a new key with
// its secret shown once, and revoking one after a confirmation. The secret
// lives in this page's state while its dialog is open and nowhere else: it
// is never written to any storage, and closing the dialog drops it.
import { useCallback, useEffect, useState } from "react";
import {
  Alert, Badge, Button, Card, Checkbox, Code, CopyButton, Group, Loader, Modal, SimpleGrid, Stack, Text, TextInput, Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { api, type Schemas } from "../api/client";
import { describe, readError } from "../api/errors";
import { idOf } from "../labels";
import described from "../roles.json";

type ApiKey = Schemas["ApiKey"];

const scopeLabels = described.scopes as Record<string, string>;

function when(t: string | undefined): string {
  return t ? new Date(t).toLocaleString("ko-KR", { dateStyle: "medium", timeStyle: "short" }) : "";
}

/** The form's fields, as the API names them in its field errors. */
const fieldOf: Record<string, string> = {
  "api_key.display_name": "displayName",
  "api_key.scopes": "scopes",
  "api_key.expire_time": "expire",
  api_key_id: "id",
};

/** Maps the API's field errors onto the form's fields; the rest are
 *  returned apart. */
function atFields(fields: Record<string, string>): { at: Record<string, string>; rest: string[] } {
  const at: Record<string, string> = {};
  const rest: string[] = [];
  for (const [f, why] of Object.entries(fields)) {
    const key = fieldOf[f.replace(/\[\d+\]$/, "")];
    if (key) at[key] = at[key] ? `${at[key]} ${why}` : why;
    else rest.push(`${f}: ${why}`);
  }
  return { at, rest };
}

export function ApiKeys({ district }: { district: string }) {
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [loadError, setLoadError] = useState("");
  const [next, setNext] = useState("");

  const [displayName, setDisplayName] = useState("");
  const [scopes, setScopes] = useState<string[]>([]);
  const [id, setId] = useState("");
  const [expire, setExpire] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState("");
  const [creating, setCreating] = useState(false);

  const [created, setCreated] = useState<{ key: ApiKey; secret: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [revokeError, setRevokeError] = useState("");
  const [revokeBusy, setRevokeBusy] = useState(false);

  const load = useCallback(
    async (pageToken = "") => {
      const { data, error, response } = await api.GET("/v1/districts/{district}/apiKeys", {
        params: { path: { district }, query: { pageSize: 100, pageToken: pageToken || undefined } },
      });
      if (error || !data) {
        setLoadError(describe(readError(response.status, error)));
        return;
      }
      setLoadError("");
      setKeys((old) => (pageToken ? [...(old ?? []), ...(data.apiKeys ?? [])] : (data.apiKeys ?? [])));
      setNext(data.nextPageToken ?? "");
    },
    [district],
  );
  useEffect(() => {
    setKeys(null);
    load();
  }, [load]);

  const create = async (e: React.FormEvent) => {
    e.preventDefault();
    setCreating(true);
    const { data, error, response } = await api.POST("/v1/districts/{district}/apiKeys", {
      params: { path: { district }, query: { apiKeyId: id.trim() || undefined } },
      // The day chosen is the last the key works, to its end in Korea.
      body: { displayName, scopes, expireTime: expire ? new Date(`${expire}T23:59:59+09:00`).toISOString() : undefined },
    });
    setCreating(false);
    if (error || !data?.secret) {
      const err = readError(response.status, error);
      const { at, rest } = atFields(err.fields);
      setErrors(at);
      setFailure([describe(err), ...rest].join(" "));
      return;
    }
    setErrors({});
    setFailure("");
    setDisplayName("");
    setScopes([]);
    setId("");
    setExpire("");
    setCreated({ key: data.apiKey ?? { displayName, scopes }, secret: data.secret });
    load();
  };

  const revoke = async () => {
    if (!revoking) return;
    setRevokeBusy(true);
    const { error, response } = await api.POST("/v1/districts/{district}/apiKeys/{apiKey}:revoke", {
      params: { path: { district, apiKey: idOf(revoking.name) } },
      body: {},
    });
    setRevokeBusy(false);
    if (error) {
      setRevokeError(describe(readError(response.status, error)));
      return;
    }
    notifications.show({
      message: `키 '${revoking.displayName}'을(를) 폐기했습니다.`,
      color: "teal",
      closeButtonProps: { "aria-label": "알림 닫기" },
    });
    setRevoking(null);
    load();
  };

  return (
    <Stack>
      <Title order={1}>API 키</Title>
      <Text>
        다른 시스템(시민참여 포털, 재정 시스템 등)이 이 자치단체의 자료를 부를 때 쓰는 키입니다. 키의 비밀값은 만들 때 한 번만
        보여 드리고, 공약 관리에는 그 해시만 남습니다.
      </Text>

      <Card withBorder component="form" onSubmit={create} aria-label="새 API 키 만들기" noValidate>
        <Stack>
          <Title order={2} size="h3">새 키 만들기</Title>
          <TextInput label="이름" description="무엇에 쓰는 키인지 (예: 시민참여 포털)" value={displayName}
            onChange={(e) => setDisplayName(e.currentTarget.value)} error={errors.displayName} />
          <Checkbox.Group label="권한 범위" description="이 키로 할 수 있는 일을 고르세요." value={scopes} onChange={setScopes} error={errors.scopes}>
            <SimpleGrid cols={{ base: 1, sm: 2 }} mt="xs" spacing="xs">
              {Object.entries(scopeLabels).map(([s, label]) => (
                <Checkbox key={s} value={s} label={label} />
              ))}
            </SimpleGrid>
          </Checkbox.Group>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label="키 아이디 (선택)" description="영문 소문자, 숫자, 하이픈. 비우면 자동으로 정합니다." value={id}
              onChange={(e) => setId(e.currentTarget.value)} error={errors.id} />
            <TextInput type="date" label="만료일 (선택)" description="이날이 끝나면 키가 멈춥니다. 비우면 만료되지 않습니다." value={expire}
              onChange={(e) => setExpire(e.currentTarget.value)} error={errors.expire} />
          </SimpleGrid>
          {failure && <Alert color="red" role="alert">{failure}</Alert>}
          <Group>
            <Button type="submit" loading={creating}>키 만들기</Button>
          </Group>
        </Stack>
      </Card>

      <Title order={2} size="h3">키 목록</Title>
      {loadError && <Alert color="red" role="alert" title="키 목록을 불러오지 못했습니다">{loadError}</Alert>}
      {!keys && !loadError && <Loader aria-label="불러오는 중" />}
      {keys && keys.length === 0 && <Text>만든 키가 없습니다.</Text>}
      {keys && keys.length > 0 && (
        <Stack gap="sm" component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }} aria-label="API 키 목록">
          {keys.map((k) => (
            <Card key={k.name} withBorder component="li" padding="sm">
              <Stack gap={6}>
                <Group justify="space-between" wrap="wrap" gap="xs">
                  <Text fw={700} style={{ wordBreak: "break-word" }}>{k.displayName}</Text>
                  <Text size="sm" fw={700} c={k.revokeTime ? "dimmed" : undefined}>{k.revokeTime ? "폐기됨" : "사용 중"}</Text>
                </Group>
                <Text size="sm" style={{ wordBreak: "break-all" }}>키 아이디: {idOf(k.name)}</Text>
                <Group gap={4} wrap="wrap">
                  {k.scopes.map((s) => (
                    <Badge key={s} variant="light" style={{ textTransform: "none", maxWidth: "100%" }} title={scopeLabels[s]}>{s}</Badge>
                  ))}
                </Group>
                <Text size="sm" c="dimmed" style={{ wordBreak: "break-all" }}>
                  {when(k.createTime)} · {k.creator}
                  {k.expireTime && ` · 만료 ${when(k.expireTime)}`}
                  {k.revokeTime && ` · 폐기 ${when(k.revokeTime)}`}
                </Text>
                {!k.revokeTime && (
                  <Group>
                    <Button size="xs" color="red" variant="light" aria-label={`폐기: ${k.displayName}`}
                      onClick={() => { setRevokeError(""); setRevoking(k); }}>
                      폐기
                    </Button>
                  </Group>
                )}
              </Stack>
            </Card>
          ))}
        </Stack>
      )}
      {next && <Button variant="default" onClick={() => load(next)}>더 보기</Button>}

      <Modal opened={created !== null} onClose={() => setCreated(null)} title="새 키의 비밀값" closeOnClickOutside={false} closeOnEscape={false}
        closeButtonProps={{ "aria-label": "닫기" }}>
        {created && (
          <Stack>
            {/* The title in the alert's body: a yellow alert's title is
                too pale on its ground (axe: color-contrast). */}
            <Alert color="yellow">
              <Text fw={700} mb={4}>지금 한 번만 보여 드립니다</Text>
              이 창을 닫으면 비밀값을 다시 볼 수 없습니다. 지금 복사해서 키를 쓸 시스템에 넣거나 안전한 곳에 보관하세요. 잃어버리면 키를 폐기하고 새로 만드세요.
            </Alert>
            <Text size="sm">키 &apos;{created.key.displayName}&apos; ({idOf(created.key.name)})의 비밀값:</Text>
            <Code block aria-label="비밀값" style={{ wordBreak: "break-all", whiteSpace: "pre-wrap" }}>{created.secret}</Code>
            <Text size="sm">요청 머리에 <Code>Authorization: Bearer 비밀값</Code>으로 보내세요.</Text>
            <Group justify="space-between">
              <CopyButton value={created.secret} timeout={3000}>
                {({ copied, copy }) => (
                  <Button variant="light" onClick={copy} aria-live="polite">{copied ? "복사했습니다" : "비밀값 복사"}</Button>
                )}
              </CopyButton>
              <Button onClick={() => setCreated(null)}>보관했습니다, 닫기</Button>
            </Group>
          </Stack>
        )}
      </Modal>

      <Modal opened={revoking !== null} onClose={() => setRevoking(null)} title="키를 폐기할까요?" closeButtonProps={{ "aria-label": "닫기" }}>
        {revoking && (
          <Stack>
            <Text>
              키 &apos;{revoking.displayName}&apos;({idOf(revoking.name)})을(를) 폐기하면 이 키로 부르는 시스템은 곧바로 거절됩니다 (다른
              서비스에서는 30초 안에). 되돌릴 수 없습니다.
            </Text>
            {revokeError && <Alert color="red" role="alert">{revokeError}</Alert>}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setRevoking(null)}>취소</Button>
              <Button color="red" onClick={revoke} loading={revokeBusy}>폐기하기</Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}
