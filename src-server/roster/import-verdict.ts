import { formatRowProblems, type RosterFile } from './read-roster-file';

/**
 * Whether a validated roster may be imported: never with header problems; with bad rows only
 * when the administrator chose to import the good rows alone (CLI --skip-invalid, the console's
 * checkbox). Withdrawing the students a file lacks needs a whole, correct file, since a bad row
 * would look like a missing student. Each face words the refusal for its own controls.
 */
export type ImportVerdict =
  | { kind: 'header'; problems: string[] }
  | { kind: 'rows'; problems: string[] }
  | { kind: 'withdraw_needs_whole_file' }
  | { kind: 'ok'; skipped: string[] };

export function importVerdict(roster: RosterFile, options: { skipInvalid: boolean; withdrawMissing: boolean }): ImportVerdict {
  if (options.skipInvalid && options.withdrawMissing) return { kind: 'withdraw_needs_whole_file' };
  if (roster.fileProblems.length > 0) return { kind: 'header', problems: roster.fileProblems };
  const problems = formatRowProblems(roster.rowProblems);
  if (problems.length > 0 && !options.skipInvalid) return { kind: 'rows', problems };
  return { kind: 'ok', skipped: problems };
}
