import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, type Input } from '../../src-shared/contract/counter-api';
import { generateRoster } from '../../src-shared/demo/roster';
import { isApplicable } from '../../src-shared/domain/batch';
import { parseBatchDefinitionText } from '../../src-shared/domain/batch-definition';
import { evaluateCheckpoint, isCheckpointComplete, type StudentGateInput } from '../../src-shared/domain/gate';
import { gatingStepIds } from '../../src-shared/domain/actions';
import type { BatchDef, RosterStudent, StepStatus } from '../../src-shared/domain/types';
import { createReplica, type Replica } from '../../src-main/db';
import { readSession } from '../../src-main/db/session-store';
import { applyMany } from '../../src-main/counter/mutate';
import { createCounterService, type CounterService } from '../../src-main/counter/service';

const batch = parseBatchDefinitionText(readFileSync(join(__dirname, '../../resources/demo-batch.json'), 'utf8'));
const everyCheckpoint = batch.checkpoints.map((cp) => ({ checkpointId: cp.id, colleges: 'all' as const }));
const { students, initial } = generateRoster(batch, { seed: 5, size: 900 });

let replica: Replica;
let service: CounterService;

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'lixiao-search-'));
  replica = createReplica(join(dir, 'counter.db'), batch, students, initial, {
    deviceId: 'counter-1',
    operator: { id: 'op-1', name: '王老师' },
    grants: everyCheckpoint,
  });
  service = createCounterService(replica);
  // Lift a few restrictions so the gate filters meet waivers too.
  const session = readSession(replica.sqlite, replica.batch);
  const gating = gatingStepIds(replica.batch);
  const lifts = students.slice(0, 120).flatMap((s) =>
    gating
      .filter((stepId) => isApplicable(replica.batch.step(stepId).step, s.flags))
      .slice(0, 2)
      .map((stepId) => ({ kind: 'lift' as const, studentNo: s.studentNo, stepId, note: '缓交' })),
  );
  const { ops } = applyMany(replica, session, lifts, { onRefusal: 'skip' });
  expect(ops.length).toBeGreaterThan(50);
});
afterAll(() => replica.close());

/** The gate input straight from the tables, evaluated with the shared rules only. */
function gateInputOf(r: Replica, student: RosterStudent): StudentGateInput {
  const studentNo = student.studentNo;
  const states = r.sqlite.prepare('select step_id, status from step_states where student_no = ?').all(studentNo) as {
    step_id: string;
    status: StepStatus;
  }[];
  const lifted = r.sqlite.prepare('select step_id from waivers where student_no = ? and lifted = 1').all(studentNo) as {
    step_id: string;
  }[];
  return {
    student,
    status: new Map(states.map((s) => [s.step_id, s.status])),
    lifted: new Set(lifted.map((l) => l.step_id)),
  };
}

function searchAll(svc: CounterService, input: Input<'students.search'>): string[] {
  const out: string[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = svc.call('students.search', { ...input, limit: 500, offset });
    out.push(...page.rows.map((r) => r.studentNo));
    if (page.rows.length < 500) {
      expect(page.total).toBe(out.length);
      return out;
    }
  }
}

describe('students.lookup', () => {
  const s = students[17] as RosterStudent;

  it('finds a 学号 exactly', () => {
    const { scan, students: found } = service.call('students.lookup', { text: ` ${s.studentNo} ` });
    expect(scan).toEqual({ kind: 'studentNo', value: s.studentNo });
    expect(found.map((f) => f.studentNo)).toEqual([s.studentNo]);
    expect(found[0]).not.toHaveProperty('flags');
    expect(found[0]?.idCardMasked).not.toBe(s.idCard);
  });

  it('finds a full 身份证号 by its hash, lower-case x included', () => {
    const { scan, students: found } = service.call('students.lookup', { text: s.idCard.toLowerCase() });
    expect(scan.kind).toBe('idCard');
    expect(found.map((f) => f.studentNo)).toEqual([s.studentNo]);
  });

  it('offers every student with the same last six digits', () => {
    const last6 = s.idCard.slice(-6);
    const { scan, students: found } = service.call('students.lookup', { text: last6 });
    expect(scan).toEqual({ kind: 'idLast6', value: last6 });
    const expected = students.filter((x) => x.idCard.slice(-6) === last6).map((x) => x.studentNo).sort();
    expect(found.map((f) => f.studentNo)).toEqual(expected);
  });

  it('finds names partially, exact matches first', () => {
    const surname = [...s.name][0] as string;
    const { scan, students: found } = service.call('students.lookup', { text: s.name });
    expect(scan).toEqual({ kind: 'name', value: s.name });
    expect(found[0]?.name).toBe(s.name);
    const partial = service.call('students.lookup', { text: surname }).students;
    expect(partial.length).toBeGreaterThan(1);
    expect(partial.every((p) => p.name.includes(surname))).toBe(true);
  });

  it('returns the classification and no students for garbage or a bad checksum', () => {
    expect(service.call('students.lookup', { text: '!!??' })).toEqual({
      scan: { kind: 'invalid', reason: 'unrecognised', raw: '!!??' },
      students: [],
    });
    const bad = s.idCard.slice(0, 17) + (s.idCard[17] === '1' ? '2' : '1');
    expect(service.call('students.lookup', { text: bad }).scan).toMatchObject({ kind: 'invalid', reason: 'id_checksum' });
    expect(service.call('students.lookup', { text: '0399999999' }).students).toEqual([]);
  });
});

