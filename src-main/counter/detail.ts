import { ApiError, type RecordStep, type StudentDetail } from '../../src-shared/contract/counter-api';
import { accessRefusal, checkActions } from '../../src-shared/domain/actions';
import { checkpointDisplayName } from '../../src-shared/domain/batch';
import { effectiveStatus, isStudentComplete, type StudentGateInput } from '../../src-shared/domain/gate';
import type { StepDef, Student } from '../../src-shared/domain/types';
import type { Replica } from '../db/open';
import type { ReplicaSession } from '../db/session-store';
import { checkpointMissing } from './checkpoint-progress';
import { messages } from './messages';
import { grantFor } from './session';
import { gateInput, readStates, readStudentRow, readWaivers, standingOfRow, toStudent, type StateRow, type StudentRow } from './student-store';

function recordStep(replica: Replica, step: StepDef, input: StudentGateInput, state: StateRow | undefined): RecordStep {
  return {
    id: step.id,
    name: step.name,
    required: step.required,
    mode: step.mode,
    status: effectiveStatus(replica.batch, input, step.id),
    note: state?.note ?? '',
    updatedAt: state?.updated_at ?? null,
    updatedBy: state?.updated_by_name ?? state?.updated_by ?? null,
    lifted: input.lifted.has(step.id),
  };
}

export interface LoadedStudent {
  row: StudentRow;
  student: Student;
  input: StudentGateInput;
  states: Map<string, StateRow>;
}

export function loadStudent(replica: Replica, studentNo: string): LoadedStudent {
  const row = readStudentRow(replica, studentNo);
  if (!row) throw new ApiError('not_found', messages.studentNotFound(studentNo));
  const student = toStudent(row);
  const states = readStates(replica, [studentNo]).get(studentNo) ?? [];
  const waivers = readWaivers(replica, [studentNo]).get(studentNo) ?? [];
  return { row, student, input: gateInput(student, states, waivers), states: new Map(states.map((s) => [s.step_id, s])) };
}

/** students.detail: the 离校记录, what the current checkpoint may do now, and what is missing. */
export function studentDetail(replica: Replica, session: ReplicaSession, studentNo: string): StudentDetail {
  const { batch } = replica;
  const { row, student, input, states } = loadStudent(replica, studentNo);
  const checkpoint = batch.checkpoint(session.checkpointId);
  const standing = standingOfRow(row);
  const access = accessRefusal(grantFor(session, checkpoint.id), checkpoint, { college: student.college, withdrawnReason: row.withdrawn_reason });
  return {
    student,
    record: batch.def.checkpoints.map((cp) => ({
      checkpointId: cp.id,
      name: checkpointDisplayName(cp, student),
      steps: cp.steps.map((step) => recordStep(replica, step, input, states.get(step.id))),
    })),
    actions: checkpoint.steps.map((step) => {
      const { pass, reject, revoke } = checkActions(batch, input, step.id, access);
      return { ...recordStep(replica, step, input, states.get(step.id)), pass, reject, revoke };
    }),
    missing: checkpointMissing(batch, input, checkpoint.id),
    inScope: access === null,
    standing,
    complete: isStudentComplete(batch, input),
  };
}
