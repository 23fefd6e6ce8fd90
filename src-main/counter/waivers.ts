import type { z } from 'zod';
import type { LiftedList, WaiverDesk, liftedListInputSchema, waiverSetInputSchema } from '../../src-shared/contract/batch-api';
import { ApiError } from '../../src-shared/contract/counter-api';
import { accessRefusal, checkLift, gatingStepIds } from '../../src-shared/domain/actions';
import { checkpointDisplayName } from '../../src-shared/domain/batch';
import { evaluateStep, isCheckpointComplete } from '../../src-shared/domain/gate';
import { refusalMessage } from '../../src-shared/i18n/zh-CN';
import type { Replica } from '../db/open';
import type { ReplicaSession } from '../db/session-store';
import { loadStudent } from './detail';
import { OWN_STUDENT } from './student-store';
import { messages } from './messages';
import { applyOps } from './mutate';
import { grantFor } from './session';

type SetInput = z.output<typeof waiverSetInputSchema>;
type ListInput = z.output<typeof liftedListInputSchema>;

interface WaiverDetailRow {
  step_id: string;
  lifted: number;
  note: string;
  updated_at: string;
  updated_by: string;
}

/** Waivers carry the operator id only; the name is known for whoever works at this counter. */
function operatorLabel(session: ReplicaSession, id: string): string {
  return id === session.operator.id ? session.operator.name : id;
}

/**
 * waivers.forStudent: the manual's 前置条件的离校点 table: each gating step that applies to the
 * student, its 限制状态 and what the toggle would do, plus what still blocks the gated steps.
 * The toggle's refusal mirrors the mutation path's rules: a grant for the step's checkpoint
 * (scoped to the student's college for college checkpoints), and no lift once it is passed.
 */
export function waiverDesk(replica: Replica, session: ReplicaSession, studentNo: string): WaiverDesk {
  const { batch } = replica;
  const { row, student, input } = loadStudent(replica, studentNo);
  const waivers = new Map(
    (replica.sqlite.prepare('select step_id, lifted, note, updated_at, updated_by from waivers where student_no = ?').all(studentNo) as WaiverDetailRow[]).map(
      (w) => [w.step_id, w],
    ),
  );
  const rows = gatingStepIds(batch)
    .map((stepId) => {
      const { step, checkpoint } = batch.step(stepId);
      const gate = evaluateStep(batch, input, stepId);
      if (!gate.applicable) return null;
      const waiver = waivers.get(stepId);
      const lifted = waiver?.lifted === 1;
      const grant = grantFor(session, checkpoint.id);
      const access = accessRefusal(grant, checkpoint, { college: student.college, withdrawnReason: row.withdrawn_reason });
      let disabledReason: string | null = null;
      if (!grant) disabledReason = messages.noGrant(checkpoint.name, step.name);
      else if (access) disabledReason = refusalMessage(access);
      else if (!lifted) {
        const refusal = checkLift(batch, input, stepId);
        if (refusal) disabledReason = messages.waiver[refusal.code];
      }
      return {
        checkpointId: checkpoint.id,
        checkpointName: checkpointDisplayName(checkpoint, student),
        checkpointDone: isCheckpointComplete(batch, input, checkpoint.id),
        stepId,
        stepName: step.name,
        status: gate.status,
        lifted,
        updatedBy: waiver ? operatorLabel(session, waiver.updated_by) : null,
        updatedAt: waiver?.updated_at ?? null,
        note: waiver?.note ?? '',
        toggle: lifted ? ('impose' as const) : ('lift' as const),
        disabledReason,
      };
    })
    .filter((r) => r !== null);
  const gated = batch.steps
    .filter(({ step }) => step.gate)
    .map(({ step, checkpoint }) => ({ step, checkpoint, gate: evaluateStep(batch, input, step.id) }))
    .filter(({ gate }) => gate.applicable)
    .map(({ step, checkpoint, gate }) => ({
      stepId: step.id,
      stepName: step.name,
      checkpointName: checkpointDisplayName(checkpoint, student),
      missing: gate.missing,
    }));
  const { studentNo: no, name, gender, college, major, className, isPrevious } = student;
  return { student: { studentNo: no, name, gender, college, major, className, isPrevious }, rows, gated };
}

/** waivers.set: one lift or impose through the mutation path, all or nothing; refusals in Chinese. */
export function setWaiver(replica: Replica, session: ReplicaSession, input: SetInput, now: () => Date): WaiverDesk {
  const { refusals } = applyOps(
    replica,
    session,
    [{ kind: input.lifted ? 'lift' : 'impose', studentNo: input.studentNo, stepId: input.stepId, note: input.note }],
    { now },
  );
  const refusal = refusals[0];
  if (refusal) {
    const code = refusal.reason.code === 'unknown_student' || refusal.reason.code === 'unknown_step' ? 'not_found' : 'refused';
    throw new ApiError(code, refusal.message);
  }
  return waiverDesk(replica, session, input.studentNo);
}

/** waivers.lifted: every student with a lifted restriction, latest first. */
export function liftedList(replica: Replica, session: ReplicaSession, { limit, offset }: ListInput): LiftedList {
  const { batch } = replica;
  const { total } = replica.sqlite
    .prepare(`select count(*) as total from waivers w join students s on s.student_no = w.student_no where w.lifted = 1 and ${OWN_STUDENT}`)
    .get() as { total: number };
  const rows = replica.sqlite
    .prepare(
      `select w.student_no, w.step_id, w.note, w.updated_at, w.updated_by, s.name, s.class_name, s.college,
              coalesce(st.status, 'pending') as status
         from waivers w join students s on s.student_no = w.student_no
         left join step_states st on st.student_no = w.student_no and st.step_id = w.step_id
        where w.lifted = 1 and ${OWN_STUDENT}
        order by w.updated_at desc, w.student_no, w.step_id
        limit ? offset ?`,
    )
    .all(limit, offset) as (WaiverDetailRow & { student_no: string; name: string; class_name: string; college: string; status: 'pending' | 'passed' | 'rejected' | 'na' })[];
  return {
    total,
    rows: rows
      .filter((r) => batch.hasStep(r.step_id))
      .map((r) => {
        const { step, checkpoint } = batch.step(r.step_id);
        return {
          studentNo: r.student_no,
          name: r.name,
          className: r.class_name,
          college: r.college,
          stepId: r.step_id,
          stepName: step.name,
          checkpointName: checkpointDisplayName(checkpoint, { college: r.college }),
          status: r.status,
          by: operatorLabel(session, r.updated_by),
          at: r.updated_at,
          note: r.note,
        };
      }),
  };
}
