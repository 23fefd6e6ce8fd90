import { describe, expect, it } from 'vitest';
import { accessRefusal, checkActions, checkLift, gatingStepIds, inScope } from '../../src-shared/domain/actions';
import { standingOf } from '../../src-shared/domain/standing';
import { BatchIndex, checkpointDisplayName } from '../../src-shared/domain/batch';
import { parseBatchDefinition } from '../../src-shared/domain/batch-definition';
import {
  effectiveStatus,
  evaluateCheckpoint,
  evaluateStep,
  isCheckpointComplete,
  isStudentComplete,
  mergeMissing,
  prerequisiteIds,
  type StudentGateInput,
} from '../../src-shared/domain/gate';
import type { BatchDef, StepStatus } from '../../src-shared/domain/types';
import { formatMissing, refusalMessage } from '../../src-shared/i18n/zh-CN';
import { demoBatch, demoIndex } from './demo-batch';

const batch = demoIndex();
const CERTS = ['degree-cert', 'diploma', 'report-card', 'hukou'];
const NO_FLAGS = { 党团员: false, 国家助学贷款: false, 生源地贷款: false, 借用交换机: false, 暂缓两证: false };
const ALL_FLAGS = { 党团员: true, 国家助学贷款: true, 生源地贷款: true, 借用交换机: true, 暂缓两证: true };

function input(
  status: Record<string, StepStatus> = {},
  opts: { flags?: Record<string, boolean>; lifted?: string[]; college?: string } = {},
): StudentGateInput {
  return {
    student: { college: opts.college ?? '机电工程学院', flags: opts.flags ?? NO_FLAGS },
    status: new Map(Object.entries(status)),
    lifted: new Set(opts.lifted ?? []),
  };
}

/** Every required step of the demo except the certificates, passed. */
function allButCertificates(): Record<string, StepStatus> {
  const out: Record<string, StepStatus> = {};
  for (const { step } of batch.steps) if (step.required && !CERTS.includes(step.id)) out[step.id] = 'passed';
  return out;
}

function without(status: Record<string, StepStatus>, ...ids: string[]): Record<string, StepStatus> {
  const copy = { ...status };
  for (const id of ids) delete copy[id];
  return copy;
}

describe('certificate gate (allOtherRequired)', () => {
  it('names exactly the missing steps, grouped by checkpoint in batch order', () => {
    const gate = evaluateStep(batch, input(without(allButCertificates(), 'dorm-clearance', 'return-student-card')), 'degree-cert');
    expect(formatMissing(gate.missing)).toBe('学生工作处离校点: 归还学生证; 宿管中心离校点: 清理宿舍物品');
    expect(gate.missing.map((g) => g.checkpointId)).toEqual(['student-affairs', 'dorm']);
  });

  it('lists every required applicable step of the other checkpoints for a student who has done nothing', () => {
    const gate = evaluateStep(batch, input({}, { flags: ALL_FLAGS }), 'hukou');
    expect(formatMissing(gate.missing)).toBe(
      '机电工程学院离校点: 转出党团组织关系、归还教学仪器、国家助学贷款还款确认; 图书馆离校点: 归还图书; ' +
        '学生工作处离校点: 归还学生证、生源地贷款还款确认; 水电通信中心离校点: 清理电费; 宿管中心离校点: 清理宿舍物品; ' +
        '网络信息中心离校点: 归还交换机; 财务处离校点: 缴还欠款',
    );
  });

  it('opens once every other required applicable step is passed', () => {
    for (const id of CERTS) expect(evaluateStep(batch, input(allButCertificates()), id).missing).toEqual([]);
    expect(checkActions(batch, input(allButCertificates()), 'diploma', null).pass).toBeNull();
  });

  it('does not make the certificate steps wait on each other or on the withheld-certificate desk', () => {
    expect(prerequisiteIds(batch, 'degree-cert')).not.toContain('diploma');
    expect(prerequisiteIds(batch, 'degree-cert')).not.toContain('withheld-certs');
    expect(prerequisiteIds(batch, 'withheld-certs')).not.toContain('degree-cert');
    expect(prerequisiteIds(batch, 'return-books')).toEqual([]);
  });

  it('names college checkpoints after the student’s college', () => {
    const gate = evaluateStep(batch, input({}, { college: '外国语学院' }), 'degree-cert');
    expect(gate.missing[0]?.checkpointName).toBe('外国语学院离校点');
    expect(checkpointDisplayName(batch.checkpoint('certificates'), { college: '机电工程学院' })).toBe('机电工程学院领取证件');
    expect(checkpointDisplayName(batch.checkpoint('college'))).toBe('学院离校点');
    expect(checkpointDisplayName(batch.checkpoint('library'), { college: '机电工程学院' })).toBe('图书馆离校点');
  });

  it('says so in the refusal message', () => {
    const check = checkActions(batch, input(without(allButCertificates(), 'electricity')), 'degree-cert', null);
    expect(check.pass?.code).toBe('blocked');
    expect(refusalMessage(check.pass!)).toBe('无法办理：当前学生没有完成以下步骤 水电通信中心离校点: 清理电费');
  });
});

