import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, type ChangeEvent } from '../../src-shared/contract/counter-api';
import { opSchema } from '../../src-shared/contract/ops';
import { parseBatchDefinitionText } from '../../src-shared/domain/batch-definition';
import type { InitialState, RosterStudent } from '../../src-shared/domain/types';
import { refusalMessage } from '../../src-shared/i18n/zh-CN';
import { idCardCheckDigit } from '../../src-shared/scan/classify';
import { createReplica, type Replica } from '../../src-main/db';
import { readSession } from '../../src-main/db/session-store';
import { applyMany, applyOps } from '../../src-main/counter/mutate';
import { createCounterService, type CounterService } from '../../src-main/counter/service';

const batch = parseBatchDefinitionText(readFileSync(join(__dirname, '../../resources/demo-batch.json'), 'utf8'));
const A = '0301010101';
const B = '0501010101';
const NOW = new Date('2027-06-20T08:30:00.000Z');

function student(studentNo: string, n: number, over: Partial<RosterStudent>): RosterStudent {
  const first17 = `43010220030101${String(n).padStart(3, '0')}`;
  return {
    studentNo,
    name: '李明',
    gender: '男',
    college: '机电工程学院',
    major: '自动化',
    className: '23自动化1班',
    dorm: '1区-1栋-1层-0101',
    idCard: first17 + idCardCheckDigit(first17),
    isPrevious: false,
    flags: {},
    ...over,
  };
}

const roster = [student(A, 1, {}), student(B, 2, { name: '赵敏', college: '计算机科学与工程学院', flags: { 党团员: true } })];
// A has done everything required except 归还学生证 and 清理宿舍物品.
const initial: InitialState[] = ['return-instruments', 'return-books', 'electricity', 'repay-debt'].map((stepId) => ({
  studentNo: A,
  stepId,
  status: 'passed',
}));

let replica: Replica;
let service: CounterService;
let events: ChangeEvent[];

beforeEach(() => {
  const dir = mkdtempSync(join(tmpdir(), 'lixiao-apply-'));
  replica = createReplica(join(dir, 'counter.db'), batch, roster, initial, {
    deviceId: 'counter-7',
    operator: { id: 'op-1', name: '王老师' },
    grants: [
      { checkpointId: 'dorm', colleges: 'all' },
      { checkpointId: 'student-affairs', colleges: 'all' },
      { checkpointId: 'college', colleges: ['机电工程学院'] },
      { checkpointId: 'certificates', colleges: ['机电工程学院'] },
    ],
  });
  service = createCounterService(replica, { now: () => NOW });
  events = [];
  service.subscribe((e) => events.push(e));
});
afterEach(() => replica.close());

const count = (table: string) => (replica.sqlite.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
const stateOf = (no: string, stepId: string) =>
  replica.sqlite.prepare('select status, note, version, updated_at, updated_by from step_states where student_no = ? and step_id = ?').get(no, stepId);
const session = () => readSession(replica.sqlite, replica.batch);

function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected an ApiError');
}

