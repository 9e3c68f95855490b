// The etag conflict as the console explains it: someone saved the thing
// being edited since it was read; reload (drop mine) or keep mine
// (overwrite theirs).
import { Button, Modal, Stack, Text } from "@mantine/core";

export function ConflictDialog({ opened, what, detail, onClose, onReload, onKeepMine }: {
  opened: boolean;
  /** What is being edited, with its particle: "이 예산을", "이 공약을". */
  what: string;
  /** What keeping mine does, when more is to be said. */
  detail?: string;
  onClose: () => void;
  onReload: () => void;
  onKeepMine: () => void;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title="다른 사람이 먼저 고쳤습니다">
      <Stack>
        <Text>{what} 불러온 뒤 다른 사람이 저장했습니다. 어떻게 할까요?</Text>
        {detail && <Text size="sm">{detail}</Text>}
        <Button variant="default" onClick={onReload}>다시 불러오기 (내가 고친 내용 버림)</Button>
        <Button color="orange" onClick={onKeepMine}>내 것으로 저장 (다른 사람이 고친 내용 덮어씀)</Button>
      </Stack>
    </Modal>
  );
}
