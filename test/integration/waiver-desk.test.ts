import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../src-shared/contract/counter-api';
import type { InitialState, RosterStudent } from '../../src-shared/domain/types';
import { idCardCheckDigit } from '../../src-shared/scan/classify';
import { createReplica, type Replica } from '../../src-main/db';
import { createCounterService, type CounterService } from '../../src-main/counter/service';
import { loadDemoBatch } from '../../src-main/demo/demo-replica';

const batch = loadDemoBatch();
const NOW = new Date('2027-06-22T01:15:00.000Z');
const GAO = '0801020227';
const LEI = '0801020203';

function student(studentNo: string, n: number, name: string): RosterStudent {
  const first17 = `43010220030101${String(n).padStart(3, '0')}`;
  return {
    studentNo,
    name,
    gender: '男',
    college: '机电工程学院',
    major: '安全工程',
    className: '08安全2班',
    dorm: null,
    idCard: first17 + idCardCheckDigit(first17),
    isPrevious: false,
    flags: {},
  };
}

// 高鹏 has done everything but 缴还欠款 (he brings a 缓交 certificate); 雷宇 has paid his debt.
const everyRequired = ['return-instruments', 'return-books', 'return-student-card', 'electricity', 'dorm-clearance'];
const initial: InitialState[] = [
  ...everyRequired.map((stepId) => ({ studentNo: GAO, stepId, status: 'passed' as const })),
  { studentNo: LEI, stepId: 'repay-debt', status: 'passed' },
];

let replica: Replica;
let service: CounterService;
let events: ChangeEvent[];

function open(grants: { checkpointId: string; colleges: 'all' | string[] }[]): void {
  const path = join(mkdtempSync(join(tmpdir(), 'lixiao-waiver-')), 'counter.db');
  replica = createReplica(path, batch, [student(GAO, 1, '高鹏'), student(LEI, 2, '雷宇')], initial, {
    deviceId: 'counter-3',
    operator: { id: 'op-9', name: '周老师' },
    grants,
    checkpointId: 'certificates',
  });
  service = createCounterService(replica, { now: () => NOW });
  events = [];
  service.subscribe((e) => events.push(e));
}

const ALL_GRANTS = batch.checkpoints.map((cp) => ({ checkpointId: cp.id, colleges: cp.scope === 'college' ? ['机电工程学院'] : ('all' as const) }));

afterEach(() => replica.close());

/** Every table a waiver write touches, whole, so a refusal can be shown to leave them as they were. */
function written(): unknown[][] {
  return ['outbox', 'waivers', 'audit_log', 'step_states'].map((table) => replica.sqlite.prepare(`select * from ${table} order by rowid`).all());
}