describe('students.detail', () => {
  it('blocks the certificate desk until every other required step is passed, naming exactly what is missing', () => {
    service.call('session.setCheckpoint', { checkpointId: 'certificates' });
    const detail = service.call('students.detail', { studentNo: A });
    const missing = [
      { checkpointId: 'student-affairs', checkpointName: '学生工作处离校点', steps: [{ id: 'return-student-card', name: '归还学生证' }] },
      { checkpointId: 'dorm', checkpointName: '宿管中心离校点', steps: [{ id: 'dorm-clearance', name: '清理宿舍物品' }] },
    ];
    expect(detail.missing).toEqual(missing);
    expect(detail.inScope).toBe(true);
    expect(detail.complete).toBe(false);
    expect(detail.actions.map((a) => a.id)).toEqual(['degree-cert', 'diploma', 'report-card', 'hukou']);
    for (const action of detail.actions) expect(action.pass).toEqual({ code: 'blocked', missing });
    expect(refusalMessage({ code: 'blocked', missing })).toBe(
      '无法办理：当前学生没有完成以下步骤 学生工作处离校点: 归还学生证; 宿管中心离校点: 清理宿舍物品',
    );
    expect(detail.record.map((r) => r.name)).toEqual([
      '机电工程学院离校点',
      '图书馆离校点',
      '学生工作处离校点',
      '水电通信中心离校点',
      '宿管中心离校点',
      '网络信息中心离校点',
      '财务处离校点',
      '机电工程学院领取证件',
      '教务处离校点',
    ]);
    expect(detail.record[0]?.steps.find((s) => s.id === 'party-transfer')?.status).toBe('na');

    const refused = apiError(() => service.call('steps.apply', { studentNo: A, stepId: 'hukou', action: 'pass' }));
    expect(refused.code).toBe('refused');
    expect(refused.message).toBe('无法办理：当前学生没有完成以下步骤 学生工作处离校点: 归还学生证; 宿管中心离校点: 清理宿舍物品');

    service.call('session.setCheckpoint', { checkpointId: 'dorm' });
    service.call('steps.apply', { studentNo: A, stepId: 'dorm-clearance', action: 'pass' });
    service.call('session.setCheckpoint', { checkpointId: 'student-affairs' });
    service.call('steps.apply', { studentNo: A, stepId: 'return-student-card', action: 'pass' });
    service.call('session.setCheckpoint', { checkpointId: 'certificates' });
    const open = service.call('students.detail', { studentNo: A });
    expect(open.missing).toEqual([]);
    expect(open.actions.every((a) => a.pass === null)).toBe(true);
    for (const stepId of ['degree-cert', 'diploma', 'report-card', 'hukou']) {
      service.call('steps.apply', { studentNo: A, stepId, action: 'pass' });
    }
    expect(service.call('students.detail', { studentNo: A }).complete).toBe(true);
  });

  it('shows a college operator that another college is out of scope, and refuses the action', () => {
    service.call('session.setCheckpoint', { checkpointId: 'college' });
    const detail = service.call('students.detail', { studentNo: B });
    expect(detail.inScope).toBe(false);
    expect(detail.actions.find((a) => a.id === 'party-transfer')?.pass).toEqual({ code: 'out_of_scope' });
    const e = apiError(() => service.call('steps.apply', { studentNo: B, stepId: 'party-transfer', action: 'pass' }));
    expect(e).toMatchObject({ code: 'refused', message: '该学生不属于您负责的学院，不能办理' });
    expect(count('outbox')).toBe(0);
  });

  it('answers an unknown 学号 with not_found', () => {
    expect(apiError(() => service.call('students.detail', { studentNo: '0000000000' }))).toMatchObject({
      code: 'not_found',
      message: '未找到学生：0000000000',
    });
  });
});

