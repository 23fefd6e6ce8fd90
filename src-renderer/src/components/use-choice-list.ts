import { useEffect, useRef, useState, type KeyboardEvent } from 'react';

/**
 * A list of candidates to choose from with the keyboard: focused when it appears (a scan just
 * produced it), ↑/↓ move, Enter chooses. Shared by the workspace and quick mode.
 */
export function useChoiceList<T>(items: readonly T[], choose: (item: T) => void) {
  const [active, setActive] = useState(0);
  const listRef = useRef<HTMLUListElement>(null);
  useEffect(() => {
    listRef.current?.focus();
  }, [items]);
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((i) => Math.min(items.length - 1, Math.max(0, i + (e.key === 'ArrowDown' ? 1 : -1))));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const item = items[active];
      if (item !== undefined) choose(item);
    }
  };
  return { active, setActive, listRef, onKeyDown };
}
