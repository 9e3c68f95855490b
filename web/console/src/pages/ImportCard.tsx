// Importing a card exported to text: read first without writing (the
// line-by-line report), then written.
import { useEffect, useState } from "react";
import { Link } from "react-router";
import { Alert, Anchor, Button, Card, FileInput, Group, List, Select, Stack, Table, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { api, type Schemas } from "../api/client";
import { termOptions, useTerms } from "../terms";
import { describe, readError } from "../api/errors";
import { idOf } from "../labels";

type Result = Schemas["ImportPledgeCardResponse"];

export function ImportCard({ district }: { district: string }) {
  const [file, setFile] = useState<File | null>(null);
  const [text, setText] = useState("");
  const terms = useTerms(district);
  const [term, setTerm] = useState<string | null>(null);
  const [preview, setPreview] = useState<Result | null>(null);
  const [written, setWritten] = useState<Result | null>(null);
  const [failure, setFailure] = useState("");
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setPreview(null);
    setWritten(null);
    setFailure("");
    if (file) file.text().then(setText);
    else setText("");
  }, [file, term]);

  const send = async (validateOnly: boolean) => {
    setBusy(true);
    setFailure("");
    const { data, error, response } = await api.POST("/v1/districts/{district}/pledges:import", {
      params: { path: { district } },
      body: { cardText: text, term: term ? Number(term) : undefined, validateOnly, requestId: crypto.randomUUID() },
    });
    setBusy(false);
    if (error || !data) {
      const err = readError(response.status, error);
      const fields = Object.entries(err.fields).map(([f, why]) => `${f}: ${why}`);
      setFailure([describe(err), err.message, ...fields].filter(Boolean).join(" "));
      return;
    }
    if (validateOnly) setPreview(data);
    else {
      setWritten(data);
      notifications.show({ message: "카드를 가져왔습니다.", color: "teal" });
    }
  };

  const report = written ?? preview;
  return (
    <Stack>
      <Title order={1}>카드 가져오기</Title>
      <Text>텍스트로 내보낸 공약 이행 카드를 올리면, 먼저 쓰지 않고 읽어 본 결과를 보여 줍니다.</Text>
      <Group align="end" wrap="wrap">
        <FileInput label="카드 파일 (.txt)" placeholder="파일 선택" accept=".txt,text/plain" value={file} onChange={setFile} clearable style={{ flex: "1 1 220px" }} />
        <Select
          label="민선 기수"
          placeholder="카드의 연도로"
          clearable
          data={termOptions(terms)}
          value={term}
          onChange={setTerm}
          w={160}
        />
      </Group>
      <Group>
        <Button onClick={() => send(true)} disabled={!text} loading={busy && !preview}>미리 보기</Button>
        <Button onClick={() => send(false)} disabled={!preview || !!written} loading={busy && !!preview} color="teal">가져오기</Button>
      </Group>
      {failure && <Alert color="red" title="가져오지 못했습니다" role="alert">{failure}</Alert>}
      {report && (
        <Card withBorder aria-label={written ? "가져온 결과" : "미리 보기 결과"} role="region">
          <Stack gap="xs">
            <Title order={2} size="h4">{written ? "가져왔습니다" : "미리 보기 (아직 쓰지 않았습니다)"}</Title>
            <Text>
              공약: {report.pledge?.code} {report.pledge?.title} ({report.created ? "새로 만듦" : "있던 공약 갱신"}
              {report.pledge?.term ? `, 민선 ${report.pledge.term}기` : ""})
            </Text>
            <Text size="sm">
              예산 {report.budgetLines ?? 0}줄 · 성과지표 {report.indicators ?? 0}개 · 주민참여 사업 {report.programs ?? 0}개 · 제안 {report.submissions ?? 0}건 · 새 부서 {report.departmentsCreated ?? 0}개
            </Text>
            {written && report.pledge?.name && (
              <Anchor component={Link} to={`/districts/${district}/pledges/${idOf(report.pledge.name)}`}>가져온 카드 보기</Anchor>
            )}
            {(report.keptFields ?? []).length > 0 && (
              <>
                <Text fw={700}>카드에서 읽지 못해 저장된 값을 그대로 둔 항목</Text>
                <List size="sm">
                  {report.keptFields!.map((k) => (
                    <List.Item key={k.field}>{k.field}: {k.reason}</List.Item>
                  ))}
                </List>
              </>
            )}
            <Text fw={700}>줄별 경고 {report.warnings?.length ?? 0}건</Text>
            {(report.warnings ?? []).length > 0 && (
              <Table.ScrollContainer minWidth={0}>
                <Table aria-label="줄별 경고">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>줄</Table.Th>
                      <Table.Th>내용</Table.Th>
                      <Table.Th>경고</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {report.warnings!.map((w, i) => (
                      <Table.Tr key={i}>
                        <Table.Td>{w.line}</Table.Td>
                        <Table.Td>{w.text}</Table.Td>
                        <Table.Td>{w.message}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
          </Stack>
        </Card>
      )}
    </Stack>
  );
}
