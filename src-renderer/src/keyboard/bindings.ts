/** One place for the desk's function keys: the handler and the caps printed on buttons agree. */
export const KEY_BINDINGS = {
  search: 'Enter',
  focusStudentNo: 'F2',
  queue: 'F4',
  refresh: 'F5',
  checkAll: 'F8',
  submit: 'F9',
  settings: 'F10',
  reset: 'Escape',
} as const;

/** 锁屏, from anywhere, also on the lock screen's way back (Win+L is the system's own: the habit carries over). */
export const LOCK_KEY = { key: 'l', cap: 'Ctrl+L' } as const;

export type KeyAction = keyof typeof KEY_BINDINGS;

const CAPS: Partial<Record<string, string>> = { Escape: 'Esc' };

/** What the key cap says: "Esc" for Escape, the key name otherwise. */
export function keyCap(action: KeyAction): string {
  const key = KEY_BINDINGS[action];
  return CAPS[key] ?? key;
}
