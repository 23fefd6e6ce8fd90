import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { desc, eq, max, sql } from 'drizzle-orm';
import type { ServerHistory, SyncPosition } from '../../src-shared/contract/sync';
import type { Db, Executor, Tx } from '../db/database';
import { ops, serverHistory, syncMarks } from '../db/schema';
import { lockWrites } from './seq';

/**
 * The server's history id (docs/sync-protocol.md, "History"). It lives in the database, so a
 * database restored by other means than `admin restore` (a PostgreSQL dump, a copied PGlite
 * folder) comes back with the id of its backup. Such a database is told by comparing a
 * position seen earlier — history id, seq, the mark of that seq — with what it holds now: the
 * seq is gone, or another reservation took the number since.
 */

export async function readHistory(db: Executor): Promise<ServerHistory> {
  const [row] = await db
    .select({ id: serverHistory.id, backupOf: serverHistory.backupOf, restoredAt: serverHistory.restoredAt })
    .from(serverHistory)
    .orderBy(desc(serverHistory.createdAt))
    .limit(1);
  if (!row) throw new Error('server_history is empty: the database was not migrated');
  return { id: row.id, backupOf: iso(row.backupOf), restoredAt: iso(row.restoredAt) };
}

/** PostgreSQL's text form of a timestamp, as the ISO string the protocol speaks. */
function iso(value: string | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}

/** Where the database stands: its history, committed seq and that seq's mark, read in one statement. */
export async function position(db: Executor): Promise<SyncPosition> {
  const result = await db.execute(sql`select h.id, h.backup_of, h.restored_at, s.value as seq, m.mark
    from sync_seq s
    cross join (select id, backup_of, restored_at from server_history order by created_at desc limit 1) h
    left join sync_marks m on m.seq = s.value
    where s.id = 1`);
  const row = (result as unknown as { rows: { id: string; backup_of: string | null; restored_at: string | null; seq: string | number; mark: string | null }[] }).rows[0];
  if (!row) throw new Error('sync_seq or server_history missing: the database was not migrated');
  return {
    history: { id: row.id, backupOf: iso(row.backup_of), restoredAt: iso(row.restored_at) },
    seq: Number(row.seq),
    mark: row.mark,
  };
}

/**
 * True when `seen`, a position this database once answered, is no longer in it: same history,
 * but its seq is above the committed one, or the mark of that seq differs (or is gone). A
 * position without a mark (seq 0, or seen before marks existed) is judged by its seq alone.
 */
export async function rewoundSince(db: Executor, now: SyncPosition, seen: SyncPosition): Promise<boolean> {
  if (seen.history.id !== now.history.id) return false;
  if (seen.seq > now.seq) return true;
  if (seen.mark === null) return false;
  if (seen.seq === now.seq) return seen.mark !== now.mark;
  const [row] = await db.select({ mark: syncMarks.mark }).from(syncMarks).where(eq(syncMarks.seq, seen.seq));
  return row?.mark !== seen.mark;
}

/**
 * Starts a new history: counters that see its id download a fresh snapshot. `backupOf` is the
 * backup's time when known (admin restore); a database found rewound gives the time of the
 * newest op it holds, the closest it can tell. With `replacing`, nothing happens unless that
 * is still the current history (two server processes noticing the same rewind renew it once).
 */
export async function renewHistory(
  tx: Tx,
  cause: 'restore' | 'rewound',
  options: { backupOf?: string | null; replacing?: string } = {},
): Promise<ServerHistory | null> {
  await lockWrites(tx);
  const current = await readHistory(tx);
  if (options.replacing !== undefined && current.id !== options.replacing) return null;
  let backupOf = options.backupOf ?? null;
  if (options.backupOf === undefined) {
    const [row] = await tx.select({ last: max(ops.receivedAt) }).from(ops);
    backupOf = row?.last ?? null;
  }
  const now = new Date().toISOString();
  // created_at orders the histories; a restore within the same clock tick must still come last.
  const [{ createdAt } = { createdAt: now }] = await tx
    .select({ createdAt: sql<string>`greatest(now(), max(${serverHistory.createdAt}) + interval '1 millisecond')` })
    .from(serverHistory);
  await tx.insert(serverHistory).values({ id: randomUUID(), createdAt, backupOf, restoredAt: now, cause });
  return readHistory(tx);
}

const FILE_EVERY_MS = 1000;

/**
 * What one server process has seen of the database: the latest position it answered with,
 * kept in a file beside a PGlite data folder (a folder copied back from a backup does not
 * bring it along). Checked when the server opens the database and on every watch tick, so a
 * database swapped underneath is noticed even before a counter reports it.
 */
export class HistoryGuard {
  private seen: SyncPosition | null;
  private writtenAt = 0;

  constructor(private readonly file: string | null = null) {
    this.seen = file ? readPositionFile(file) : null;
  }

  /**
   * Checks the database against what this process saw before and against a client's report,
   * renews the history when it was rewound, and returns the position to answer with.
   */
  async check(db: Db, reported: SyncPosition | null = null): Promise<SyncPosition> {
    let now = await position(db);
    for (const seen of [this.seen, reported]) {
      if (seen && (await rewoundSince(db, now, seen))) {
        await db.transaction((tx) => renewHistory(tx, 'rewound', { replacing: now.history.id }));
        now = await position(db);
        break;
      }
    }
    this.record(now);
    return now;
  }

  /** Remembers a position answered; only forward within a history. */
  record(now: SyncPosition): void {
    const seen = this.seen;
    if (seen && seen.history.id === now.history.id && seen.seq >= now.seq) return;
    this.seen = now;
    // At most once a second: a file a little behind still tells a rewound database by its marks.
    if (this.file && Date.now() - this.writtenAt >= FILE_EVERY_MS) {
      writePositionFile(this.file, now);
      this.writtenAt = Date.now();
    }
  }

  /** Writes the latest position now (when the server stops). */
  flush(): void {
    if (this.file && this.seen) writePositionFile(this.file, this.seen);
  }
}

function readPositionFile(file: string): SyncPosition | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  try {
    return JSON.parse(text) as SyncPosition;
  } catch {
    return null;
  }
}

function writePositionFile(file: string, now: SyncPosition): void {
  const side = `${file}.tmp`;
  writeFileSync(side, JSON.stringify(now));
  renameSync(side, file);
}
