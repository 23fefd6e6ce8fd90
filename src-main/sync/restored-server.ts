import type Database from 'better-sqlite3';
import type { RestoreLoss, SnapshotHeader, SyncRow } from '../../src-shared/contract/sync';
import { deleteMeta } from '../db/meta';
import type { Replica } from '../db/open';
import { applyPulledPage, dropStudents, rebuildLocalView, type StepKey } from '../db/pulled-rows';
import { writeStoredScope } from '../db/roster-scope-store';
import { readSeenPosition, recordRestore, writeSeenPosition } from '../db/server-history';
import { downloadSnapshotRows } from './roster-merge';
import type { SyncHttp } from './server-http';
import type { SnapshotProgress } from './snapshot-loader';

/**
 * The server came back from a backup (a new history id, or a committed seq below the cursor):
 * its rows are no longer the ones this replica pulled, and pulling from the cursor would never
 * bring the difference. So the counter:
 *
 * 1. downloads a fresh snapshot (reporting the position it saw, so a server restored by other
 *    means renews its history first),
 * 2. works out the changes it had seen that the snapshot lacks — the last op of each server row
 *    it held, unless the snapshot row has the same op or the op is this counter's own (those
 *    are sent again) — and reports them; the server answers with those it really lacks,
 * 3. in one transaction: marks its own ops the server lacks as unsent (the next push sends them;
 *    the server's idempotency by op id keeps each once), replaces every server-derived row
 *    (students, server rows, conflicts) by the snapshot's, rebuilds the local view (server rows
 *    + unsent ops), sets the cursor to the snapshot's seq and records the restore and its
 *    losses for the banner.
 *
 * The outbox, the audit log and the day's history are kept. Run it inside a sync round, like the
 * roster merge: no pull may land between the snapshot's read and the rebuild.
 */
export async function rebaseOnRestoredServer(
  replica: Replica,
  api: SyncHttp,
  onProgress: (progress: SnapshotProgress) => void,
  now: () => Date,
): Promise<string[]> {
  const { sqlite } = replica;
  const { rows, header } = await downloadSnapshotRows(replica, api, onProgress, readSeenPosition(sqlite));
  const candidates = changesNotIn(sqlite, rows);
  const confirmed = candidates.length === 0 ? [] : (await api.restoreReport(header.history.id, candidates)).losses;
  return rebuildFrom(replica, rows, header, confirmed, now().toISOString());
}

const keyOf = (studentNo: string, stepId: string) => `${studentNo}\u0000${stepId}`;

/** The last op of each server row held here that the snapshot's row does not carry, other than this counter's own. */
function changesNotIn(sqlite: Database.Database, rows: readonly SyncRow[]): RestoreLoss[] {
  const states = new Map<string, string>();
  const waivers = new Map<string, string>();
  for (const r of rows) {
    if (r.type === 'state') states.set(keyOf(r.studentNo, r.stepId), r.lastOpId);
    else if (r.type === 'waiver') waivers.set(keyOf(r.studentNo, r.stepId), r.lastOpId);
  }
  const own = new Set((sqlite.prepare('select op_id from outbox').pluck().all() as string[]));
  const losses: RestoreLoss[] = [];
  const heldStates = sqlite.prepare('select * from server_step_states').all() as {
    student_no: string;
    step_id: string;
    status: 'passed' | 'rejected' | 'pending';
    note: string;
    updated_at: string;
    updated_by: string;
    updated_by_name: string;
    last_op_id: string;
  }[];
  for (const r of heldStates) {
    if (states.get(keyOf(r.student_no, r.step_id)) === r.last_op_id || own.has(r.last_op_id)) continue;
    losses.push({
      opId: r.last_op_id,
      studentNo: r.student_no,
      stepId: r.step_id,
      change: r.status,
      note: r.note,
      by: r.updated_by,
      byName: r.updated_by_name,
      at: r.updated_at,
    });
  }
  const heldWaivers = sqlite.prepare('select * from server_waivers').all() as {
    student_no: string;
    step_id: string;
    lifted: number;
    note: string;
    updated_at: string;
    updated_by: string;
    last_op_id: string;
  }[];
  for (const r of heldWaivers) {
    if (waivers.get(keyOf(r.student_no, r.step_id)) === r.last_op_id || own.has(r.last_op_id)) continue;
    losses.push({
      opId: r.last_op_id,
      studentNo: r.student_no,
      stepId: r.step_id,
      change: r.lifted ? 'lifted' : 'imposed',
      note: r.note,
      by: r.updated_by,
      byName: r.updated_by,
      at: r.updated_at,
    });
  }
  return losses;
}

function rebuildFrom(replica: Replica, rows: readonly SyncRow[], header: SnapshotHeader, losses: readonly RestoreLoss[], at: string): string[] {
  const { sqlite, batch } = replica;
  const heldOps = new Set(rows.flatMap((r) => (r.type === 'op' ? [r.opId] : [])));
  const snapshotStudents = new Set(rows.flatMap((r) => (r.type === 'student' ? [r.studentNo] : [])));
  return sqlite
    .transaction(() => {
      // Own ops the restored server lacks go out again, from the first one it lacks: it holds a prefix of them.
      const unack = sqlite.prepare('update outbox set acked_at = null, outcome = null, outcome_reason = null where op_id = ?');
      for (const opId of sqlite.prepare('select op_id from outbox where acked_at is not null').pluck().all() as string[]) {
        if (!heldOps.has(opId)) unack.run(opId);
      }
      const localWaivers = sqlite.prepare('select student_no as studentNo, step_id as stepId from waivers').all() as StepKey[];
      const gone = (sqlite.prepare('select student_no from students').pluck().all() as string[]).filter((no) => !snapshotStudents.has(no));
      sqlite.exec('delete from server_step_states; delete from server_waivers; delete from conflicts;');
      dropStudents(sqlite, gone);
      const touched = applyPulledPage(sqlite, batch, { rows, cursor: header.seq, serverSeq: header.seq }, at);
      // Waivers the snapshot no longer has fall back to what the unsent ops make of them.
      rebuildLocalView(sqlite, batch, [], localWaivers);
      writeSeenPosition(sqlite, { history: header.history, seq: header.seq, mark: header.mark });
      writeStoredScope(sqlite, header.scope);
      recordRestore(sqlite, header.history, losses, at);
      // The snapshot holds every student in scope: a widened roster waiting for its merge is in it too.
      deleteMeta(sqlite, 'resnapshotPending');
      return [...new Set([...touched, ...gone])];
    })
    .immediate();
}
