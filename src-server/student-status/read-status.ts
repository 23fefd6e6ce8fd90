import { and, eq } from 'drizzle-orm';
import type { StudentCheckpoint, StudentStatus } from '../../src-shared/contract/student-api';
import { checkpointDisplayName } from '../../src-shared/domain/batch';
import { evaluateStep, isCheckpointComplete, isStudentComplete, type StudentGateInput } from '../../src-shared/domain/gate';
import type { StepStatus } from '../../src-shared/domain/types';
import type { Executor } from '../db/database';
import { stepStates, students, waivers } from '../db/schema';
import type { LoadedBatch } from '../sync/batch-cache';

/**
 * One student's whole clearance as the server has it now: three reads by primary key (the
 * student, their step rows, their waivers), judged by the same gate rules as the counter.
 * Null when the batch no longer lists the student.
 */
export async function readStudentStatus(exec: Executor, batch: LoadedBatch, studentNo: string, now = new Date()): Promise<StudentStatus | null> {
  const [row] = await exec.select().from(students).where(and(eq(students.batchId, batch.id), eq(students.studentNo, studentNo)));
  if (!row) return null;
  const [states, lifts] = await Promise.all([
    exec.select().from(stepStates).where(and(eq(stepStates.batchId, batch.id), eq(stepStates.studentNo, studentNo))),
    exec.select().from(waivers).where(and(eq(waivers.batchId, batch.id), eq(waivers.studentNo, studentNo), eq(waivers.lifted, true))),
  ]);
  const byStep = new Map(states.map((s) => [s.stepId, s]));
  const input: StudentGateInput = {
    student: { college: row.college, flags: row.flags },
    status: new Map(states.map((s) => [s.stepId, s.status as StepStatus])),
    lifted: new Set(lifts.map((w) => w.stepId)),
  };
  const { def } = batch;
  const checkpoints: StudentCheckpoint[] = def.checkpoints.map((cp) => ({
    id: cp.id,
    name: checkpointDisplayName(cp, row),
    location: cp.location ?? null,
    hours: cp.hours ?? null,
    phone: cp.phone ?? null,
    complete: isCheckpointComplete(batch.index, input, cp.id),
    steps: cp.steps.map((step) => {
      const gate = evaluateStep(batch.index, input, step.id);
      const state = byStep.get(step.id);
      return {
        id: step.id,
        name: step.name,
        required: step.required,
        mode: step.mode,
        status: gate.status,
        note: state?.note ?? '',
        updatedAt: state?.updatedAt ?? null,
        lifted: input.lifted.has(step.id),
        blockedBy: gate.status === 'passed' || gate.status === 'na' ? [] : gate.missing,
      };
    }),
  }));
  return {
    university: def.university,
    batch: { id: def.id, name: def.name, completionRule: def.completionRule },
    student: {
      studentNo: row.studentNo,
      name: row.name,
      college: row.college,
      major: row.major,
      className: row.className,
      idCardMasked: row.idMasked,
    },
    withdrawnReason: row.withdrawnReason,
    complete: row.withdrawnReason === null && isStudentComplete(batch.index, input),
    checkpoints,
    notices: def.notices ?? [],
    generatedAt: now.toISOString(),
  };
}
