// 내 계정: the signed-in user as the OpenID provider reports them — their
// name and the roles in its token — and what each role permits. The
// provider has no API to list other users, so this page shows only the
// signed-in one.
import { useEffect, useState } from "react";
import { Alert, Badge, Card, Group, List, Stack, Table, Text, Title } from "@mantine/core";
import { useAuth } from "../auth";
import { api } from "../api/client";
import { idOf } from "../labels";
import { readGrant, type ReadGrant } from "../roles";

/** The districts' Korean names by id, for where a grant holds. */
function useDistrictNames(): Record<string, string> {
  const [names, setNames] = useState<Record<string, string>>({});
  useEffect(() => {
    api.GET("/v1/districts", { params: { query: { pageSize: 500 } } }).then(({ data }) => {
      const out: Record<string, string> = {};
      for (const d of data?.districts ?? []) out[idOf(d.name)] = `${d.metropolitanGovernment ?? ""} ${d.displayName ?? ""}`.trim();
      setNames(out);
    });
  }, []);
  return names;
}

function where(g: ReadGrant, names: Record<string, string>): string {
  if (!g.district) return "모든 자치단체";
  const d = names[g.district] ?? g.district;
  return g.department ? `${d} · 부서 ${g.department}` : d;
}

export function Account() {
  const { session } = useAuth();
  const names = useDistrictNames();
  const grants = (session?.roles ?? []).map(readGrant);
  return (
    <Stack>
      <Title order={1}>내 계정과 권한</Title>
      <Card withBorder>
        <Table variant="vertical" layout="fixed" aria-label="로그인한 계정">
          <Table.Tbody>
            <Table.Tr>
              <Table.Th w={110}>이름</Table.Th>
              <Table.Td>{session?.name}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>아이디</Table.Th>
              <Table.Td style={{ wordBreak: "break-all" }}>{session?.subject}</Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
      </Card>
      <Text size="sm">
        역할은 로그인한 인증 기관(OpenID 제공자)이 토큰에 담아 준 그대로입니다. 역할을 바꾸려면 인증 기관의 관리자에게
        요청하세요. 인증 기관은 다른 사용자의 목록을 주지 않으므로 이 화면에는 내 계정만 나옵니다.
      </Text>
      <Title order={2} size="h3">내 역할</Title>
      {grants.length === 0 && <Alert color="yellow">받은 역할이 없습니다. 아무 자료도 볼 수 없습니다.</Alert>}
      {grants.map((g) => (
        <Card key={g.raw} withBorder component="section" aria-label={`역할 ${g.label}`}>
          <Stack gap="xs">
            <Group gap="xs" wrap="wrap">
              <Title order={3} size="h4">{g.label}</Title>
              <Badge variant="light" style={{ textTransform: "none", maxWidth: "100%" }}>{g.raw}</Badge>
            </Group>
            <Text size="sm">적용 범위: {where(g, names)}</Text>
            {g.note && <Text size="sm">{g.note}</Text>}
            {g.known ? (
              <List size="sm" spacing={4} aria-label={`${g.label}: 할 수 있는 일`}>
                {g.permits.map((p) => (
                  <List.Item key={p}>{p}</List.Item>
                ))}
              </List>
            ) : (
              <Alert color="yellow">이 화면이 모르는 역할입니다. 무엇을 할 수 있는지는 관리자에게 문의하세요.</Alert>
            )}
          </Stack>
        </Card>
      ))}
    </Stack>
  );
}
