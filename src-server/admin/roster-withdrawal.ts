import { userInfo } from 'node:os';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/database';
import { bulkInsert } from '../db/bulk-insert';
import { rosterChanges, students } from '../db/schema';
import { lockWrites, reserveSeqs } from '../sync/seq';
import { AdminError } from './admin-error';

const REASON_MAX = 100;

/** Who is on record for a roster change made with the admin CLI: the account that ran it. */
export function cliActor(): string {
  return `命令行:${userInfo().username}`;
}

/** The reason a withdrawal carries to every counter (延期毕业, 结业, 退学 …). */
export function withdrawalReason(reason: string | undefined): string {
  const text = (reason ?? '').trim();
  if (text === '') throw new AdminError('请用 --reason <原因> 说明学生退出本批次的原因，例如 --reason 延期毕业');
  if (text.length > REASON_MAX) throw new AdminError(`退出原因不能超过 ${REASON_MAX} 个字`);
  return text;
}

export type StandingChange = { kind: 'withdraw'; reason: string } | { kind: 'restore' };

/**
 * Withdraws or restores students inside the caller's writing transaction. Each changed students
 * row gets a seq of its own, so every counter's next pull carries it; roster_changes records who
 * and when. Students already in the wanted standing are returned as unchanged; an unknown 学号
 * refuses the whole change.
 */
export async function changeStanding(
  tx: Tx,
  batchId: string,
  studentNos: readonly string[],
  change: StandingChange,
  by: string,
): Promise<{ changed: string[]; unchanged: string[] }> {
  const wanted = [...new Set(studentNos)];
  if (wanted.length === 0) return { changed: [], unchanged: [] };
  const found = await tx
    .select({ studentNo: students.studentNo, withdrawnReason: students.withdrawnReason })
    .from(students)
    .where(and(eq(students.batchId, batchId), inArray(students.studentNo, wanted)));
  const known = new Map(found.map((s) => [s.studentNo, s.withdrawnReason]));
  const unknown = wanted.filter((no) => !known.has(no));
  if (unknown.length > 0) throw new AdminError(`批次 ${batchId} 中没有以下学号，未做任何改动：`, unknown);
  const changed = wanted.filter((no) => (known.get(no) === null) === (change.kind === 'withdraw'));
  const unchanged = wanted.filter((no) => !changed.includes(no));
  if (changed.length === 0) return { changed, unchanged };
  const first = await reserveSeqs(tx, changed.length);
  const seqs = changed.map((studentNo, i) => ({ student_no: studentNo, seq: first + i }));
  const reason = change.kind === 'withdraw' ? change.reason : null;
  await tx.execute(sql`update ${students} set withdrawn_reason = ${reason},
      withdrawn_at = ${reason === null ? null : sql`now()`}, withdrawn_by = ${reason === null ? null : by}, seq = x.seq
    from jsonb_to_recordset(${JSON.stringify(seqs)}::jsonb) as x(student_no text, seq bigint)
    where ${students.batchId} = ${batchId} and ${students.studentNo} = x.student_no`);
  await bulkInsert(
    tx,
    rosterChanges,
    seqs.map((s) => ({ batchId, studentNo: s.student_no, kind: change.kind, reason, changedBy: by, seq: s.seq })),
  );
  return { changed, unchanged };
}

/** `roster-withdraw` / `roster-restore`: one transaction, all of it or none. */
export async function changeStandingOf(
  db: Db,
  batchId: string,
  studentNos: readonly string[],
  change: StandingChange,
  by: string,
): Promise<{ changed: string[]; unchanged: string[] }> {
  return db.transaction(async (tx) => {
    await lockWrites(tx);
    return changeStanding(tx, batchId, studentNos, change, by);
  });
}
