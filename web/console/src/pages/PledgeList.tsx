// A district's pledges: filtered by status and term, searched in Korean,
// a page at a time.
import { useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { Alert, Anchor, Badge, Button, Group, Loader, Select, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { api, type Schemas } from "../api/client";
import { termOptions, useTerms } from "../terms";
import { describe, readError } from "../api/errors";
import { idOf, statusLabels, type PledgeStatus } from "../labels";

const pageSize = 20;

export function PledgeList({ district }: { district: string }) {
  const [params, setParams] = useSearchParams();
  const status = params.get("status") ?? "";
  const term = params.get("term") ?? "";
  const [query, setQuery] = useState(params.get("q") ?? "");
  const [debounced] = useDebouncedValue(query, 300);
  // Page tokens of the pages before this one, to go back.
  const [tokens, setTokens] = useState<string[]>([""]);
  const [result, setResult] = useState<Schemas["ListPledgesResponse"] | null>(null);
  const [error, setError] = useState("");
  const terms = useTerms(district);


  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  useEffect(() => set("q", debounced), [debounced]); // eslint-disable-line react-hooks/exhaustive-deps
  // A new search starts at its first page.
  useEffect(() => setTokens([""]), [district, status, term, debounced]);

  const token = tokens[tokens.length - 1];
  useEffect(() => {
    const filter = [status && `status = ${status}`, term && `term = ${term}`].filter(Boolean).join(" AND ");
    setResult(null);
    setError("");
    api
      .GET("/v1/districts/{district}/pledges", {
        params: {
          path: { district },
          query: { pageSize, pageToken: token || undefined, filter: filter || undefined, query: debounced || undefined, orderBy: debounced ? undefined : "code" },
        },
      })
      .then(({ data, error, response }) => {
        if (error || !data) setError(describe(readError(response.status, error)));
        else setResult(data);
      });
  }, [district, status, term, debounced, token]);

  return (
    <Stack>
      <Title order={1}>공약 목록</Title>
      <Group align="end" wrap="wrap">
        <TextInput
          label="검색"
          placeholder="제목, 번호, 최종 목표"
          value={query}
          onChange={(e) => setQuery(e.currentTarget.value)}
          style={{ flex: "1 1 200px" }}
        />
        <Select
          label="추진 상태"
          placeholder="전체"
          clearable
          data={Object.entries(statusLabels).map(([value, label]) => ({ value, label }))}
          value={status || null}
          onChange={(v) => set("status", v ?? "")}
          w={170}
        />
        <Select
          label="민선 기수"
          placeholder="전체"
          clearable
          data={termOptions(terms)}
          value={term || null}
          onChange={(v) => set("term", v ?? "")}
          w={130}
        />
      </Group>
      {error && <Alert color="red" title="목록을 불러오지 못했습니다">{error}</Alert>}
      {!result && !error && <Loader aria-label="불러오는 중" />}
      {result && (
        <>
          <Text size="sm" aria-live="polite">{result.totalSize ?? result.pledges?.length ?? 0}건</Text>
          <Table.ScrollContainer minWidth={0}>
            <Table striped highlightOnHover aria-label="공약">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>번호</Table.Th>
                  <Table.Th>제목</Table.Th>
                  <Table.Th>상태</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {(result.pledges ?? []).map((p) => (
                  <Table.Tr key={p.name}>
                    <Table.Td>{p.code}</Table.Td>
                    <Table.Td>
                      <Anchor component={Link} to={`/districts/${district}/pledges/${idOf(p.name)}`}>{p.title}</Anchor>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light">{statusLabels[(p.status ?? "PLEDGE_STATUS_UNSPECIFIED") as PledgeStatus]}</Badge>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {/* The API leaves out an empty list. */}
          {(result.pledges ?? []).length === 0 && <Text>조건에 맞는 공약이 없습니다.</Text>}
          <Group>
            <Button variant="default" disabled={tokens.length <= 1} onClick={() => setTokens(tokens.slice(0, -1))}>이전 쪽</Button>
            <Text size="sm">{tokens.length}쪽</Text>
            <Button variant="default" disabled={!result.nextPageToken} onClick={() => setTokens([...tokens, result.nextPageToken!])}>다음 쪽</Button>
          </Group>
        </>
      )}
    </Stack>
  );
}
