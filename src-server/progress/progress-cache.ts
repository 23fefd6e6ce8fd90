import { and, eq, gt, inArray, lte } from 'drizzle-orm';
import type { StepStatus } from '../../src-shared/domain/types';
import { effectiveStatus, isStudentComplete, type StudentGateInput } from '../../src-shared/domain/gate';
import type { Db } from '../db/database';
import { stepStates, students } from '../db/schema';
import type { LoadedBatch } from '../sync/batch-cache';
import { position } from '../sync/history';

/** One student as the dashboard counts them. */
export interface StudentProgress {
  studentNo: string;
  name: string;
  college: string;
  className: string;
  isPrevious: boolean;
  flags: Record<string, boolean>;
  /** Stored status per step id; a missing step is pending. */
  stored: Map<string, StepStatus>;
  /** Effective status per step, in batch-definition order (na where the step does not apply). */
  statuses: StepStatus[];
  complete: boolean;
}

interface BatchProgress {
  /** The server history the seq belongs to: after a restore seqs are reused, so the cache starts over. */
  history: string;
  seq: number;
  students: Map<string, StudentProgress>;
}

/**
 * What every student of a batch stands at, kept in memory and brought up to date from the rows
 * whose seq moved since the last read: a refresh after 1,000 ops reads those rows, not the batch.
 * Reading is capped at the committed seq taken first (as pull does), so no row is skipped.
 */
export class ProgressCache {
  private readonly batches = new Map<string, BatchProgress>();
  private readonly pending = new Map<string, Promise<BatchProgress>>();

  /** The batch's students at the latest committed seq; concurrent callers share one refresh. */
  async get(db: Db, batch: LoadedBatch): Promise<BatchProgress> {
    const running = this.pending.get(batch.id);
    if (running) return running;
    const refresh = this.refresh(db, batch).finally(() => this.pending.delete(batch.id));
    this.pending.set(batch.id, refresh);
    return refresh;
  }

  private async refresh(db: Db, batch: LoadedBatch): Promise<BatchProgress> {
    const now = await position(db);
    const upTo = now.seq;
    const cached = this.batches.get(batch.id);
    const known = cached?.history === now.history.id ? cached : { history: now.history.id, seq: 0, students: new Map<string, StudentProgress>() };
    if (known === cached && known.seq === upTo) return known;
    const after = known.seq;
    const studentRows = await db
      .select({
        studentNo: students.studentNo,
        name: students.name,
        college: students.college,
        className: students.className,
        isPrevious: students.isPrevious,
        flags: students.flags,
        withdrawnReason: students.withdrawnReason,
      })
      .from(students)
      .where(and(eq(students.batchId, batch.id), gt(students.seq, after), lte(students.seq, upTo)));
    const stateRows = await db
      .select({ studentNo: stepStates.studentNo, stepId: stepStates.stepId, status: stepStates.status })
      .from(stepStates)
      .where(and(eq(stepStates.batchId, batch.id), gt(stepStates.seq, after), lte(stepStates.seq, upTo)));
    const next = new Map(known.students);
    const touched = new Set<string>();
    const withdrawn = new Set<string>();
    for (const row of studentRows) {
      // Withdrawn students (延期毕业, 结业, 退学) are out of every statistic.
      if (row.withdrawnReason !== null) {
        withdrawn.add(row.studentNo);
        next.delete(row.studentNo);
        continue;
      }
      const before = next.get(row.studentNo);
      next.set(row.studentNo, { ...row, stored: new Map(before?.stored ?? []), statuses: [], complete: false });
      touched.add(row.studentNo);
    }
    for (const row of stateRows) {
      if (withdrawn.has(row.studentNo)) continue;
      const student = next.get(row.studentNo);
      if (!student) continue;
      if (!touched.has(row.studentNo)) {
        next.set(row.studentNo, { ...student, stored: new Map(student.stored) });
        touched.add(row.studentNo);
      }
      next.get(row.studentNo)!.stored.set(row.stepId, row.status);
    }
    // A student new to the cache after the first read (restored, or added by a roster import) may
    // have state rows older than the cursor; those are read in full.
    const restored = studentRows.filter((r) => r.withdrawnReason === null && !known.students.has(r.studentNo) && after > 0).map((r) => r.studentNo);
    if (restored.length > 0) await this.reloadStates(db, batch.id, upTo, restored, next);
    for (const studentNo of touched) derive(batch, next.get(studentNo)!);
    const result = { history: now.history.id, seq: upTo, students: next };
    this.batches.set(batch.id, result);
    return result;
  }

  private async reloadStates(db: Db, batchId: string, upTo: number, studentNos: string[], into: Map<string, StudentProgress>): Promise<void> {
    const rows = await db
      .select({ studentNo: stepStates.studentNo, stepId: stepStates.stepId, status: stepStates.status })
      .from(stepStates)
      .where(and(eq(stepStates.batchId, batchId), inArray(stepStates.studentNo, studentNos), lte(stepStates.seq, upTo)));
    for (const row of rows) into.get(row.studentNo)?.stored.set(row.stepId, row.status);
  }
}

function derive(batch: LoadedBatch, student: StudentProgress): void {
  const input: StudentGateInput = { student, status: student.stored, lifted: new Set() };
  student.statuses = batch.index.steps.map((ref) => effectiveStatus(batch.index, input, ref.step.id));
  student.complete = isStudentComplete(batch.index, input);
}
