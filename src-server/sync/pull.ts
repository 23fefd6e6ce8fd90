import type { PullResponse, SyncRow } from '../../src-shared/contract/sync';
import type { Db } from '../db/database';
import type { AuthenticatedDevice } from '../auth/device-auth';
import { rosterScope } from '../../src-shared/domain/roster-scope';
import type { LoadedBatch } from './batch-cache';
import { conflictRow, opRow, stateRow, studentRow, waiverRow } from './rows';
import { readConflicts, readOwnOps, readStates, readStudents, readWaivers } from './scoped-queries';
import { position } from './history';

export function deviceScope(batch: LoadedBatch, device: AuthenticatedDevice) {
  return rosterScope(
    batch.index,
    [...device.operators.values()].flatMap((o) => o.grants),
  );
}

/**
 * The next page of changes after `cursor`. Reading is capped at the committed seq taken first:
 * every row up to it is visible, so no row is skipped, and rows changed meanwhile come again
 * with their new seq in a later page.
 */
export async function pull(db: Db, batch: LoadedBatch, device: AuthenticatedDevice, cursor: number, limit: number): Promise<PullResponse> {
  const now = await position(db);
  const upTo = now.seq;
  const at = { serverSeq: upTo, history: now.history, mark: now.mark };
  const range = { after: cursor, upTo };
  const scope = deviceScope(batch, device);
  const pages = await Promise.all([
    readStudents(db, batch.id, scope, range, limit).then((rows) => rows.map((r) => studentRow(r, scope))),
    readStates(db, batch.id, scope, range, limit).then((rows) => rows.map(stateRow)),
    readWaivers(db, batch.id, scope, range, limit).then((rows) => rows.map(waiverRow)),
    readConflicts(db, batch.id, scope, range, limit).then((rows) => rows.map(conflictRow)),
    readOwnOps(db, device.id, range, limit).then((rows) => rows.map(opRow)),
  ]);
  const merged: SyncRow[] = pages.flat().sort((a, b) => a.seq - b.seq);
  if (merged.length < limit) return { rows: merged, cursor: Math.max(cursor, upTo), hasMore: false, ...at };
  // Each table gave at most `limit` rows; the first `limit` of the merge are the next ones overall.
  const rows = merged.slice(0, limit);
  return { rows, cursor: rows[rows.length - 1]!.seq, hasMore: true, ...at };
}