describe('what never blocks, and what does', () => {
  it('optional steps never block, whatever their status', () => {
    for (const s of ['pending', 'rejected'] as const) {
      const st = { ...allButCertificates(), 'refund-status': s };
      expect(evaluateStep(batch, input(st), 'degree-cert').missing).toEqual([]);
    }
  });

  it('steps that do not apply never block and show as na', () => {
    const st = without(allButCertificates(), 'party-transfer', 'national-loan', 'origin-loan', 'return-switch');
    expect(evaluateStep(batch, input(st), 'degree-cert').missing).toEqual([]);
    for (const id of ['party-transfer', 'national-loan', 'origin-loan', 'return-switch', 'withheld-certs']) {
      const gate = evaluateStep(batch, input(st), id);
      expect(gate.status, id).toBe('na');
      expect(gate.applicable, id).toBe(false);
    }
    const member = evaluateStep(batch, input(st, { flags: { ...NO_FLAGS, 党团员: true } }), 'degree-cert');
    expect(formatMissing(member.missing)).toBe('机电工程学院离校点: 转出党团组织关系');
  });

  it('a status recorded for a step that does not apply still reads na, and a stored na on an applicable step reads pending', () => {
    expect(effectiveStatus(batch, input({ 'return-switch': 'passed' }), 'return-switch')).toBe('na');
    expect(effectiveStatus(batch, input({ 'return-books': 'na' }), 'return-books')).toBe('pending');
  });

  it('a rejected (未通过) prerequisite blocks like a pending one', () => {
    const st = { ...allButCertificates(), 'repay-debt': 'rejected' as const };
    expect(formatMissing(evaluateStep(batch, input(st), 'report-card').missing)).toBe('财务处离校点: 缴还欠款');
  });

  it('evaluates a whole checkpoint in definition order', () => {
    const gates = evaluateCheckpoint(batch, input({ 'return-instruments': 'passed' }), 'college');
    expect(gates.map((g) => [g.stepId, g.status])).toEqual([
      ['party-transfer', 'na'],
      ['return-instruments', 'passed'],
      ['national-loan', 'na'],
    ]);
  });

  it('merges several missing lists without repeats, in batch order', () => {
    const inp = input(without(allButCertificates(), 'return-books', 'electricity'));
    const merged = mergeMissing(batch, evaluateCheckpoint(batch, inp, 'certificates'));
    expect(formatMissing(merged)).toBe('图书馆离校点: 归还图书; 水电通信中心离校点: 清理电费');
  });
});

describe('waivers (调整离校点限制 / 缓交)', () => {
  const owing = without(allButCertificates(), 'repay-debt');

  it('a lifted step stops blocking, and blocks again once re-imposed', () => {
    expect(evaluateStep(batch, input(owing), 'degree-cert').missing).toHaveLength(1);
    expect(evaluateStep(batch, input(owing, { lifted: ['repay-debt'] }), 'degree-cert').missing).toEqual([]);
    expect(formatMissing(evaluateStep(batch, input(owing, { lifted: [] }), 'degree-cert').missing)).toBe('财务处离校点: 缴还欠款');
  });

  it('lifting one step leaves the others blocking', () => {
    const st = without(owing, 'return-student-card');
    const gate = evaluateStep(batch, input(st, { lifted: ['repay-debt'] }), 'degree-cert');
    expect(formatMissing(gate.missing)).toBe('学生工作处离校点: 归还学生证');
  });

  it('checkLift allows a pending or rejected gating step and refuses a passed one', () => {
    expect(checkLift(batch, input(owing), 'repay-debt')).toBeNull();
    expect(checkLift(batch, input({ 'repay-debt': 'rejected' }), 'repay-debt')).toBeNull();
    expect(checkLift(batch, input(allButCertificates()), 'repay-debt')).toEqual({ code: 'already_passed' });
  });

  it('checkLift refuses steps that gate nothing and steps that do not apply', () => {
    expect(checkLift(batch, input(), 'refund-status')).toEqual({ code: 'not_gating' });
    expect(checkLift(batch, input(), 'degree-cert')).toEqual({ code: 'not_gating' });
    expect(checkLift(batch, input(), 'national-loan')).toEqual({ code: 'not_applicable' });
  });

  it('gatingStepIds are the required steps the certificate desks wait on, in batch order', () => {
    expect(gatingStepIds(batch)).toEqual([
      'party-transfer',
      'return-instruments',
      'national-loan',
      'return-books',
      'return-student-card',
      'origin-loan',
      'electricity',
      'dorm-clearance',
      'return-switch',
      'repay-debt',
    ]);
  });
});

