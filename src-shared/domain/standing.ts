import type { Withdrawal } from './actions';

/**
 * Where a student stands for one counter: one of its own, moved to a college outside the
 * counter's roster scope, or withdrawn from the batch (延期毕业, 结业, 退学). Only its own
 * students are searched, counted, reported and chased; the others are kept for their history.
 */
export type Standing = { kind: 'own' } | { kind: 'moved'; college: string } | { kind: 'withdrawn'; reason: string };

export interface StandingFacts extends Withdrawal {
  college: string;
  /** Whether the student's college is within the counter's roster scope, as the server judged it. */
  inScope: boolean;
}

export function standingOf(student: StandingFacts): Standing {
  if (student.withdrawnReason !== null) return { kind: 'withdrawn', reason: student.withdrawnReason };
  return student.inScope ? { kind: 'own' } : { kind: 'moved', college: student.college };
}
