import { useEffect, useState } from "react";
import { Navigate, NavLink, Route, Routes, useNavigate, useParams } from "react-router";
import {
  Alert, AppShell, Badge, Burger, Button, Center, Group, Loader, Modal, NavLink as MantineNavLink, Select, Stack, Text, Title,
} from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { basePath, signedOutPath, useAuth } from "./auth";
import { api, whenUnauthenticated, type Schemas } from "./api/client";
import { idOf } from "./labels";
import { Dashboard } from "./pages/Dashboard";
import { PledgeList } from "./pages/PledgeList";
import { PledgeCard } from "./pages/PledgeCard";
import { BudgetEditor } from "./pages/BudgetEditor";
import { StatusPage } from "./pages/StatusPage";
import { ImportCard } from "./pages/ImportCard";
import { Indicators } from "./pages/Indicators";
import { ProgressLog } from "./pages/ProgressLog";
import { PledgeEditor } from "./pages/PledgeEditor";
import { PledgePhotos } from "./pages/PledgePhotos";
import { ApiKeys } from "./pages/ApiKeys";
import { Audit } from "./pages/Audit";
import { Account } from "./pages/Account";
import { NewProgram, Programs } from "./pages/Programs";
import { ProgramPage } from "./pages/ProgramPage";
import { ProgramMembers } from "./pages/ProgramMembers";
import { ProgramSubmissions } from "./pages/ProgramSubmissions";
import { ProgramResults } from "./pages/ProgramResults";

export function App() {
  const { session, problem, loading, expired, signIn, sessionExpired } = useAuth();
  useEffect(() => whenUnauthenticated(sessionExpired), [sessionExpired]);
  if (loading) {
    return (
      <Center h="100vh">
        <Loader aria-label="불러오는 중" />
      </Center>
    );
  }
  if (!session) return <SignIn problem={problem} expired={expired} onSignIn={signIn} />;
  return (
    <>
      <Modal opened={expired} onClose={signIn} title="로그인이 만료되었습니다" withCloseButton={false} closeOnClickOutside={false}>
        <Stack>
          <Text>다시 로그인하면 이 화면으로 돌아옵니다. 고치던 내용은 이 브라우저 탭에 보관됩니다.</Text>
          <Button onClick={signIn}>다시 로그인</Button>
        </Stack>
      </Modal>
      <Routes>
        <Route path="/" element={<Home />} />
        {/* Sign-in goes on from here to where the user was. */}
        <Route path="/callback" element={<Center h="50vh"><Loader aria-label="로그인하는 중" /></Center>} />
        {/* Signed in again (another tab), the notice is no longer true. */}
        <Route path={signedOutPath} element={<Navigate to="/" replace />} />
        <Route path="/districts/:district/*" element={<DistrictShell />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </>
  );
}

/** Without a session the console goes on to the provider's login page at
 *  once; the page stays only to say why it cannot. */
function SignIn({ problem, expired, onSignIn }: { problem: string; expired: boolean; onSignIn: () => void }) {
  useEffect(() => {
    if (!problem) onSignIn();
  }, [problem, onSignIn]);
  return (
    <Center mih="100vh" p="md">
      <Stack maw={420} w="100%">
        <Title order={1}>공약 관리</Title>
        <Text>자치단체 공약 이행 관리 화면입니다. 기관 계정으로 로그인하세요.</Text>
        {expired && <Alert color="yellow" title="로그인이 만료되었습니다">다시 로그인하세요.</Alert>}
        {problem ? (
          <>
            <Alert color="red" title="로그인할 수 없습니다">{problem}</Alert>
            <Button variant="default" onClick={() => window.location.assign(`${basePath}/`)}>다시 시도</Button>
          </>
        ) : (
          <>
            <Text>로그인 페이지로 이동합니다…</Text>
            <Button onClick={onSignIn}>로그인</Button>
          </>
        )}
      </Stack>
    </Center>
  );
}

function NotFound() {
  return (
    <Center mih="60vh" p="md">
      <Stack>
        <Title order={1}>없는 화면입니다</Title>
        <Button component={NavLink} to="/">처음으로</Button>
      </Stack>
    </Center>
  );
}

/** The districts the user may read, as the API lists them. */
function useDistricts() {
  const [districts, setDistricts] = useState<Schemas["District"][] | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    api.GET("/v1/districts", { params: { query: { pageSize: 500 } } }).then(({ data, error }) => {
      if (error) setError("자치단체 목록을 불러오지 못했습니다.");
      else setDistricts(data?.districts ?? []);
    });
  }, []);
  return { districts, error };
}

