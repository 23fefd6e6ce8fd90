/** The shortcut printed on a button, so nobody has to remember it. */
export function Kbd({ children }: { children: string }) {
  return <kbd className="kbd">{children}</kbd>;
}