describe('waiver desk (调整离校点限制)', () => {
  beforeEach(() => open(ALL_GRANTS));

  it('lists the gating steps that apply with 限制状态 and what the toggle would do', () => {
    const desk = service.call('waivers.forStudent', { studentNo: GAO });
    expect(desk.student).toMatchObject({ studentNo: GAO, name: '高鹏', className: '08安全2班' });
    expect(desk.rows.map((r) => r.stepId)).toEqual([
      'return-instruments',
      'return-books',
      'return-student-card',
      'electricity',
      'dorm-clearance',
      'repay-debt',
    ]);
    const debt = desk.rows.find((r) => r.stepId === 'repay-debt')!;
    expect(debt).toMatchObject({ checkpointName: '财务处离校点', checkpointDone: false, status: 'pending', lifted: false, toggle: 'lift', disabledReason: null });
    expect(desk.rows.find((r) => r.stepId === 'return-books')).toMatchObject({ status: 'passed', disabledReason: '此环节已通过，无需解除限制' });
    const degree = desk.gated.find((g) => g.stepId === 'degree-cert')!;
    expect(degree.checkpointName).toBe('机电工程学院领取证件');
    expect(degree.missing).toEqual([{ checkpointId: 'finance', checkpointName: '财务处离校点', steps: [{ id: 'repay-debt', name: '缴还欠款' }] }]);
  });

  it('lifting opens the certificate gate; it is audited, in the outbox and listed; imposing closes it again', () => {
    const before = service.call('students.detail', { studentNo: GAO });
    expect(before.actions.find((a) => a.id === 'degree-cert')?.pass).toMatchObject({ code: 'blocked' });

    const desk = service.call('waivers.set', { studentNo: GAO, stepId: 'repay-debt', lifted: true, note: '缓交证明 2027-015' });
    expect(desk.rows.find((r) => r.stepId === 'repay-debt')).toMatchObject({ lifted: true, toggle: 'impose', updatedBy: '周老师', updatedAt: NOW.toISOString(), note: '缓交证明 2027-015' });
    expect(desk.gated.every((g) => g.missing.length === 0)).toBe(true);
    expect(service.call('students.detail', { studentNo: GAO }).actions.find((a) => a.id === 'degree-cert')?.pass).toBeNull();
    expect(replica.sqlite.prepare('select kind, student_no, step_id, base_version, args from outbox').all()).toEqual([
      { kind: 'lift', student_no: GAO, step_id: 'repay-debt', base_version: 0, args: JSON.stringify({ note: '缓交证明 2027-015' }) },
    ]);
    expect(replica.sqlite.prepare('select kind, operator_id, at from audit_log').all()).toEqual([{ kind: 'lift', operator_id: 'op-9', at: NOW.toISOString() }]);
    expect(events).toEqual([{ type: 'changed', studentNos: [GAO], source: 'local' }]);

    expect(service.call('waivers.lifted', {})).toEqual({
      total: 1,
      rows: [
        {
          studentNo: GAO,
          name: '高鹏',
          className: '08安全2班',
          college: '机电工程学院',
          stepId: 'repay-debt',
          stepName: '缴还欠款',
          checkpointName: '财务处离校点',
          status: 'pending',
          by: '周老师',
          at: NOW.toISOString(),
          note: '缓交证明 2027-015',
        },
      ],
    });

    expect(() => service.call('waivers.set', { studentNo: GAO, stepId: 'repay-debt', lifted: true, note: '' })).toThrow('此环节的限制已经解除');

    service.call('waivers.set', { studentNo: GAO, stepId: 'repay-debt', lifted: false, note: '' });
    expect(service.call('students.detail', { studentNo: GAO }).actions.find((a) => a.id === 'degree-cert')?.pass).toMatchObject({ code: 'blocked' });
    expect(service.call('waivers.lifted', {})).toEqual({ total: 0, rows: [] });
    expect(replica.sqlite.prepare('select kind, base_version from outbox order by device_seq').all()).toEqual([
      { kind: 'lift', base_version: 0 },
      { kind: 'impose', base_version: 1 },
    ]);
    expect(() => service.call('waivers.set', { studentNo: GAO, stepId: 'repay-debt', lifted: false, note: '' })).toThrow('此环节的限制没有解除，无需恢复');
  });

  it('refuses to lift a step that is already passed, or one that gates nothing, and writes nothing', () => {
    expect(service.call('waivers.forStudent', { studentNo: LEI }).rows.find((r) => r.stepId === 'repay-debt')).toMatchObject({
      checkpointDone: true,
      status: 'passed',
      disabledReason: '此环节已通过，无需解除限制',
    });
    const before = written();
    expect(() => service.call('waivers.set', { studentNo: LEI, stepId: 'repay-debt', lifted: true, note: '' })).toThrow('此环节已通过，无需解除限制');
    expect(() => service.call('waivers.set', { studentNo: LEI, stepId: 'degree-cert', lifted: true, note: '' })).toThrow('此环节不是任何环节的前提，无需解除限制');
    expect(() => service.call('waivers.forStudent', { studentNo: '0000000000' })).toThrow('未找到学生：0000000000');
    expect(written()).toEqual(before);
    expect(events).toEqual([]);
  });
});

describe('who may lift', () => {
  it('an operator without the step checkpoint sees why and is refused', () => {
    open([{ checkpointId: 'certificates', colleges: ['机电工程学院'] }]);
    const debt = service.call('waivers.forStudent', { studentNo: GAO }).rows.find((r) => r.stepId === 'repay-debt')!;
    expect(debt.disabledReason).toBe('您没有财务处离校点的权限，不能办理“缴还欠款”');
    const before = written();
    expect(() => service.call('waivers.set', { studentNo: GAO, stepId: 'repay-debt', lifted: true, note: '' })).toThrow('您没有财务处离校点的权限，不能办理“缴还欠款”');
    expect(written()).toEqual(before);
    expect(events).toEqual([]);
  });
});
