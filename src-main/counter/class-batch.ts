import type { z } from 'zod';
import type { BatchApplyResult, BatchGrid, batchApplyInputSchema, batchGridInputSchema, GridRefusal } from '../../src-shared/contract/batch-api';
import { ApiError } from '../../src-shared/contract/counter-api';
import { accessRefusal, checkActions, type Refusal } from '../../src-shared/domain/actions';
import { checkpointDisplayName } from '../../src-shared/domain/batch';
import { effectiveStatus } from '../../src-shared/domain/gate';
import { batchZhCN as t } from '../../src-shared/i18n/batch.zh-CN';
import { formatMissing, refusalMessage } from '../../src-shared/i18n/zh-CN';
import type { Replica } from '../db/open';
import type { ReplicaSession } from '../db/session-store';
import { messages } from './messages';
import { applyMany } from './mutate';
import { grantFor } from './session';
import { loadGateInputs, OWN_STUDENT, readStudent, STUDENT_COLUMNS, type StudentRow } from './student-store';

type GridInput = z.output<typeof batchGridInputSchema>;
type ApplyInput = z.output<typeof batchApplyInputSchema>;

/** The grid cell's reason: the refusal message, with the missing steps spelt out when blocked. */
export function gridRefusal(refusal: Refusal): GridRefusal {
  if (refusal.code === 'blocked') {
    return { code: 'blocked', message: `${t.grid.blockedShort}${formatMissing(refusal.missing)}`, missing: refusal.missing };
  }
  return { code: refusal.code, message: refusalMessage(refusal), missing: [] };
}

function groupRows(replica: Replica, by: GridInput['by'], student: { college: string; className: string; dorm: string | null }): StudentRow[] {
  const select = (where: string, ...params: string[]) =>
    replica.sqlite.prepare(`select ${STUDENT_COLUMNS} from students s where (${where}) and ${OWN_STUDENT} order by s.student_no`).all(...params) as StudentRow[];
  switch (by) {
    case 'class':
      // Class names repeat across colleges at some schools ("1班"): the college pins it down.
      return select('s.class_name = ? and s.college = ?', student.className, student.college);
    case 'dorm':
      if (!student.dorm) throw new ApiError('bad_input', t.errors.noDorm);
      return select('s.dorm = ?', student.dorm);
    case 'college':
      return select('s.college = ?', student.college);
  }
}

/**
 * batch.grid: the manual's 学生信息 grid for the student's class, dorm room or college, with
 * every step's status and, per row, whether each of the current checkpoint's steps may be
 * passed now. The same checkActions as the single-student screen decides it.
 */
export function batchGrid(replica: Replica, session: ReplicaSession, { studentNo, by }: GridInput): BatchGrid {
  const { batch } = replica;
  const student = readStudent(replica, studentNo);
  if (!student) throw new ApiError('not_found', messages.studentNotFound(studentNo));
  const checkpoint = batch.checkpoint(session.checkpointId);
  if (by === 'college' && checkpoint.scope !== 'college') throw new ApiError('bad_input', t.errors.collegeOnlyAtCollegeCheckpoint);
  const grant = grantFor(session, checkpoint.id);
  const ownStepIds = checkpoint.steps.filter((s) => s.mode === 'manual').map((s) => s.id);
  const ownSet = new Set(checkpoint.steps.map((s) => s.id));
  const loaded = loadGateInputs(replica, groupRows(replica, by, student));
  return {
    by,
    groupLabel: by === 'class' ? student.className : by === 'dorm' ? (student.dorm ?? '') : student.college,
    checkpointId: checkpoint.id,
    checkpointName: checkpointDisplayName(checkpoint, student),
    columns: batch.steps.map(({ step, checkpoint: cp }) => ({
      id: step.id,
      name: step.name,
      checkpointName: checkpointDisplayName(cp, student),
      required: step.required,
      own: ownSet.has(step.id),
    })),
    ownStepIds,
    rows: loaded.map(({ student: s, input }) => {
      // The grid holds own students only: none of them is withdrawn.
      const access = accessRefusal(grant, checkpoint, { college: s.college, withdrawnReason: null });
      return {
        studentNo: s.studentNo,
        name: s.name,
        className: s.className,
        dorm: s.dorm,
        isPrevious: s.isPrevious,
        statuses: batch.steps.map(({ step }) => effectiveStatus(batch, input, step.id)),
        cells: ownStepIds.map((stepId) => {
          const refusal = checkActions(batch, input, stepId, access).pass;
          return refusal ? gridRefusal(refusal) : null;
        }),
      };
    }),
  };
}

/**
 * batch.apply: every checked (student, step) passed in ONE transaction. Rows whose state changed
 * since the grid was read are refused inside that transaction and reported, the others written.
 */
export function applyBatch(replica: Replica, session: ReplicaSession, { items, note }: ApplyInput, now: () => Date): BatchApplyResult {
  const { batch } = replica;
  const { ops, refusals } = applyMany(
    replica,
    session,
    items.map((i) => ({ kind: 'pass' as const, studentNo: i.studentNo, stepId: i.stepId, note })),
    { onRefusal: 'skip', now },
  );
  const nos = [...new Set(items.map((i) => i.studentNo))];
  const names = new Map<string, string>();
  for (let i = 0; i < nos.length; i += 500) {
    const chunk = nos.slice(i, i + 500);
    const rows = replica.sqlite
      .prepare(`select student_no, name from students where student_no in (${chunk.map(() => '?').join(',')})`)
      .all(...chunk) as { student_no: string; name: string }[];
    for (const r of rows) names.set(r.student_no, r.name);
  }
  const stepName = (id: string) => (batch.hasStep(id) ? batch.step(id).step.name : id);
  return {
    passed: ops.map((op) => ({ studentNo: op.studentNo, name: names.get(op.studentNo) ?? '', stepId: op.stepId, stepName: stepName(op.stepId) })),
    refused: refusals.map((r) => ({
      studentNo: r.request.studentNo,
      name: names.get(r.request.studentNo) ?? '',
      stepId: r.request.stepId,
      stepName: stepName(r.request.stepId),
      message: r.message,
    })),
  };
}
