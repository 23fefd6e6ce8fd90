import type { BatchIndex } from '../../src-shared/domain/batch';
import {
  evaluateCheckpoint,
  isCheckpointComplete,
  mergeMissing,
  prerequisiteIds,
  type MissingGroup,
  type StudentGateInput,
} from '../../src-shared/domain/gate';

/**
 * Where a student stands at one checkpoint, computed two ways that must agree: in TypeScript with
 * the shared gate rules (for one student or a page), and as SQL conditions (to filter 20,000
 * students without loading them). test/integration/counter-search.test.ts checks the two agree.
 */

/** Everything still missing before the checkpoint can act, over the steps that apply. */
export function checkpointMissing(batch: BatchIndex, input: StudentGateInput, checkpointId: string): MissingGroup[] {
  return mergeMissing(
    batch,
    evaluateCheckpoint(batch, input, checkpointId).filter((g) => g.applicable),
  );
}

export function isPrereqDone(batch: BatchIndex, input: StudentGateInput, checkpointId: string): boolean {
  return checkpointMissing(batch, input, checkpointId).length === 0;
}

export function isCurrentDone(batch: BatchIndex, input: StudentGateInput, checkpointId: string): boolean {
  return isCheckpointComplete(batch, input, checkpointId);
}

/** An SQL boolean expression over the students row aliased `s`, with its parameters. */
export interface SqlCondition {
  text: string;
  params: (string | number)[];
}

const FALSE: SqlCondition = { text: '0', params: [] };

function placeholders(ids: readonly string[]): string {
  return ids.map(() => '?').join(', ');
}

/**
 * True when a required applicable step of the checkpoint is not passed. Relies on the replica's
 * invariant that a step that does not apply to a student is stored as 'na' and only then.
 */
export function currentNotDoneSql(batch: BatchIndex, checkpointId: string): SqlCondition {
  const required = batch.checkpoint(checkpointId).steps.filter((s) => s.required).map((s) => s.id);
  if (required.length === 0) return FALSE;
  return {
    text: `exists (select 1 from step_states c where c.student_no = s.student_no
             and c.step_id in (${placeholders(required)}) and c.status in ('pending', 'rejected'))`,
    params: required,
  };
}

/**
 * True when some applicable step of the checkpoint waits for a required prerequisite that is
 * pending or rejected and not lifted. Prerequisites are grouped by the set of the checkpoint's
 * steps that wait for them, so the usual "all other required steps" gate is a single group.
 */
export function prereqBlockedSql(batch: BatchIndex, checkpointId: string): SqlCondition {
  const waiters = new Map<string, string[]>();
  for (const step of batch.checkpoint(checkpointId).steps) {
    for (const prereq of prerequisiteIds(batch, step.id)) {
      if (!batch.step(prereq).step.required) continue;
      const list = waiters.get(prereq) ?? [];
      list.push(step.id);
      waiters.set(prereq, list);
    }
  }
  const groups = new Map<string, { prereqs: string[]; waiting: string[] }>();
  for (const [prereq, waiting] of waiters) {
    const key = waiting.join('\u0000');
    const group = groups.get(key) ?? { prereqs: [], waiting };
    group.prereqs.push(prereq);
    groups.set(key, group);
  }
  if (groups.size === 0) return FALSE;
  const alternatives: string[] = [];
  const params: (string | number)[] = [];
  for (const { prereqs, waiting } of groups.values()) {
    alternatives.push(
      `(p.step_id in (${placeholders(prereqs)}) and exists (select 1 from step_states g where g.student_no = s.student_no
          and g.step_id in (${placeholders(waiting)}) and g.status <> 'na'))`,
    );
    params.push(...prereqs, ...waiting);
  }
  return {
    text: `exists (select 1 from step_states p where p.student_no = s.student_no and p.status in ('pending', 'rejected')
             and not exists (select 1 from waivers w where w.student_no = p.student_no and w.step_id = p.step_id and w.lifted = 1)
             and (${alternatives.join(' or ')}))`,
    params,
  };
}
