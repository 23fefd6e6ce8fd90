/** A refusal of an administrative command, worded for the administrator (Chinese). */
export class AdminError extends Error {
  constructor(
    message: string,
    /** Per-row or per-field problems, when there are several. */
    readonly problems: string[] = [],
  ) {
    super(message);
    this.name = 'AdminError';
  }
}
