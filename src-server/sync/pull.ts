import type { DeviceAccess, PullResponse, SyncRow } from '../../src-shared/contract/sync';
import type { Db } from '../db/database';
import type { AuthenticatedDevice } from '../auth/device-auth';
import { rosterScope } from '../../src-shared/domain/roster-scope';
import type { LoadedBatch } from './batch-cache';
import { conflictRow, opRow, stateRow, studentRow, waiverRow } from './rows';
import { readConflicts, readOwnOps, readStates, readStudents, readWaivers } from './scoped-queries';
import { position } from './history';

/**
 * The union of the current grants of the device's enabled operators: an operator who loses a
 * grant, or is disabled, takes their part of the roster off the device at its next pull.
 */
export function deviceScope(batch: LoadedBatch, device: AuthenticatedDevice) {
  return rosterScope(
    batch.index,
    [...device.operators.values()].filter((o) => !o.disabled).flatMap((o) => o.grants),
  );
}

/** What the counter's offline sign-in and roster follow: the scope of this answer and every admitted operator as they stand now. */
export function deviceAccess(batch: LoadedBatch, device: AuthenticatedDevice): DeviceAccess {
  return {
    scope: deviceScope(batch, device),
    operators: [...device.operators.values()].map((o) => ({
      id: o.operatorNo,
      name: o.name,
      disabled: o.disabled ?? false,
      passwordVersion: o.passwordVersion ?? 1,
      grants: o.grants.filter((g) => batch.index.hasCheckpoint(g.checkpointId)),
    })),
  };
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
  const access = deviceAccess(batch, device);
  const { scope } = access;
  const pages = await Promise.all([
    readStudents(db, batch.id, scope, range, limit).then((rows) => rows.map((r) => studentRow(r, scope))),
    readStates(db, batch.id, scope, range, limit).then((rows) => rows.map(stateRow)),
    readWaivers(db, batch.id, scope, range, limit).then((rows) => rows.map(waiverRow)),
    readConflicts(db, batch.id, scope, range, limit).then((rows) => rows.map(conflictRow)),
    readOwnOps(db, device.id, range, limit).then((rows) => rows.map(opRow)),
  ]);
  const merged: SyncRow[] = pages.flat().sort((a, b) => a.seq - b.seq);
  if (merged.length < limit) return { rows: merged, cursor: Math.max(cursor, upTo), hasMore: false, ...at, access };
  // Each table gave at most `limit` rows; the first `limit` of the merge are the next ones overall.
  const rows = merged.slice(0, limit);
  return { rows, cursor: rows[rows.length - 1]!.seq, hasMore: true, ...at, access };
}