describe('completion rule', () => {
  const everyRequired = (): Record<string, StepStatus> => ({
    ...allButCertificates(),
    ...Object.fromEntries(CERTS.map((id) => [id, 'passed' as const])),
  });

  it('"required": done when every required applicable step passed, optional ones pending', () => {
    expect(isStudentComplete(batch, input(everyRequired()))).toBe(true);
    expect(isStudentComplete(batch, input(without(everyRequired(), 'hukou')))).toBe(false);
    expect(isStudentComplete(batch, input({ ...everyRequired(), hukou: 'rejected' }))).toBe(false);
  });

  it('"all": optional applicable steps count too, not-applicable ones do not', () => {
    const all = new BatchIndex({ ...demoBatch(), completionRule: 'all' });
    expect(isStudentComplete(all, input(everyRequired()))).toBe(false);
    expect(isStudentComplete(all, input({ ...everyRequired(), 'refund-status': 'passed' }))).toBe(true);
    const withheld = { flags: { ...NO_FLAGS, 暂缓两证: true } };
    expect(isStudentComplete(all, input({ ...everyRequired(), 'refund-status': 'passed' }, withheld))).toBe(false);
  });

  it('a checkpoint is complete when its required applicable steps passed', () => {
    expect(isCheckpointComplete(batch, input({ 'return-instruments': 'passed' }), 'college')).toBe(true);
    expect(isCheckpointComplete(batch, input({ 'return-instruments': 'passed' }, { flags: ALL_FLAGS }), 'college')).toBe(false);
    expect(isCheckpointComplete(batch, input({ 'repay-debt': 'passed' }), 'finance')).toBe(true);
  });
});

describe('explicit requires gates', () => {
  // 院系离校 after the library and the dorm, listed out of order on purpose.
  const def: BatchDef = parseBatchDefinition({
    formatVersion: 1,
    id: 'pg',
    name: '研究生离校',
    university: '湘江科技大学',
    completionRule: 'required',
    flags: [{ key: '借用交换机', label: '借用交换机' }],
    checkpoints: [
      { id: 'library', name: '图书馆离校点', scope: 'school', steps: [{ id: 'books', name: '归还图书', required: true, mode: 'manual', appliesTo: 'all' }] },
      {
        id: 'dorm',
        name: '宿管中心离校点',
        scope: 'school',
        steps: [
          { id: 'room', name: '清理宿舍物品', required: true, mode: 'manual', appliesTo: 'all' },
          { id: 'switch', name: '归还交换机', required: true, mode: 'manual', appliesTo: { flag: '借用交换机' } },
        ],
      },
      {
        id: 'dept',
        name: '院系离校点',
        nameTemplate: '{college}离校点',
        scope: 'college',
        steps: [
          { id: 'dept-exit', name: '院系离校', required: true, mode: 'manual', appliesTo: 'all', gate: { requires: ['switch', 'room', 'books'] } },
          { id: 'archive', name: '档案转递', required: true, mode: 'manual', appliesTo: 'all', gate: { requires: ['dept-exit'] } },
        ],
      },
    ],
  });
  const pg = new BatchIndex(def);
  const flags = { 借用交换机: true };

  it('waits on the listed steps only, reported in batch order', () => {
    expect(prerequisiteIds(pg, 'dept-exit')).toEqual(['books', 'room', 'switch']);
    const gate = evaluateStep(pg, input({}, { flags }), 'dept-exit');
    expect(formatMissing(gate.missing)).toBe('图书馆离校点: 归还图书; 宿管中心离校点: 清理宿舍物品、归还交换机');
  });

  it('chains: a gated step can gate another, and a not-applicable prerequisite does not block', () => {
    expect(formatMissing(evaluateStep(pg, input({ books: 'passed', room: 'passed' }, { flags }), 'archive').missing)).toBe(
      '机电工程学院离校点: 院系离校',
    );
    expect(evaluateStep(pg, input({ books: 'passed', room: 'passed' }, { flags: { 借用交换机: false } }), 'dept-exit').missing).toEqual([]);
    expect(gatingStepIds(pg)).toEqual(['books', 'room', 'switch', 'dept-exit']);
  });
});

