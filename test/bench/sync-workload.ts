import type { BatchDef, RosterStudent } from '../../src-shared/domain/types';
import { generateRoster } from '../../src-shared/demo/roster';
import { loadDemoBatch } from '../../src-main/demo/demo-replica';

/**
 * The one workload both sync stacks are measured on (issue 4): 20,000 students × 20 steps with
 * a server row for every step (400,000 state rows), then 10,000 operations made offline by one
 * counter. Deterministic, so our server and PouchDB receive exactly the same rows and changes.
 */

export const BENCH_SIZE = 20_000;
export const BENCH_OPS = 10_000;

/** The demo batch (16 steps) plus an archives desk with four optional steps: 20 steps in all. */
export function benchBatch(): BatchDef {
  const demo = loadDemoBatch();
  const archives = {
    id: 'archives',
    name: '档案馆离校点',
    scope: 'school' as const,
    steps: ['archive-check', 'archive-seal', 'archive-transfer', 'archive-receipt'].map((id, i) => ({
      id,
      name: ['档案核对', '档案密封', '档案转递', '转递回执'][i]!,
      required: false,
      mode: 'manual' as const,
      appliesTo: 'all' as const,
    })),
  };
  return { ...demo, id: 'bench-2027', name: '2027届离校（同步基准）', checkpoints: [...demo.checkpoints, archives] };
}

export interface SeededState {
  studentNo: string;
  stepId: string;
  status: 'passed' | 'pending' | 'rejected';
  note: string;
  version: number;
}

export interface BenchOp {
  studentNo: string;
  stepId: string;
  kind: 'pass' | 'revoke';
  note: string;
}

export interface SyncWorkload {
  batch: BatchDef;
  students: RosterStudent[];
  /** One row per student and step, as a mid-June server holds them. */
  states: SeededState[];
  /** What the offline counter does: each flips one archives step of a different student. */
  ops: BenchOp[];
}

/** A cheap deterministic hash: which steps a student has done. */
const mix = (i: number, j: number) => (Math.imul(i + 1, 2654435761) ^ Math.imul(j + 7, 40503)) >>> 0;

export function syncWorkload(size = BENCH_SIZE, opCount = BENCH_OPS): SyncWorkload {
  const batch = benchBatch();
  const { students } = generateRoster(batch, { seed: 11, size });
  const steps = batch.checkpoints.flatMap((c) => c.steps.map((s) => s.id));
  const states: SeededState[] = [];
  students.forEach((s, i) =>
    steps.forEach((stepId, j) => {
      const roll = mix(i, j) % 10;
      if (roll < 6) states.push({ studentNo: s.studentNo, stepId, status: 'passed', note: '', version: 1 });
      else if (roll < 7) states.push({ studentNo: s.studentNo, stepId, status: 'rejected', note: '材料不全', version: 1 });
      else states.push({ studentNo: s.studentNo, stepId, status: 'pending', note: '复核撤销', version: 2 });
    }),
  );
  const archiveSteps = steps.slice(-4);
  const byKey = new Map(states.map((s) => [`${s.studentNo}/${s.stepId}`, s]));
  const ops = students.slice(0, opCount).map((s, i): BenchOp => {
    const stepId = archiveSteps[i % archiveSteps.length]!;
    const passed = byKey.get(`${s.studentNo}/${stepId}`)!.status === 'passed';
    return passed ? { studentNo: s.studentNo, stepId, kind: 'revoke', note: '档案退回重审' } : { studentNo: s.studentNo, stepId, kind: 'pass', note: '' };
  });
  return { batch, students, states, ops };
}
