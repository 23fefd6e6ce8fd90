import type { BatchIndex } from './batch';
import { evaluateStep, prerequisiteIds, type MissingGroup, type StudentGateInput } from './gate';
import type { CheckpointDef, Student } from './types';

export const STEP_ACTIONS = ['pass', 'reject', 'revoke'] as const;
export type StepAction = (typeof STEP_ACTIONS)[number];

/** Why an action is refused; the UI turns the code into a message (src-shared/i18n). */
export type Refusal =
  | { code: 'out_of_scope' }
  | { code: 'withdrawn'; reason: string }
  | { code: 'auto_step' }
  | { code: 'not_applicable' }
  | { code: 'already_passed' }
  | { code: 'already_rejected' }
  | { code: 'nothing_to_revoke' }
  | { code: 'blocked'; missing: MissingGroup[] }
  | { code: 'reason_required' };

/** A checkpoint an operator holds; for college checkpoints, the colleges they act for. */
export interface Grant {
  checkpointId: string;
  colleges: 'all' | string[];
}

export function inScope(grant: Grant, checkpoint: CheckpointDef, student: Pick<Student, 'college'>): boolean {
  if (grant.checkpointId !== checkpoint.id) return false;
  if (checkpoint.scope === 'school' || grant.colleges === 'all') return true;
  return grant.colleges.includes(student.college);
}

/** Set when a student was taken out of the batch (延期毕业, 结业, 退学): the reason, else null. */
export interface Withdrawal {
  withdrawnReason: string | null;
}

/** A withdrawn student keeps their history, but nobody acts on them any more. */
export function withdrawnRefusal(student: Withdrawal): Refusal | null {
  return student.withdrawnReason === null ? null : { code: 'withdrawn', reason: student.withdrawnReason };
}

/** Whether the holder of `grant` may act on this student at all, before any step's own rules. */
export function accessRefusal(grant: Grant | undefined, checkpoint: CheckpointDef, student: Pick<Student, 'college'> & Withdrawal): Refusal | null {
  return withdrawnRefusal(student) ?? (grant !== undefined && inScope(grant, checkpoint, student) ? null : { code: 'out_of_scope' });
}

export interface ActionCheck {
  stepId: string;
  pass: Refusal | null;
  reject: Refusal | null;
  revoke: Refusal | null;
  missing: MissingGroup[];
}

/** What the operator may do to one step of one student now. `null` = allowed. */
export function checkActions(
  batch: BatchIndex,
  input: StudentGateInput,
  stepId: string,
  access: Refusal | null,
): ActionCheck {
  const gate = evaluateStep(batch, input, stepId);
  const { step } = batch.step(stepId);
  const common: Refusal | null = access
    ? access
    : step.mode === 'auto'
      ? { code: 'auto_step' }
      : !gate.applicable
        ? { code: 'not_applicable' }
        : null;
  const pass: Refusal | null =
    common ??
    (gate.status === 'passed'
      ? { code: 'already_passed' }
      : gate.missing.length > 0
        ? { code: 'blocked', missing: gate.missing }
        : null);
  const reject: Refusal | null =
    common ??
    (gate.status === 'rejected'
      ? { code: 'already_rejected' }
      : gate.status === 'passed'
        ? { code: 'already_passed' }
        : null);
  const revoke: Refusal | null =
    common ?? (gate.status === 'passed' || gate.status === 'rejected' ? null : { code: 'nothing_to_revoke' });
  return { stepId, pass, reject, revoke, missing: gate.missing };
}

/** Steps that gate some other step: the ones whose restriction a 缓交 desk can lift. */
export function gatingStepIds(batch: BatchIndex): string[] {
  const ids = new Set<string>();
  for (const { step } of batch.steps) for (const id of prerequisiteIds(batch, step.id)) ids.add(id);
  return batch.steps.filter((r) => ids.has(r.step.id) && r.step.required).map((r) => r.step.id);
}

export type WaiverRefusal = { code: 'already_passed' } | { code: 'not_gating' } | { code: 'not_applicable' };

/** A restriction cannot be lifted once the step is passed; re-imposing is always allowed. */
export function checkLift(batch: BatchIndex, input: StudentGateInput, stepId: string): WaiverRefusal | null {
  if (!gatingStepIds(batch).includes(stepId)) return { code: 'not_gating' };
  const gate = evaluateStep(batch, input, stepId);
  if (!gate.applicable) return { code: 'not_applicable' };
  if (gate.status === 'passed') return { code: 'already_passed' };
  return null;
}
