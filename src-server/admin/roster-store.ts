import { eq, sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { maskIdCard } from '../../src-shared/scan/classify';
import type { InitialState, RosterStudent } from '../../src-shared/domain/types';
import type { Db } from '../db/database';
import { bulkInsert } from '../db/bulk-insert';
import { rosterChanges, students } from '../db/schema';
import { storedIdHash } from '../auth/tokens';
import { ApplySession } from '../apply/apply-op';
import { ServerOpSource, STATUS_TO_KIND } from '../apply/server-ops';
import type { BatchCache } from '../sync/batch-cache';
import { reseqStudentRows } from '../sync/reseq';
import { lockWrites, reserveSeqs } from '../sync/seq';
import { AdminError } from './admin-error';
import { changeStanding } from './roster-withdrawal';

export const ROSTER_DEVICE = 'system:roster';

export interface StoreRosterOptions {
  /** Who is on record for college changes and withdrawals (roster_changes). */
  by?: string;
  /** Confirmed by the administrator: withdraw, with this reason, the students the roster lacks. */
  withdrawMissing?: string;
}

export interface StoredRoster {
  students: number;
  states: number;
  /** 学号 whose college changed. */
  moved: string[];
  /** Students of the batch (not withdrawn before) whom this roster does not list. */
  missing: { studentNo: string; name: string; college: string }[];
  /** Those of `missing` withdrawn now, by `withdrawMissing`. */
  withdrawn: string[];
}

/**
 * Writes validated roster rows (new 学号 are added, known ones updated) and the statuses that
 * come with them, in one transaction: all of it or none. A student whose college changed is
 * recorded in roster_changes and their rows get new seqs, so the new college's counters receive
 * their whole record and the old college's counters learn they left. Students the roster lacks
 * are only listed, unless `withdrawMissing` confirms their withdrawal.
 */
export async function storeRoster(
  db: Db,
  batches: BatchCache,
  batchId: string,
  roster: RosterStudent[],
  initial: InitialState[] = [],
  options: StoreRosterOptions = {},
): Promise<StoredRoster> {
  const by = options.by ?? '花名册导入';
  const stored = await db.transaction(async (tx) => {
    await lockWrites(tx);
    const batch = await batches.get(tx, batchId);
    if (!batch) throw new AdminError(`没有编号为 "${batchId}" 的批次`);
    const before = await tx
      .select({ studentNo: students.studentNo, name: students.name, college: students.college, withdrawnReason: students.withdrawnReason })
      .from(students)
      .where(eq(students.batchId, batchId));
    const collegeBefore = new Map(before.map((s) => [s.studentNo, s.college]));
    const listed = new Set(roster.map((s) => s.studentNo));
    const missing = before
      .filter((s) => !listed.has(s.studentNo) && s.withdrawnReason === null)
      .map(({ studentNo, name, college }) => ({ studentNo, name, college }));
    const firstSeq = roster.length > 0 ? await reserveSeqs(tx, roster.length) : 0;
    let seq = firstSeq;
    await bulkInsert(
      tx,
      students,
      roster.map((s) => ({
        batchId,
        studentNo: s.studentNo,
        name: s.name,
        gender: s.gender,
        college: s.college,
        major: s.major,
        className: s.className,
        dorm: s.dorm,
        idHash: storedIdHash(batch.idHashKey, s.idCard),
        idMasked: maskIdCard(s.idCard.toUpperCase()),
        idLast6: s.idCard.toUpperCase().slice(-6),
        isPrevious: s.isPrevious,
        flags: s.flags,
        seq: seq++,
      })),
      [students.batchId, students.studentNo],
    );
    const moves = roster
      .map((s, i) => ({ s, seq: firstSeq + i, from: collegeBefore.get(s.studentNo) }))
      .filter((m) => m.from !== undefined && m.from !== m.s.college);
    await bulkInsert(
      tx,
      rosterChanges,
      moves.map((m) => ({ batchId, studentNo: m.s.studentNo, kind: 'college' as const, fromCollege: m.from, toCollege: m.s.college, changedBy: by, seq: m.seq })),
    );
    const moved = moves.map((m) => m.s.studentNo);
    await reseqStudentRows(tx, batchId, moved);
    const withdrawn =
      options.withdrawMissing === undefined
        ? []
        : (await changeStanding(tx, batchId, missing.map((m) => m.studentNo), { kind: 'withdraw', reason: options.withdrawMissing }, by)).changed;
    const time = new Date().toISOString();
    // Prerequisites first, so a certificate passed in the feed is not flagged for a step later in it.
    const order = (stepId: string) => (batch.index.hasStep(stepId) ? batch.index.step(stepId).order : -1);
    const ordered = [...initial].sort((a, b) => order(a.stepId) - order(b.stepId));
    const problems: string[] = [];
    const session = new ApplySession(tx, batch);
    await session.preload(ordered);
    const source = await ServerOpSource.open(tx, ROSTER_DEVICE);
    const actor = { kind: 'system' as const, name: '花名册导入' };
    for (const state of ordered) {
      if (!batch.index.hasStep(state.stepId)) {
        problems.push(`${state.studentNo}：批次中没有环节「${state.stepId}」`);
        continue;
      }
      const op = source.op({ opId: uuidv7(), studentNo: state.studentNo, stepId: state.stepId, kind: STATUS_TO_KIND[state.status], note: state.note ?? '', time });
      const result = await session.apply(actor, op);
      if (result.outcome === 'rejected') problems.push(`${state.studentNo} ${state.stepId}: ${result.reason}`);
    }
    await session.flush();
    if (problems.length > 0) throw new AdminError('花名册附带的办理状态有误，未导入任何数据', problems);
    return { students: roster.length, states: initial.length, moved, missing, withdrawn };
  });
  await refreshPlannerStatistics(db);
  return stored;
}

/**
 * Right after a bulk import PostgreSQL has no statistics for the new rows until autovacuum
 * comes by, and plans the snapshot's key-ordered pages as sort-everything-then-limit: 60 ms a
 * page, 12 s for a 20,000-student snapshot instead of 2 s. Analysing at once avoids that window.
 */
export async function refreshPlannerStatistics(db: Db): Promise<void> {
  await db.execute(sql`analyze students, step_states, waivers, ops`);
}
