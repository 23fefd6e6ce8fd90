import type Database from 'better-sqlite3';
import type { SnapshotHeader, SyncPosition, SyncRow } from '../../src-shared/contract/sync';
import { syncText } from '../../src-shared/i18n/sync.zh-CN';
import { deleteMeta, readMeta, writeMeta } from '../db/meta';
import type { Replica } from '../db/open';
import { applyPulledPage, dropStudents } from '../db/pulled-rows';
import { writeStoredScope } from '../db/roster-scope-store';
import { scopeCoversCollege } from '../../src-shared/domain/roster-scope';
import { positionQuery, SyncError, type SyncHttp } from './server-http';
import { lines, parseLine, type SnapshotProgress } from './snapshot-loader';

/**
 * An operator whose grants widen the device's roster scope makes the server answer the login
 * with `resnapshot: true`: the newly visible students' rows were never pulled (their seqs lie
 * below the cursor). The counter then downloads the snapshot again and merges it into the
 * replica it has: the outbox, unacknowledged ops, audit log and the day's history stay.
 *
 * The flag lives in the replica, so a merge cut short by the network is retried by the next
 * sync round, also after a restart: the server answers `resnapshot` only once per operator.
 * A pull whose roster scope differs from the replica's (a grant given or taken, an operator
 * disabled) sets it too (follow-server.ts); the merge then also drops what the scope lost.
 */

export function markResnapshotNeeded(sqlite: Database.Database): void {
  writeMeta(sqlite, 'resnapshotPending', '1');
}

export function resnapshotNeeded(sqlite: Database.Database): boolean {
  return readMeta(sqlite, 'resnapshotPending') !== null;
}

const PROGRESS_EVERY = 2000;

/**
 * Downloads the snapshot completely, then merges it in one transaction. The rows are held in
 * memory until the end line arrived and the count matched: the replica is live (the operator
 * keeps working while it downloads), so no transaction may stay open across the network, and
 * a cut stream must change nothing. Returns the students whose rows were stored.
 *
 * Snapshot rows have the shapes of pull rows and are the latest state of their key at seq S,
 * so they go through the pull path: server rows replaced, op outcomes recorded, the local view
 * rebuilt as server rows with the unacknowledged ops re-applied on top. Run it only between
 * sync rounds (the sync client does): a pull landing between the snapshot's read and the merge
 * could otherwise be overwritten by older rows.
 */
export async function mergeSnapshot(
  replica: Replica,
  api: SyncHttp,
  onProgress: (progress: SnapshotProgress) => void,
  now: () => Date,
): Promise<string[]> {
  const { rows, header } = await downloadSnapshotRows(replica, api, onProgress);
  return storeMerged(replica, rows, header, now().toISOString());
}

/**
 * The device's snapshot, read to its end line into memory (the replica stays live meanwhile).
 * `seen`, the position pulled last, lets a server restored by other means renew its history
 * before it answers.
 */
export async function downloadSnapshotRows(
  replica: Replica,
  api: SyncHttp,
  onProgress: (progress: SnapshotProgress) => void,
  seen: SyncPosition | null = null,
): Promise<{ rows: SyncRow[]; header: SnapshotHeader }> {
  const controller = new AbortController();
  let finished = false;
  try {
    const res = await api.stream(`/api/sync/snapshot${positionQuery(seen, '?')}`, controller.signal);
    const rows: SyncRow[] = [];
    let header: SnapshotHeader | null = null;
    let total = 0;
    for await (const text of lines(res)) {
      const line = parseLine(text);
      if (line.type === 'header') {
        if (line.batch.id !== replica.batch.def.id) throw new SyncError(syncText.snapshotBatch(replica.batch.def.id, line.batch.id), 200);
        header = line;
        const c = line.counts;
        total = c.students + c.states + c.waivers + c.conflicts + c.ops;
        onProgress({ done: 0, total });
        continue;
      }
      if (header === null) throw new SyncError(syncText.snapshotCut, null);
      if (line.type === 'end') {
        if (line.rows !== rows.length) throw new SyncError(syncText.snapshotCount(line.rows, rows.length), null);
        finished = true;
        break;
      }
      rows.push(line);
      if (rows.length % PROGRESS_EVERY === 0) {
        onProgress({ done: rows.length, total });
        // Lets the event loop breathe: the operator's requests go on while the rest arrives.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    if (!finished || header === null) throw new SyncError(syncText.snapshotCut, null);
    onProgress({ done: rows.length, total });
    return { rows, header };
  } catch (e) {
    // A connection cut mid-body surfaces as a TypeError from fetch's stream.
    if ((e as Error).name === 'TypeError' || (e as Error).name === 'AbortError') throw new SyncError(syncText.snapshotCut, null);
    throw e;
  } finally {
    if (!finished) controller.abort();
  }
}

/**
 * The snapshot's rows in, and out what it no longer covers: a student neither in the snapshot
 * nor of a college in its scope left this device's roster (an operator lost a grant or was
 * disabled). A student of a covered college missing from the snapshot came in a pull after it
 * and stays.
 */
function storeMerged(replica: Replica, rows: SyncRow[], header: SnapshotHeader, at: string): string[] {
  const { sqlite, batch } = replica;
  const cursorRow = sqlite.prepare('select cursor from sync_state where slot = 1').get() as { cursor: number };
  const inSnapshot = new Set(rows.flatMap((r) => (r.type === 'student' ? [r.studentNo] : [])));
  return sqlite
    .transaction(() => {
      const held = sqlite.prepare('select student_no, college from students').all() as { student_no: string; college: string }[];
      const gone = held.filter((s) => !inSnapshot.has(s.student_no) && !scopeCoversCollege(header.scope, s.college)).map((s) => s.student_no);
      dropStudents(sqlite, gone);
      const touched = applyPulledPage(sqlite, batch, { rows, cursor: Math.max(cursorRow.cursor, header.seq), serverSeq: header.seq }, at);
      writeStoredScope(sqlite, header.scope);
      deleteMeta(sqlite, 'resnapshotPending');
      return [...new Set([...touched, ...gone])];
    })
    .immediate();
}
