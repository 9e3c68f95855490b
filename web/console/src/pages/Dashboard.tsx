// A district's dashboard: its implementation report for a term, drawn, and
// the report's files to take away.
import { useEffect, useState } from "react";
import { Alert, Card, Group, Loader, Select, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { BarChart } from "@mantine/charts";
import { api, type Schemas } from "../api/client";
import { termOptions, useOpeningTerm, useTerms } from "../terms";
import { Exports } from "./Exports";
import { readError, describe } from "../api/errors";
import { millionWon, percent } from "../labels";

type Report = Schemas["ImplementationReport"];

const statusBars: { key: keyof Schemas["StatusCounts"]; label: string; color: string }[] = [
  { key: "completed", label: "완료", color: "teal.6" },
  { key: "completedContinuing", label: "이행 후 계속추진", color: "green.6" },
  { key: "onTrack", label: "정상추진", color: "blue.6" },
  { key: "partial", label: "일부추진", color: "yellow.6" },
  { key: "onHold", label: "보류", color: "orange.6" },
  { key: "abandoned", label: "폐기", color: "red.6" },
  { key: "unspecified", label: "미지정", color: "gray.6" },
];

function Figure({ label, value, note }: { label: string; value: string; note?: string }) {
  return (
    <Card withBorder padding="sm" role="group" aria-label={label}>
      <Text size="sm" c="dimmed">{label}</Text>
      <Text size="xl" fw={700}>{value}</Text>
      {note && <Text size="xs" c="dimmed">{note}</Text>}
    </Card>
  );
}

function Unavailable({ section, what }: { section?: Schemas["Section"]; what: string }) {
  if (section?.state !== "SECTION_STATE_UNAVAILABLE") return null;
  return <Alert color="yellow">{what} 정보를 지금 가져올 수 없습니다.</Alert>;
}

export function Dashboard({ district, displayName }: { district: string; displayName?: string }) {
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState("");
  const terms = useTerms(district);
  const opening = useOpeningTerm(district);
  // null: the term the district opens on (0 is its current term).
  const [chosen, setChosen] = useState<number | null>(null);
  useEffect(() => {
    setChosen(null);
  }, [district]);
  const term = chosen ?? opening;
  useEffect(() => {
    if (term === null) return;
    setReport(null);
    setError("");
    api
      .GET("/v1/districts/{district}/implementationReport", { params: { path: { district }, query: { term: term || undefined } } })
      .then(({ data, error, response }) => {
        if (error || !data) setError(describe(readError(response.status, error)));
        else setReport(data);
      });
  }, [district, term]);

  if (error) return <Alert color="red" title="현황을 불러오지 못했습니다">{error}</Alert>;
  if (!report) return <Loader aria-label="불러오는 중" />;
  const total = report.total ?? {};
  const statuses = total.statuses ?? {};
  const money = total.moneyTotal?.amounts ?? {};
  const indicators = total.indicators ?? {};
  const statusData = statusBars.map((b) => ({ status: b.label, 공약: statuses[b.key] ?? 0 }));
  // proto3 JSON leaves zero out: nothing secured is 0, not unknown, unless
  // the budget service could not say.
  const moneyKnown = report.budgetSection?.state !== "SECTION_STATE_UNAVAILABLE";
  const won = (w?: string) => millionWon(moneyKnown ? (w ?? "0") : undefined);
  const moneyData = [
    { 구분: "계획", 백만원: Number(money.plannedWon ?? 0) / 1e6 },
    { 구분: "확보", 백만원: Number(money.securedWon ?? 0) / 1e6 },
    { 구분: "집행", 백만원: Number(money.executedWon ?? 0) / 1e6 },
  ];
  return (
    <Stack>
      <Title order={1}>
        {displayName ?? district} 민선 {report.term}기 공약 이행 현황
      </Title>
      <Select
        label="민선 기수"
        data={termOptions(terms)}
        value={String(term || report.term || "")}
        onChange={(v) => v && setChosen(Number(v))}
        allowDeselect={false}
        w={160}
      />
      <Exports district={district} term={report.term ?? 0} />
      <Text size="sm" c="dimmed">
        기준일 {report.asOfDate ? `${report.asOfDate.year}. ${report.asOfDate.month}. ${report.asOfDate.day}.` : "-"}
      </Text>
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <Figure label="공약 수" value={`${total.pledgeCount ?? 0}건`} />
        <Figure label="이행률" value={percent(total.completionRate)} note="(완료 + 이행 후 계속추진) ÷ 전체" />
        <Figure label="확보 예산" value={`${won(money.securedWon)} 백만원`} note={`확보율 ${percent(money.securingRate)}`} />
        <Figure label="집행 예산" value={`${won(money.executedWon)} 백만원`} note={`집행률 ${percent(money.executionRate)}`} />
      </SimpleGrid>
      <Card withBorder>
        <Title order={2} size="h4" mb="sm">추진 상태별 공약</Title>
        <BarChart
          h={260}
          data={statusData}
          dataKey="status"
          series={[{ name: "공약", color: "blue.6" }]}
          tickLine="y"
          // A label on a plain div is not read (axe: aria-prohibited-attr):
          // the chart is one image, its numbers the list below.
          role="img"
          aria-label="추진 상태별 공약 수 그래프"
        />
        <Group gap="md" mt="sm" component="ul" style={{ listStyle: "none", padding: 0 }} aria-label="추진 상태별 공약 수">
          {statusBars.map((b) => (
            <li key={b.key}>
              <Text size="sm">{b.label} {statuses[b.key] ?? 0}건</Text>
            </li>
          ))}
        </Group>
      </Card>
      <Card withBorder>
        <Title order={2} size="h4" mb="sm">예산 (백만원)</Title>
        <Unavailable section={report.budgetSection} what="예산" />
        <BarChart h={220} data={moneyData} dataKey="구분" series={[{ name: "백만원", color: "teal.6" }]} role="img" aria-label="예산 계획·확보·집행 그래프" />
      </Card>
      <Card withBorder>
        <Title order={2} size="h4" mb="sm">성과지표</Title>
        <Unavailable section={report.indicatorSection} what="성과지표" />
        <SimpleGrid cols={{ base: 2, md: 4 }}>
          <Figure label="측정된 실적" value={`${indicators.measuredEntries ?? 0}건`} />
          <Figure label="자료 없음" value={`${indicators.noDataEntries ?? 0}건`} />
          <Figure label="보고 기한 지남" value={`${indicators.overdueIndicators ?? 0}건`} note="지난 연도 실적이 없는 지표" />
          <Figure label="평균 달성률" value={percent(indicators.meanAchievement)} />
        </SimpleGrid>
      </Card>
    </Stack>
  );
}