describe('the mutation path', () => {
  it('passes, rejects and revokes with the state, the outbox op and the audit row written together', () => {
    service.call('session.setCheckpoint', { checkpointId: 'dorm' });
    const passed = service.call('steps.apply', { studentNo: A, stepId: 'dorm-clearance', action: 'pass', note: '钥匙已交' });
    const step = passed.actions[0];
    expect(step).toMatchObject({ status: 'passed', note: '钥匙已交', updatedBy: '王老师', updatedAt: NOW.toISOString() });
    expect(step?.revoke).toBeNull();
    expect(stateOf(A, 'dorm-clearance')).toEqual({
      status: 'passed',
      note: '钥匙已交',
      version: 1,
      updated_at: NOW.toISOString(),
      updated_by: 'op-1',
    });

    expect(apiError(() => service.call('steps.apply', { studentNo: A, stepId: 'dorm-clearance', action: 'revoke' }))).toMatchObject({
      code: 'refused',
      message: '请填写原因',
    });
    service.call('steps.apply', { studentNo: A, stepId: 'dorm-clearance', action: 'revoke', note: '误点' });
    expect(apiError(() => service.call('steps.apply', { studentNo: A, stepId: 'dorm-clearance', action: 'reject', note: '  ' })).message).toBe(
      '请填写原因',
    );
    service.call('steps.apply', { studentNo: A, stepId: 'dorm-clearance', action: 'reject', note: '床位未清理' });
    expect(stateOf(A, 'dorm-clearance')).toMatchObject({ status: 'rejected', note: '床位未清理', version: 3 });

    const outbox = replica.sqlite.prepare('select * from outbox order by device_seq').all() as Record<string, unknown>[];
    expect(outbox.map((o) => [o['device_seq'], o['kind'], o['base_version'], o['acked_at']])).toEqual([
      [1, 'pass', 0, null],
      [2, 'revoke', 1, null],
      [3, 'reject', 2, null],
    ]);
    const audit = replica.sqlite.prepare('select * from audit_log order by id').all() as Record<string, unknown>[];
    expect(audit.map((a) => [a['op_id'], a['kind'], a['from_status'], a['to_status'], a['note'], a['operator_id']])).toEqual([
      [outbox[0]?.['op_id'], 'pass', 'pending', 'passed', '钥匙已交', 'op-1'],
      [outbox[1]?.['op_id'], 'revoke', 'passed', 'pending', '误点', 'op-1'],
      [outbox[2]?.['op_id'], 'reject', 'pending', 'rejected', '床位未清理', 'op-1'],
    ]);
    expect(events).toEqual(Array(3).fill({ type: 'changed', studentNos: [A], source: 'local' }));
  });

  it('writes valid ops with UUIDv7 ids and a gapless deviceSeq across calls', () => {
    const s = session();
    const first = applyOps(replica, s, [{ kind: 'pass', studentNo: A, stepId: 'dorm-clearance' }], { now: () => NOW });
    const second = applyMany(
      replica,
      s,
      [
        { kind: 'pass', studentNo: A, stepId: 'return-student-card' },
        { kind: 'pass', studentNo: B, stepId: 'return-student-card' },
        { kind: 'reject', studentNo: B, stepId: 'dorm-clearance', note: '未退宿' },
      ],
      { now: () => NOW },
    );
    const ops = [...first.ops, ...second.ops];
    expect(ops.map((o) => o.deviceSeq)).toEqual([1, 2, 3, 4]);
    for (const op of ops) {
      expect(opSchema.parse(op)).toEqual(op);
      expect(op.opId[14]).toBe('7');
      expect(op).toMatchObject({ deviceId: 'counter-7', operatorId: 'op-1', clientTime: NOW.toISOString() });
    }
    const stored = replica.sqlite.prepare('select device_seq, op_id, args from outbox order by device_seq').all() as {
      device_seq: number;
      op_id: string;
      args: string;
    }[];
    expect(stored.map((r) => r.op_id)).toEqual(ops.map((o) => o.opId));
    expect(JSON.parse(stored[3]?.args ?? '')).toEqual({ note: '未退宿' });
  });

  it('rolls everything back when one request is refused', () => {
    const before = { outbox: count('outbox'), audit: count('audit_log'), card: stateOf(A, 'return-student-card') };
    const result = applyOps(replica, session(), [
      { kind: 'pass', studentNo: A, stepId: 'return-student-card' },
      { kind: 'pass', studentNo: A, stepId: 'dorm-clearance' },
      { kind: 'revoke', studentNo: A, stepId: 'electricity', note: '复核' },
    ]);
    expect(result.ops).toEqual([]);
    expect(result.refusals).toEqual([
      {
        index: 2,
        request: { kind: 'revoke', studentNo: A, stepId: 'electricity', note: '复核' },
        reason: { code: 'no_grant' },
        message: '您没有水电通信中心离校点的权限，不能办理“清理电费”',
      },
    ]);
    expect({ outbox: count('outbox'), audit: count('audit_log'), card: stateOf(A, 'return-student-card') }).toEqual(before);
    expect(events).toEqual([]);
  });

  it('leaves nothing behind when a write fails half-way through the transaction', () => {
    replica.sqlite.exec(`create temp trigger fail_audit before insert on audit_log begin select raise(abort, 'disk says no'); end`);
    expect(() => applyOps(replica, session(), [{ kind: 'pass', studentNo: A, stepId: 'dorm-clearance' }])).toThrow('disk says no');
    expect(stateOf(A, 'dorm-clearance')).toMatchObject({ status: 'pending', version: 0 });
    expect(count('outbox')).toBe(0);
    expect(events).toEqual([]);
  });

  it('skips refused requests on demand, reporting them, and still writes the rest at once', () => {
    const result = applyMany(
      replica,
      session(),
      [
        { kind: 'pass', studentNo: A, stepId: 'dorm-clearance' },
        { kind: 'pass', studentNo: '0399999999', stepId: 'dorm-clearance' },
        { kind: 'pass', studentNo: B, stepId: 'dorm-clearance' },
        { kind: 'pass', studentNo: A, stepId: 'dorm-clearance' },
      ],
      { onRefusal: 'skip' },
    );
    expect(result.ops.map((o) => [o.deviceSeq, o.studentNo])).toEqual([
      [1, A],
      [2, B],
    ]);
    expect(result.refusals.map((r) => [r.index, r.message])).toEqual([
      [1, '未找到学生：0399999999'],
      [3, '此环节已通过'],
    ]);
    expect(events).toEqual([{ type: 'changed', studentNos: [A, B], source: 'local' }]);
  });

  it('lifts and re-imposes a restriction through the same path', () => {
    service.call('session.setCheckpoint', { checkpointId: 'certificates' });
    const lift = applyOps(replica, session(), [{ kind: 'lift', studentNo: A, stepId: 'dorm-clearance', note: '缓交住宿费' }]);
    expect(lift.refusals).toEqual([]);
    expect(lift.ops[0]).toMatchObject({ kind: 'lift', deviceSeq: 1, base: { version: 0 }, args: { note: '缓交住宿费' } });
    const detail = service.call('students.detail', { studentNo: A });
    expect(detail.missing.map((g) => g.checkpointName)).toEqual(['学生工作处离校点']);
    expect(detail.record.find((r) => r.checkpointId === 'dorm')?.steps[0]?.lifted).toBe(true);

    expect(applyOps(replica, session(), [{ kind: 'lift', studentNo: A, stepId: 'dorm-clearance' }]).refusals[0]?.message).toBe(
      '此环节的限制已经解除',
    );
    expect(applyOps(replica, session(), [{ kind: 'lift', studentNo: A, stepId: 'return-books' }]).refusals[0]?.reason).toEqual({
      code: 'no_grant',
    });
    const impose = applyOps(replica, session(), [{ kind: 'impose', studentNo: A, stepId: 'dorm-clearance' }]);
    expect(impose.ops[0]).toMatchObject({ kind: 'impose', deviceSeq: 2, base: { version: 1 } });
    expect(service.call('students.detail', { studentNo: A }).missing).toHaveLength(2);
    expect(applyOps(replica, session(), [{ kind: 'impose', studentNo: A, stepId: 'dorm-clearance' }]).refusals[0]?.message).toBe(
      '此环节的限制没有解除，无需恢复',
    );

    applyOps(replica, session(), [{ kind: 'pass', studentNo: B, stepId: 'dorm-clearance' }]);
    expect(applyOps(replica, session(), [{ kind: 'lift', studentNo: B, stepId: 'dorm-clearance' }]).refusals[0]?.message).toBe(
      '此环节已通过，无需解除限制',
    );
    expect(replica.sqlite.prepare('select lifted, version from waivers').all()).toEqual([{ lifted: 0, version: 2 }]);
  });

  it('rejects bad input before touching anything, in Chinese', async () => {
    const r = await service.dispatch('steps.apply', { studentNo: '', stepId: 'dorm-clearance', action: 'approve' });
    expect(r).toEqual({
      ok: false,
      error: { code: 'bad_input', message: expect.stringMatching(/^输入有误：学号：请输入学号；操作：/) },
    });
    expect(await service.dispatch('steps.apply', { studentNo: A, stepId: 'no-such-step', action: 'pass' })).toEqual({
      ok: false,
      error: { code: 'not_found', message: '离校批次中没有这个环节：no-such-step' },
    });
    expect(await service.dispatch('steps.teleport', {})).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await service.dispatch('session.setCheckpoint', { checkpointId: 'finance' })).toEqual({
      ok: false,
      error: { code: 'forbidden', message: '您没有离校点“财务处离校点”的权限' },
    });
    expect(count('outbox')).toBe(0);
  });
});
