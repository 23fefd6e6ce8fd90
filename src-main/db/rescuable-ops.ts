import Database from 'better-sqlite3';
import type { Op } from '../../src-shared/contract/ops';
import { readMeta } from './meta';
import { electronSqliteBinding } from './open';
import { toOp, type OutboxRow } from './outbox';

export interface RescuableOps {
  deviceId: string | null;
  serverUrl: string | null;
  /** Unacknowledged ops in deviceSeq order. */
  ops: Op[];
  /** False when some rows could not be read. */
  complete: boolean;
}

function tryRead<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** Row by row by deviceSeq, skipping the rows a damaged page hides: a whole-table read stops at the first. */
function opsOneByOne(sqlite: Database.Database): { ops: Op[]; complete: boolean } {
  const last = tryRead(() => sqlite.prepare('select max(device_seq) from outbox').pluck().get() as number | null);
  if (last === undefined) return { ops: [], complete: false };
  const one = sqlite.prepare('select * from outbox where device_seq = ?');
  const ops: Op[] = [];
  let complete = true;
  for (let seq = 1; seq <= (last ?? 0); seq++) {
    const row = tryRead(() => one.get(seq) as OutboxRow & { acked_at: string | null } | undefined);
    const op = row && tryRead(() => toOp(row));
    if (!row || !op) complete = false;
    else if (row.acked_at === null) ops.push(op);
  }
  return { ops, complete };
}

/**
 * The ops not yet acknowledged by the server, from a replica file that may be damaged: opened
 * read-only and without migrating, so reading can never make it worse. What cannot be read is
 * left out and said so (`complete: false`).
 */
export function readRescuableOps(path: string): RescuableOps {
  const sqlite = new Database(path, { readonly: true, fileMustExist: true, nativeBinding: electronSqliteBinding() });
  try {
    const deviceId = tryRead(() => readMeta(sqlite, 'deviceId')) ?? null;
    const serverUrl = tryRead(() => readMeta(sqlite, 'serverUrl')) ?? null;
    const all = tryRead(() =>
      (sqlite.prepare('select * from outbox where acked_at is null order by device_seq').all() as OutboxRow[]).map(toOp),
    );
    const { ops, complete } = all ? { ops: all, complete: true } : opsOneByOne(sqlite);
    return { deviceId: deviceId ?? ops[0]?.deviceId ?? null, serverUrl, ops, complete };
  } finally {
    sqlite.close();
  }
}