/** The start: the user's district when they have one, else a choice. */
function Home() {
  const { districts, error } = useDistricts();
  const { session } = useAuth();
  if (error) return <Alert color="red" m="md">{error}</Alert>;
  if (!districts) return <Center h="50vh"><Loader aria-label="불러오는 중" /></Center>;
  // A role names its district (viewer@districts/gwangsan): start there.
  const own = session?.roles.map((r) => r.split("@")[1]?.split("/")[1]).find(Boolean);
  const start = districts.find((d) => idOf(d.name) === own) ?? (districts.length === 1 ? districts[0] : undefined);
  if (start) return <Navigate to={`/districts/${idOf(start.name)}`} replace />;
  return (
    <Center mih="60vh" p="md">
      <Stack w="100%" maw={420}>
        <Title order={1}>자치단체 선택</Title>
        {districts.length === 0 && <Text>열람할 수 있는 자치단체가 없습니다.</Text>}
        {districts.map((d) => (
          <Button key={d.name} variant="light" component={NavLink} to={`/districts/${idOf(d.name)}`}>
            {d.metropolitanGovernment} {d.displayName}
          </Button>
        ))}
      </Stack>
    </Center>
  );
}

/** The frame of a district's pages: header, navigation, the page. */
function DistrictShell() {
  const { district = "" } = useParams();
  const { session, signOut } = useAuth();
  const { districts } = useDistricts();
  const navigate = useNavigate();
  const [opened, { toggle, close }] = useDisclosure();
  const current = districts?.find((d) => idOf(d.name) === district);
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 240, breakpoint: "sm", collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="메뉴 열기" />
            <Text fw={700}>공약 관리</Text>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Text size="sm" truncate maw={140} aria-label="로그인한 사용자">{session?.name}</Text>
            <Button size="xs" variant="default" onClick={signOut}>로그아웃</Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="md">
        <Stack gap="xs">
          <Select
            label="자치단체"
            data={(districts ?? []).map((d) => ({ value: idOf(d.name), label: `${d.metropolitanGovernment ?? ""} ${d.displayName ?? ""}`.trim() }))}
            value={district}
            onChange={(v) => {
              if (v) navigate(`/districts/${v}`);
              close();
            }}
            allowDeselect={false}
          />
          <MantineNavLink component={NavLink} to={`/districts/${district}`} end label="현황" onClick={close} />
          <MantineNavLink component={NavLink} to={`/districts/${district}/pledges`} label="공약 목록" onClick={close} />
          <MantineNavLink component={NavLink} to={`/districts/${district}/import`} label="카드 가져오기" onClick={close} />
          <MantineNavLink component={NavLink} to={`/districts/${district}/programs`} label="시민참여 프로그램" onClick={close} />
          <MantineNavLink component={NavLink} to={`/districts/${district}/api-keys`} label="API 키" onClick={close} />
          <MantineNavLink component={NavLink} to={`/districts/${district}/audit`} label="감사 기록" onClick={close} />
          <MantineNavLink component={NavLink} to={`/districts/${district}/account`} label="내 계정/권한" onClick={close} />
          <Stack gap={4} mt="md" aria-label="내 역할">
            <Text size="xs" c="dimmed">내 역할</Text>
            {(session?.roles ?? []).map((r) => (
              <Badge key={r} variant="light" style={{ textTransform: "none", maxWidth: "100%" }}>{r}</Badge>
            ))}
          </Stack>
        </Stack>
      </AppShell.Navbar>
      <AppShell.Main>
        <Routes>
          <Route index element={<Dashboard district={district} displayName={current?.displayName} />} />
          <Route path="pledges" element={<PledgeList district={district} />} />
          <Route path="pledges/:pledge" element={<PledgeCard district={district} />} />
          <Route path="pledges/:pledge/budget" element={<BudgetEditor district={district} />} />
          <Route path="pledges/:pledge/status" element={<StatusPage district={district} />} />
          <Route path="pledges/:pledge/indicators" element={<Indicators district={district} />} />
          <Route path="pledges/:pledge/progress" element={<ProgressLog district={district} />} />
          <Route path="pledges/:pledge/edit" element={<PledgeEditor district={district} />} />
          <Route path="pledges/:pledge/photos" element={<PledgePhotos district={district} />} />
          <Route path="import" element={<ImportCard district={district} />} />
          <Route path="api-keys" element={<ApiKeys district={district} />} />
          <Route path="audit" element={<Audit district={district} />} />
          <Route path="account" element={<Account />} />
          <Route path="pledges/:pledge/programs" element={<Programs district={district} />} />
          <Route path="programs" element={<Programs district={district} />} />
          <Route path="programs/new" element={<NewProgram district={district} />} />
          <Route path="programs/:program" element={<ProgramPage district={district} />} />
          <Route path="programs/:program/members" element={<ProgramMembers district={district} />} />
          <Route path="programs/:program/submissions" element={<ProgramSubmissions district={district} />} />
          <Route path="programs/:program/results" element={<ProgramResults district={district} />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </AppShell.Main>
    </AppShell>
  );
}
