import { and, count, eq, inArray, sql } from 'drizzle-orm';
import type { Tx } from '../db/database';
import { conflicts, stepStates, waivers } from '../db/schema';
import { reserveSeqs } from './seq';

/**
 * Gives every state, waiver and conflict row of these students a new seq of its own, so pulls
 * carry them again: a student who moved into a college reaches that college's counters with
 * all their rows, not as a student with nothing done. Call inside a writing transaction.
 */
export async function reseqStudentRows(tx: Tx, batchId: string, studentNos: readonly string[]): Promise<void> {
  if (studentNos.length === 0) return;
  for (const table of [stepStates, waivers, conflicts]) {
    const where = and(eq(table.batchId, batchId), inArray(table.studentNo, [...studentNos]));
    const [row] = await tx.select({ n: count() }).from(table).where(where);
    const n = row?.n ?? 0;
    if (n === 0) continue;
    const first = await reserveSeqs(tx, n);
    await tx.execute(sql`update ${table} set seq = r.next
      from (select ctid as row_id, (${first - 1} + row_number() over (order by ${table.seq}))::bigint as next from ${table} where ${where}) r
      where ${table}.ctid = r.row_id`);
  }
}
