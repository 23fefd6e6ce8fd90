import type Database from 'better-sqlite3';
import type { RestoreLoss, ServerHistory, SyncPosition } from '../../src-shared/contract/sync';
import { deleteMeta, readMeta, writeMeta } from './meta';

/**
 * What this replica knows of the server's history (docs/sync-protocol.md, "History"): the
 * position it last pulled, whether a restore still has to be caught up with, and the restores
 * it caught up with, with the changes they dropped.
 */

/** The last position pulled; null in a replica that never saw a history (made before it existed). */
export function readSeenPosition(sqlite: Database.Database): SyncPosition | null {
  const text = readMeta(sqlite, 'serverPosition');
  return text === null ? null : (JSON.parse(text) as SyncPosition);
}

export function writeSeenPosition(sqlite: Database.Database, position: SyncPosition): void {
  writeMeta(sqlite, 'serverPosition', JSON.stringify(position));
}

/**
 * Whether an answer of the server shows a restore: another history id than the one pulled
 * last, or (same id) a committed seq below the cursor. A replica that never saw a history
 * takes the first one it sees.
 */
export function showsRestore(sqlite: Database.Database, history: ServerHistory, serverSeq: number, cursor: number): boolean {
  const seen = readSeenPosition(sqlite);
  if (seen === null) return false;
  return seen.history.id !== history.id || serverSeq < cursor;
}

/** Kept in the replica, so a rebuild cut short (network, restart) is taken up by the next round. */
export function markRestorePending(sqlite: Database.Database): void {
  writeMeta(sqlite, 'restorePending', '1');
}

export function restorePending(sqlite: Database.Database): boolean {
  return readMeta(sqlite, 'restorePending') !== null;
}

/** Called inside the transaction that rebuilt the replica from the restored server's snapshot. */
export function recordRestore(sqlite: Database.Database, history: ServerHistory, losses: readonly RestoreLoss[], at: string): void {
  sqlite
    .prepare('insert into server_restores (history_id, backup_of, noticed_at) values (?, ?, ?) on conflict (history_id) do nothing')
    .run(history.id, history.backupOf, at);
  const insert = sqlite.prepare(
    `insert or ignore into restore_losses (history_id, op_id, student_no, step_id, change, note, by, by_name, at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const l of losses) insert.run(history.id, l.opId, l.studentNo, l.stepId, l.change, l.note, l.by, l.byName, l.at);
  deleteMeta(sqlite, 'restorePending');
}

export interface RestoreRecord {
  historyId: string;
  backupOf: string | null;
  noticedAt: string;
  losses: (RestoreLoss & { studentName: string | null })[];
}

/** The newest restore the operator has not dismissed, with its losses; null when there is none. */
export function undismissedRestore(sqlite: Database.Database): RestoreRecord | null {
  const row = sqlite
    .prepare('select history_id, backup_of, noticed_at from server_restores where dismissed_at is null order by noticed_at desc limit 1')
    .get() as { history_id: string; backup_of: string | null; noticed_at: string } | undefined;
  if (!row) return null;
  const losses = sqlite
    .prepare(
      `select l.op_id as opId, l.student_no as studentNo, l.step_id as stepId, l.change, l.note, l.by, l.by_name as byName, l.at, s.name as studentName
       from restore_losses l left join students s on s.student_no = l.student_no
       where l.history_id = ? order by l.at, l.student_no`,
    )
    .all(row.history_id) as RestoreRecord['losses'];
  return { historyId: row.history_id, backupOf: row.backup_of, noticedAt: row.noticed_at, losses };
}

/** The operator read the banner (知道了); the record stays. */
export function dismissRestore(sqlite: Database.Database, historyId: string, at: string): void {
  sqlite.prepare('update server_restores set dismissed_at = ? where history_id = ? and dismissed_at is null').run(at, historyId);
}
