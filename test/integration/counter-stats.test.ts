import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatsLine } from '../../src-shared/contract/counter-api';
import { generateRoster } from '../../src-shared/demo/roster';
import { BatchIndex, isApplicable } from '../../src-shared/domain/batch';
import { parseBatchDefinitionText } from '../../src-shared/domain/batch-definition';
import { effectiveStatus, isStudentComplete, type StudentGateInput } from '../../src-shared/domain/gate';
import type { BatchDef, CheckpointDef, RosterStudent, StepStatus } from '../../src-shared/domain/types';
import { createReplica, type Replica } from '../../src-main/db';
import { createCounterService, type CounterService } from '../../src-main/counter/service';

const demo = parseBatchDefinitionText(readFileSync(join(__dirname, '../../resources/demo-batch.json'), 'utf8'));
const NOW = new Date('2027-06-21T10:00:00.000Z');

interface Setup {
  replica: Replica;
  service: CounterService;
  students: RosterStudent[];
  index: BatchIndex;
}

function setup(batch: BatchDef, grants: { checkpointId: string; colleges: 'all' | string[] }[]): Setup {
  const { students, initial } = generateRoster(batch, { seed: 21, size: 700 });
  const dir = mkdtempSync(join(tmpdir(), 'lixiao-stats-'));
  const replica = createReplica(join(dir, 'counter.db'), batch, students, initial, {
    deviceId: 'counter-1',
    operator: { id: 'op-1', name: '王老师' },
    grants,
  });
  return { replica, service: createCounterService(replica, { now: () => NOW }), students, index: new BatchIndex(batch) };
}

function inputOf(s: Setup, student: RosterStudent): StudentGateInput {
  const rows = s.replica.sqlite.prepare('select step_id, status from step_states where student_no = ?').all(student.studentNo) as {
    step_id: string;
    status: StepStatus;
  }[];
  return { student, status: new Map(rows.map((r) => [r.step_id, r.status])), lifted: new Set() };
}

/** The expected numbers, counted student by student with the shared rules. */
function expectedLine(id: string, name: string, people: RosterStudent[], applies: (x: RosterStudent) => boolean, unfinished: (x: RosterStudent) => boolean): StatsLine {
  const line = { id, name, total: 0, unfinished: 0, previousTotal: 0, previousUnfinished: 0 };
  for (const x of people) {
    if (!applies(x)) continue;
    if (x.isPrevious) {
      line.previousTotal++;
      if (unfinished(x)) line.previousUnfinished++;
    } else {
      line.total++;
      if (unfinished(x)) line.unfinished++;
    }
  }
  return line;
}

function expectedStats(s: Setup, checkpoint: CheckpointDef, name: string, people: RosterStudent[]) {
  const rule = s.index.def.completionRule;
  const open = (x: RosterStudent, stepId: string) => {
    const status = effectiveStatus(s.index, inputOf(s, x), stepId);
    return status === 'pending' || status === 'rejected';
  };
  const counted = checkpoint.steps.filter((st) => rule === 'all' || st.required);
  const current = s.students.filter((x) => !x.isPrevious);
  return {
    school: { total: current.length, unfinished: current.filter((x) => !isStudentComplete(s.index, inputOf(s, x))).length },
    checkpoint: expectedLine(
      checkpoint.id,
      name,
      people,
      (x) => checkpoint.steps.some((st) => isApplicable(st, x.flags)),
      (x) => counted.some((st) => open(x, st.id)),
    ),
    steps: checkpoint.steps.map((st) =>
      expectedLine(st.id, st.name, people, (x) => isApplicable(st, x.flags), (x) => open(x, st.id)),
    ),
    computedAt: NOW.toISOString(),
  };
}

describe('stats.checkpoint', () => {
  let s: Setup;
  beforeAll(() => {
    s = setup(
      demo,
      demo.checkpoints.map((cp) => ({ checkpointId: cp.id, colleges: 'all' as const })),
    );
  });
  afterAll(() => s.replica.close());

  it.each(demo.checkpoints.map((cp) => cp.id))('matches a direct count at %s', (checkpointId) => {
    s.service.call('session.setCheckpoint', { checkpointId });
    const checkpoint = s.index.checkpoint(checkpointId);
    const stats = s.service.call('stats.checkpoint', {});
    expect(stats).toEqual(expectedStats(s, checkpoint, checkpoint.name, s.students));
  });

  it('follows an updated state at once', () => {
    s.service.call('session.setCheckpoint', { checkpointId: 'dorm' });
    const before = s.service.call('stats.checkpoint', {}).checkpoint;
    expect(before.previousTotal).toBeGreaterThan(0);
    const pending = s.service.call('students.search', { current: 'notDone', isPrevious: false, limit: 1 }).rows[0];
    s.service.call('steps.apply', { studentNo: pending?.studentNo ?? '', stepId: 'dorm-clearance', action: 'pass' });
    expect(s.service.call('stats.checkpoint', {}).checkpoint.unfinished).toBe(before.unfinished - 1);
  });
});

describe('stats for a college operator and the 办结全部 rule', () => {
  it('counts only the operator’s college and every step when the rule says all', () => {
    const batch: BatchDef = { ...demo, completionRule: 'all' };
    const s = setup(batch, [
      { checkpointId: 'college', colleges: ['外国语学院'] },
      { checkpointId: 'finance', colleges: 'all' },
    ]);
    try {
      const college = s.index.checkpoint('college');
      const stats = s.service.call('stats.checkpoint', {});
      const people = s.students.filter((x) => x.college === '外国语学院');
      expect(people.length).toBeGreaterThan(0);
      expect(stats).toEqual(expectedStats(s, college, '外国语学院离校点', people));
      s.service.call('session.setCheckpoint', { checkpointId: 'finance' });
      const finance = s.service.call('stats.checkpoint', {});
      expect(finance).toEqual(expectedStats(s, s.index.checkpoint('finance'), '财务处离校点', s.students));
    } finally {
      s.replica.close();
    }
  });
});