describe('checkActions', () => {
  it('refuses everything out of scope, and every action on an auto step', () => {
    const out = checkActions(batch, input(), 'return-instruments', { code: 'out_of_scope' });
    expect([out.pass, out.reject, out.revoke]).toEqual([{ code: 'out_of_scope' }, { code: 'out_of_scope' }, { code: 'out_of_scope' }]);
    const auto = checkActions(batch, input(), 'return-books', null);
    expect([auto.pass, auto.reject, auto.revoke]).toEqual([{ code: 'auto_step' }, { code: 'auto_step' }, { code: 'auto_step' }]);
  });

  it('refuses every action on a withdrawn student, with the reason, before any other rule', () => {
    const college = batch.checkpoint('college');
    const grant = { checkpointId: 'college', colleges: ['机电工程学院'] };
    expect(accessRefusal(grant, college, { college: '机电工程学院', withdrawnReason: null })).toBeNull();
    expect(accessRefusal(grant, college, { college: '计算机学院', withdrawnReason: null })).toEqual({ code: 'out_of_scope' });
    expect(accessRefusal(undefined, college, { college: '机电工程学院', withdrawnReason: null })).toEqual({ code: 'out_of_scope' });
    const withdrawn = accessRefusal(grant, college, { college: '计算机学院', withdrawnReason: '延期毕业' });
    expect(withdrawn).toEqual({ code: 'withdrawn', reason: '延期毕业' });
    const check = checkActions(batch, input(), 'return-books', withdrawn);
    expect([check.pass, check.reject, check.revoke]).toEqual([withdrawn, withdrawn, withdrawn]);
    expect(refusalMessage(withdrawn!)).toBe('该学生已退出本批次（延期毕业），不能办理');
  });

  it('tells where a student stands: own, moved out of the counter\'s scope, or withdrawn (which wins)', () => {
    expect(standingOf({ college: '计算机学院', inScope: true, withdrawnReason: null })).toEqual({ kind: 'own' });
    expect(standingOf({ college: '机电工程学院', inScope: false, withdrawnReason: null })).toEqual({ kind: 'moved', college: '机电工程学院' });
    expect(standingOf({ college: '机电工程学院', inScope: false, withdrawnReason: '退学' })).toEqual({ kind: 'withdrawn', reason: '退学' });
  });

  it('refuses a step that does not apply', () => {
    expect(checkActions(batch, input(), 'party-transfer', null).pass).toEqual({ code: 'not_applicable' });
  });

  it('pending: pass and reject allowed, nothing to revoke', () => {
    const c = checkActions(batch, input(), 'return-instruments', null);
    expect(c).toEqual({ stepId: 'return-instruments', pass: null, reject: null, revoke: { code: 'nothing_to_revoke' }, missing: [] });
  });

  it('passed: only revoke; rejected: pass or revoke', () => {
    const passed = checkActions(batch, input({ electricity: 'passed' }), 'electricity', null);
    expect([passed.pass, passed.reject, passed.revoke]).toEqual([{ code: 'already_passed' }, { code: 'already_passed' }, null]);
    const rejected = checkActions(batch, input({ electricity: 'rejected' }), 'electricity', null);
    expect([rejected.pass, rejected.reject, rejected.revoke]).toEqual([null, { code: 'already_rejected' }, null]);
  });

  it('a blocked step may still be marked 未通过 but not passed', () => {
    const c = checkActions(batch, input(), 'degree-cert', null);
    expect(c.pass?.code).toBe('blocked');
    expect(c.reject).toBeNull();
    expect(c.missing).toEqual(c.pass?.code === 'blocked' ? c.pass.missing : null);
  });

  it('inScope: school checkpoints cover everyone, college checkpoints their colleges only', () => {
    const college = batch.checkpoint('college');
    const jd = { college: '机电工程学院' };
    expect(inScope({ checkpointId: 'college', colleges: ['机电工程学院'] }, college, jd)).toBe(true);
    expect(inScope({ checkpointId: 'college', colleges: ['外国语学院'] }, college, jd)).toBe(false);
    expect(inScope({ checkpointId: 'college', colleges: 'all' }, college, jd)).toBe(true);
    expect(inScope({ checkpointId: 'dorm', colleges: [] }, batch.checkpoint('dorm'), jd)).toBe(true);
    expect(inScope({ checkpointId: 'dorm', colleges: 'all' }, college, jd)).toBe(false);
  });
});
