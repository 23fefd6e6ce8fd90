import { timingSafeEqual } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Executor } from '../db/database';
import { students } from '../db/schema';

/**
 * Whether `given` (upper-case) is the last 6 of the student's 身份证号. The only place that
 * knows how those characters are stored, so a change of storage (a keyed hash, say) changes
 * this function alone. False for a 学号 not in the batch.
 */
export async function idLast6Matches(exec: Executor, batchId: string, studentNo: string, given: string): Promise<boolean> {
  const [row] = await exec
    .select({ idLast6: students.idLast6 })
    .from(students)
    .where(and(eq(students.batchId, batchId), eq(students.studentNo, studentNo)));
  if (!row) return false;
  const stored = Buffer.from(row.idLast6.toUpperCase());
  const offered = Buffer.from(given.toUpperCase());
  return stored.length === offered.length && timingSafeEqual(stored, offered);
}
