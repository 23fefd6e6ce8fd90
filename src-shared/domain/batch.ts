import type { BatchDef, CheckpointDef, StepDef, Student } from './types';

export interface StepRef {
  checkpoint: CheckpointDef;
  step: StepDef;
  /** Position in the batch definition: the order every list and message follows. */
  order: number;
}

/** Index over a batch definition: step lookup by id, in definition order. */
export class BatchIndex {
  readonly steps: StepRef[] = [];
  private readonly byId = new Map<string, StepRef>();
  private readonly checkpointsById = new Map<string, CheckpointDef>();

  constructor(readonly def: BatchDef) {
    for (const checkpoint of def.checkpoints) {
      this.checkpointsById.set(checkpoint.id, checkpoint);
      for (const step of checkpoint.steps) {
        const ref = { checkpoint, step, order: this.steps.length };
        this.steps.push(ref);
        this.byId.set(step.id, ref);
      }
    }
  }

  step(id: string): StepRef {
    const ref = this.byId.get(id);
    if (!ref) throw new Error(`unknown step ${id}`);
    return ref;
  }

  hasStep(id: string): boolean {
    return this.byId.has(id);
  }

  checkpoint(id: string): CheckpointDef {
    const cp = this.checkpointsById.get(id);
    if (!cp) throw new Error(`unknown checkpoint ${id}`);
    return cp;
  }

  hasCheckpoint(id: string): boolean {
    return this.checkpointsById.has(id);
  }
}

export function isApplicable(step: StepDef, flags: Record<string, boolean>): boolean {
  return step.appliesTo === 'all' || flags[step.appliesTo.flag] === true;
}

/** "机电工程学院离校点" for a college checkpoint named by template, else the plain name. */
export function checkpointDisplayName(cp: CheckpointDef, student?: Pick<Student, 'college'>): string {
  if (cp.nameTemplate && student) return cp.nameTemplate.replaceAll('{college}', student.college);
  return cp.name;
}
