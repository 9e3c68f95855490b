// The page a sign-out lands on. It stays: nothing here goes to the
// provider's login until the user asks.
import { Button, Center, Stack, Text, Title } from "@mantine/core";

export function SignedOut({ onSignIn }: { onSignIn: () => void }) {
  return (
    <Center mih="100vh" p="md" component="main">
      <Stack maw={420} w="100%">
        <Title order={1}>로그아웃되었습니다</Title>
        <Text>공약 관리 화면에서 로그아웃했습니다. 이 브라우저 탭에는 로그인 정보가 남아 있지 않습니다.</Text>
        <Text>다시 쓰려면 로그인하세요.</Text>
        <Button onClick={onSignIn}>로그인</Button>
      </Stack>
    </Center>
  );
}
