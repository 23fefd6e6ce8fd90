import { BatchIndex, checkpointDisplayName, isApplicable } from './batch';
import type { StepDef, StepStatus, Student } from './types';

export interface MissingGroup {
  checkpointId: string;
  checkpointName: string;
  steps: { id: string; name: string }[];
}

/** What the gate evaluator needs to know about one student. */
export interface StudentGateInput {
  student: Pick<Student, 'college' | 'flags'>;
  /** Status per step id; a step missing here counts as pending (or na when not applicable). */
  status: ReadonlyMap<string, StepStatus>;
  /** Step ids whose restriction is lifted (缓交) for this student. */
  lifted: ReadonlySet<string>;
}

export interface StepGate {
  stepId: string;
  applicable: boolean;
  status: StepStatus;
  /** Prerequisites not yet passed, grouped by checkpoint, in batch-definition order. Empty = open. */
  missing: MissingGroup[];
}

function isAllOther(step: StepDef): boolean {
  return step.gate?.requires === 'allOtherRequired';
}

/** The step ids a step waits for, before applicability, waivers and statuses are considered. */
export function prerequisiteIds(batch: BatchIndex, stepId: string): string[] {
  const { step, checkpoint } = batch.step(stepId);
  if (!step.gate) return [];
  if (step.gate.requires === 'allOtherRequired') {
    return batch.steps
      .filter((r) => r.checkpoint.id !== checkpoint.id && r.step.required && !isAllOther(r.step))
      .map((r) => r.step.id);
  }
  return [...step.gate.requires].sort((a, b) => batch.step(a).order - batch.step(b).order);
}

export function effectiveStatus(batch: BatchIndex, input: StudentGateInput, stepId: string): StepStatus {
  const { step } = batch.step(stepId);
  if (!isApplicable(step, input.student.flags)) return 'na';
  const s = input.status.get(stepId) ?? 'pending';
  return s === 'na' ? 'pending' : s;
}

/**
 * Whether a prerequisite still blocks: optional steps never block, nor do steps that do not
 * apply, nor lifted restrictions; a rejected (未通过) step blocks like a pending one.
 */
function blocks(batch: BatchIndex, input: StudentGateInput, prereqId: string): boolean {
  const { step } = batch.step(prereqId);
  if (!step.required) return false;
  if (input.lifted.has(prereqId)) return false;
  const status = effectiveStatus(batch, input, prereqId);
  return status === 'pending' || status === 'rejected';
}

export function evaluateStep(batch: BatchIndex, input: StudentGateInput, stepId: string): StepGate {
  const status = effectiveStatus(batch, input, stepId);
  const groups: MissingGroup[] = [];
  for (const id of prerequisiteIds(batch, stepId)) {
    if (!blocks(batch, input, id)) continue;
    const ref = batch.step(id);
    let group = groups[groups.length - 1];
    if (!group || group.checkpointId !== ref.checkpoint.id) {
      group = {
        checkpointId: ref.checkpoint.id,
        checkpointName: checkpointDisplayName(ref.checkpoint, input.student),
        steps: [],
      };
      groups.push(group);
    }
    group.steps.push({ id, name: ref.step.name });
  }
  return { stepId, applicable: status !== 'na', status, missing: groups };
}

/** Every step of one checkpoint, in definition order. */
export function evaluateCheckpoint(batch: BatchIndex, input: StudentGateInput, checkpointId: string): StepGate[] {
  return batch.checkpoint(checkpointId).steps.map((s) => evaluateStep(batch, input, s.id));
}

/** Merges the missing lists of several steps into one, keeping definition order, no repeats. */
export function mergeMissing(batch: BatchIndex, gates: StepGate[]): MissingGroup[] {
  const ids = new Set<string>();
  for (const g of gates) for (const m of g.missing) for (const s of m.steps) ids.add(s.id);
  const sorted = [...ids].sort((a, b) => batch.step(a).order - batch.step(b).order);
  const groups: MissingGroup[] = [];
  for (const id of sorted) {
    const source = gates.flatMap((g) => g.missing).find((m) => m.steps.some((s) => s.id === id));
    if (!source) continue;
    let group = groups[groups.length - 1];
    if (!group || group.checkpointId !== source.checkpointId) {
      group = { checkpointId: source.checkpointId, checkpointName: source.checkpointName, steps: [] };
      groups.push(group);
    }
    group.steps.push({ id, name: batch.step(id).step.name });
  }
  return groups;
}

/** The batch's completion rule (办结必办 / 办结全部) applied to one student. */
export function isStudentComplete(batch: BatchIndex, input: StudentGateInput): boolean {
  return batch.steps.every(({ step }) => {
    if (batch.def.completionRule === 'required' && !step.required) return true;
    const s = effectiveStatus(batch, input, step.id);
    return s === 'passed' || s === 'na';
  });
}

/** Whether a checkpoint's steps are all done for the student (na and optional count as done). */
export function isCheckpointComplete(batch: BatchIndex, input: StudentGateInput, checkpointId: string): boolean {
  return batch.checkpoint(checkpointId).steps.every((step) => {
    if (!step.required) return true;
    const s = effectiveStatus(batch, input, step.id);
    return s === 'passed' || s === 'na';
  });
}
