import type Database from 'better-sqlite3';

/** The first problems quick_check names are enough to say what is wrong; it can list thousands. */
const PROBLEMS_SHOWN = 3;

/**
 * SQLite's quick_check: every page and record readable and well formed (it skips the
 * index-against-table comparison of integrity_check, which is what makes that one slow).
 * null when the file is sound, else what SQLite found.
 */
export function integrityProblem(sqlite: Database.Database): string | null {
  const rows = sqlite.pragma(`quick_check(${PROBLEMS_SHOWN})`, { simple: false }) as { quick_check: string }[];
  const problems = rows.map((r) => r.quick_check).filter((p) => p !== 'ok');
  return problems.length === 0 ? null : problems.join('；');
}
