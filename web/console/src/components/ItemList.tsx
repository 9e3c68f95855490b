// A list of like items (background points, yearly goals, risks…) edited
// in place: each in a fieldset of its own with buttons to move it up or
// down and to remove it, and one to add an item at the end. The buttons
// are ordinary buttons, so the keyboard does all of it; after a move the
// focus stays on the moved item's button.
import type { ReactNode } from "react";
import { Button, Fieldset, Group, Stack, Text } from "@mantine/core";

export function ItemList<T extends { key: string }>({ id, title, itemName, items, onChange, blank, error, children }: {
  /** Ids of the items' buttons start with it. */
  id: string;
  /** The list's heading. */
  title: string;
  /** One item, as its legend and the buttons name it ("연차별 목표" → "연차별 목표 2"). */
  itemName: string;
  items: T[];
  onChange: (items: T[]) => void;
  /** A new, empty item. */
  blank: () => T;
  /** An error about the list as a whole. */
  error?: string;
  /** The fields of the item at index i; set replaces the item. */
  children: (item: T, i: number, set: (item: T) => void) => ReactNode;
}) {
  const focusLater = (elementId: string) => requestAnimationFrame(() => document.getElementById(elementId)?.focus());
  const move = (i: number, by: number) => {
    const j = i + by;
    if (j < 0 || j >= items.length) return;
    const next = [...items];
    [next[i], next[j]] = [next[j], next[i]];
    onChange(next);
    // At either end the button just pressed goes away: the other one.
    let dir = by < 0 ? "up" : "down";
    if (j === 0) dir = "down";
    if (j === items.length - 1) dir = "up";
    focusLater(`${id}-${items[i].key}-${dir}`);
  };
  const remove = (i: number) => {
    onChange(items.filter((_, k) => k !== i));
    // The focus goes to the item that took its place, else the one
    // before, else the add button.
    const neighbour = items[i + 1] ?? items[i - 1];
    focusLater(neighbour ? `${id}-${neighbour.key}-remove` : `${id}-add`);
  };
  const add = () => {
    const item = blank();
    onChange([...items, item]);
    // The new item's first field.
    requestAnimationFrame(() => document.querySelector<HTMLElement>(`#${id}-${item.key} input, #${id}-${item.key} textarea`)?.focus());
  };
  return (
    <Stack gap="xs" role="group" aria-labelledby={`${id}-title`}>
      <Text fw={700} id={`${id}-title`}>{title}</Text>
      {items.length === 0 && <Text size="sm" c="dimmed">항목이 없습니다.</Text>}
      {error && <Text size="sm" c="red" role="alert">{error}</Text>}
      {items.map((item, i) => {
        const name = `${itemName} ${i + 1}`;
        return (
          <Fieldset key={item.key} id={`${id}-${item.key}`} legend={name} p="sm">
            <Stack gap="xs">
              {children(item, i, (changed) => onChange(items.map((x, k) => (k === i ? changed : x))))}
              <Group gap="xs">
                {i > 0 && (
                  <Button id={`${id}-${item.key}-up`} size="xs" variant="default" aria-label={`${name} 위로`} onClick={() => move(i, -1)}>위로</Button>
                )}
                {i < items.length - 1 && (
                  <Button id={`${id}-${item.key}-down`} size="xs" variant="default" aria-label={`${name} 아래로`} onClick={() => move(i, 1)}>아래로</Button>
                )}
                <Button id={`${id}-${item.key}-remove`} size="xs" variant="subtle" color="red" aria-label={`${name} 삭제`} onClick={() => remove(i)}>삭제</Button>
              </Group>
            </Stack>
          </Fieldset>
        );
      })}
      <Button id={`${id}-add`} size="xs" variant="light" w="fit-content" onClick={add}>{itemName} 추가</Button>
    </Stack>
  );
}
