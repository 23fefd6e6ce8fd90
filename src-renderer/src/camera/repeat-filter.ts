/**
 * A webcam decodes the card in front of it ten times a second. A code counts once while it stays
 * in view, and again only after it has been out of sight for `quietMs` (the same student
 * coming back) or when another code appears in between.
 */
export class RepeatFilter {
  private last: { text: string; seenAt: number } | null = null;

  constructor(private readonly quietMs = 2000) {}

  accept(text: string, now: number): boolean {
    const last = this.last;
    const fresh = !last || last.text !== text || now - last.seenAt > this.quietMs;
    this.last = { text, seenAt: now };
    return fresh;
  }
}
