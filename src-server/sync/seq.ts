import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Executor } from '../db/database';
import { syncMarks, syncSeq } from '../db/schema';

/**
 * The next global seq. The update takes the counter row's lock until the transaction ends, so
 * writers commit in seq order and a reader that sees seq N has every row up to N visible too.
 */
export async function nextSeq(tx: Executor): Promise<number> {
  const [row] = await tx
    .update(syncSeq)
    .set({ value: sql`${syncSeq.value} + 1` })
    .where(eq(syncSeq.id, 1))
    .returning({ value: syncSeq.value });
  if (!row) throw new Error('sync_seq row missing: the database was not migrated');
  await markSeq(tx, row.value);
  return row.value;
}

/**
 * A new random mark for the last seq of a reservation, written in the same transaction: the
 * seq a reader sees as committed always has one, and a restored database lacks the marks of
 * what it lost (src-server/sync/history.ts).
 */
async function markSeq(tx: Executor, seq: number): Promise<void> {
  await tx.insert(syncMarks).values({ seq, mark: randomUUID() }).onConflictDoUpdate({ target: syncMarks.seq, set: { mark: sql`excluded.mark` } });
}

/** The highest seq committed so far; every row with seq <= this is visible to the caller. */
export async function currentSeq(tx: Executor): Promise<number> {
  const [row] = await tx.select({ value: syncSeq.value }).from(syncSeq).where(eq(syncSeq.id, 1));
  if (!row) throw new Error('sync_seq row missing: the database was not migrated');
  return row.value;
}

/**
 * Serialises writers: taken first in every writing transaction, so the state a writer reads
 * cannot change before it commits (no lost updates under READ COMMITTED).
 */
export async function lockWrites(tx: Executor): Promise<void> {
  await tx.select({ value: syncSeq.value }).from(syncSeq).where(eq(syncSeq.id, 1)).for('update');
}

/** Reserves `count` consecutive seqs for a bulk write; returns the first. */
export async function reserveSeqs(tx: Executor, count: number): Promise<number> {
  const [row] = await tx
    .update(syncSeq)
    .set({ value: sql`${syncSeq.value} + ${count}` })
    .where(eq(syncSeq.id, 1))
    .returning({ value: syncSeq.value });
  if (!row) throw new Error('sync_seq row missing: the database was not migrated');
  await markSeq(tx, row.value);
  return row.value - count + 1;
}