describe('students.search', () => {
  const s = students[42] as RosterStudent;

  it('filters by 学号 prefix, name, 身份证号, college, class, dorm and 往届', () => {
    expect(searchAll(service, { studentNo: s.studentNo.slice(0, 8) })).toEqual(
      students.filter((x) => x.studentNo.startsWith(s.studentNo.slice(0, 8))).map((x) => x.studentNo).sort(),
    );
    expect(searchAll(service, { name: s.name })).toEqual(students.filter((x) => x.name.includes(s.name)).map((x) => x.studentNo).sort());
    expect(searchAll(service, { idCard: s.idCard })).toEqual([s.studentNo]);
    expect(searchAll(service, { idCard: s.idCard.slice(-6) })).toContain(s.studentNo);
    expect(searchAll(service, { college: s.college, className: s.className })).toEqual(
      students.filter((x) => x.className === s.className && x.college === s.college).map((x) => x.studentNo).sort(),
    );
    expect(searchAll(service, { dorm: s.dorm as string })).toEqual(students.filter((x) => x.dorm === s.dorm).map((x) => x.studentNo).sort());
    expect(searchAll(service, { isPrevious: true })).toEqual(students.filter((x) => x.isPrevious).map((x) => x.studentNo).sort());
    expect(searchAll(service, { name: '%' })).toEqual([]);
  });

  it('refuses a partial 身份证号 with a Chinese message', () => {
    expect(() => service.call('students.search', { idCard: '4301022003' })).toThrowError(
      new ApiError('bad_input', '身份证号请输入完整的 18 位，或只输入后 6 位'),
    );
  });

  it('pages in 学号 order with a total', () => {
    const first = service.call('students.search', { limit: 10 });
    const second = service.call('students.search', { limit: 10, offset: 10 });
    expect(first.total).toBe(students.length);
    const sorted = students.map((x) => x.studentNo).sort();
    expect([...first.rows, ...second.rows].map((r) => r.studentNo)).toEqual(sorted.slice(0, 20));
  });

  it.each(batch.checkpoints.map((cp) => cp.id))('prereq and current filters agree with the shared gate rules at %s', (checkpointId) => {
    expectFiltersAgree(replica, service, students, checkpointId);
  });
});

/** Explicit prerequisite lists, different per step, one of them on a step only some students have. */
const customBatch: BatchDef = {
  ...batch,
  checkpoints: batch.checkpoints.map((cp) =>
    cp.id === 'student-affairs'
      ? {
          ...cp,
          steps: cp.steps.map((step) =>
            step.id === 'return-student-card'
              ? { ...step, gate: { requires: ['return-books'] } }
              : { ...step, gate: { requires: ['repay-debt', 'return-books', 'party-transfer'] } },
          ),
        }
      : cp,
  ),
};

describe('students.search with explicit prerequisite lists', () => {
  const custom = generateRoster(customBatch, { seed: 8, size: 600 });
  let customReplica: Replica;
  let customService: CounterService;
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'lixiao-search-'));
    customReplica = createReplica(join(dir, 'counter.db'), customBatch, custom.students, custom.initial, {
      deviceId: 'counter-2',
      operator: { id: 'op-1', name: '王老师' },
      grants: [{ checkpointId: 'student-affairs', colleges: 'all' }],
    });
    customService = createCounterService(customReplica);
  });
  afterAll(() => customReplica.close());

  it('agrees with the shared gate rules', () => {
    expectFiltersAgree(customReplica, customService, custom.students, 'student-affairs');
  });
});

function expectFiltersAgree(r: Replica, svc: CounterService, people: RosterStudent[], checkpointId: string): void {
  svc.call('session.setCheckpoint', { checkpointId });
  const prereqDone = new Set<string>();
  const currentDone = new Set<string>();
  for (const x of people) {
    const input = gateInputOf(r, x);
    const open = evaluateCheckpoint(r.batch, input, checkpointId).every((g) => !g.applicable || g.missing.length === 0);
    if (open) prereqDone.add(x.studentNo);
    if (isCheckpointComplete(r.batch, input, checkpointId)) currentDone.add(x.studentNo);
  }
  // Where the checkpoint is gated, the prerequisite filter must split the roster, or the
  // comparison proves little.
  if (r.batch.checkpoint(checkpointId).steps.some((step) => step.gate)) {
    expect(prereqDone.size).toBeGreaterThan(0);
    expect(prereqDone.size).toBeLessThan(people.length);
  }
  const all = people.map((x) => x.studentNo).sort();
  for (const prereq of ['all', 'done', 'notDone'] as const) {
    for (const current of ['all', 'done', 'notDone'] as const) {
      const expected = all.filter(
        (no) =>
          (prereq === 'all' || prereqDone.has(no) === (prereq === 'done')) &&
          (current === 'all' || currentDone.has(no) === (current === 'done')),
      );
      expect(searchAll(svc, { prereq, current }), `${prereq}/${current}`).toEqual(expected);
    }
  }
  for (const row of svc.call('students.search', { limit: 500 }).rows) {
    expect(row.prereqDone).toBe(prereqDone.has(row.studentNo));
    expect(row.currentDone).toBe(currentDone.has(row.studentNo));
  }
}
