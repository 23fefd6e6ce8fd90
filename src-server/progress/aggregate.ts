import type { CheckpointProgress, GroupProgress, ProgressLine, ProgressView, UnfinishedStudent } from '../../src-shared/contract/console-api';
import { checkpointDisplayName } from '../../src-shared/domain/batch';
import { scopeIncludes, type LeaderScope } from '../../src-shared/domain/console-roles';
import type { LoadedBatch } from '../sync/batch-cache';
import type { StudentProgress } from './progress-cache';

export interface Drill {
  college?: string;
  className?: string;
}

function emptyLine(): ProgressLine {
  return { total: 0, completed: 0, unfinished: 0, previous: 0 };
}

function count(line: ProgressLine, student: StudentProgress): void {
  line.total++;
  if (student.complete) line.completed++;
  else line.unfinished++;
  if (student.isPrevious) line.previous++;
}

function lineOf(list: StudentProgress[]): ProgressLine {
  const line = emptyLine();
  for (const s of list) count(line, s);
  return line;
}

function groupBy(list: StudentProgress[], key: (s: StudentProgress) => string): GroupProgress[] {
  const groups = new Map<string, ProgressLine>();
  for (const s of list) {
    const name = key(s);
    let line = groups.get(name);
    if (!line) groups.set(name, (line = emptyLine()));
    count(line, s);
  }
  return [...groups.entries()].map(([name, line]) => ({ name, line })).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
}

/** Per checkpoint and step: who it applies to, passed, 未通过, still open. */
function checkpointsOf(batch: LoadedBatch, list: StudentProgress[]): CheckpointProgress[] {
  let order = 0;
  return batch.def.checkpoints.map((cp) => {
    const first = order;
    order += cp.steps.length;
    const steps = cp.steps.map((step, i) => {
      const at = first + i;
      const line = { id: step.id, name: step.name, required: step.required, applicable: 0, passed: 0, rejected: 0, pending: 0 };
      for (const s of list) {
        const status = s.statuses[at];
        if (status === 'na') continue;
        line.applicable++;
        if (status === 'passed') line.passed++;
        else if (status === 'rejected') line.rejected++;
        else line.pending++;
      }
      return line;
    });
    let applicable = 0;
    let completed = 0;
    for (const s of list) {
      const own = cp.steps.map((_, i) => ({ step: cp.steps[i]!, status: s.statuses[first + i] }));
      if (own.every((o) => o.status === 'na')) continue;
      applicable++;
      if (own.every((o) => !o.step.required || o.status === 'passed' || o.status === 'na')) completed++;
    }
    return { id: cp.id, name: cp.name, applicable, completed, steps };
  });
}

/** The steps a student still owes under the completion rule, "离校点：环节". */
function missingOf(batch: LoadedBatch, s: StudentProgress): string[] {
  const rule = batch.def.completionRule;
  return batch.index.steps
    .filter((ref, i) => (rule === 'all' || ref.step.required) && s.statuses[i] !== 'passed' && s.statuses[i] !== 'na')
    .map((ref) => `${checkpointDisplayName(ref.checkpoint, s)}：${ref.step.name}`);
}

function unfinishedOf(batch: LoadedBatch, list: StudentProgress[]): UnfinishedStudent[] {
  return list
    .filter((s) => !s.complete)
    .sort((a, b) => a.studentNo.localeCompare(b.studentNo))
    .map((s) => ({ studentNo: s.studentNo, name: s.name, isPrevious: s.isPrevious, missing: missingOf(batch, s) }));
}

/**
 * The dashboard at one level: the caller's whole scope by college, one college by class, or
 * one class with its unfinished students. Students outside the scope are never counted.
 */
export function aggregateProgress(
  batch: LoadedBatch,
  seq: number,
  all: Iterable<StudentProgress>,
  scope: LeaderScope,
  drill: Drill,
  now: Date,
): ProgressView {
  const list: StudentProgress[] = [];
  for (const s of all) {
    if (!scopeIncludes(scope, s)) continue;
    if (drill.college !== undefined && s.college !== drill.college) continue;
    if (drill.className !== undefined && s.className !== drill.className) continue;
    list.push(s);
  }
  const level = drill.className !== undefined ? null : drill.college !== undefined ? ('classes' as const) : ('colleges' as const);
  return {
    batch: { id: batch.id, name: batch.name },
    seq,
    computedAt: now.toISOString(),
    college: drill.college ?? null,
    className: drill.className ?? null,
    line: lineOf(list),
    checkpoints: checkpointsOf(batch, list),
    groups: level === null ? { level: 'classes', rows: [] } : { level, rows: groupBy(list, level === 'colleges' ? (s) => s.college : (s) => s.className) },
    unfinished: level === null ? unfinishedOf(batch, list) : [],
  };
}
