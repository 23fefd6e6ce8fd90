import { keyCap, type KeyAction } from '../keyboard/bindings';

/** The shortcut printed on a button, so nobody has to remember it. */
export function Kbd({ action }: { action: KeyAction }) {
  return <kbd className="kbd">{keyCap(action)}</kbd>;
}
