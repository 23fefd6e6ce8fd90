import { describe, expect, it } from 'vitest';
import type { StudentDetail } from '../../src-shared/contract/counter-api';
import {
  RECENT_KEEP,
  canUndo,
  initialQuickState,
  quickReducer,
  quickStepChoices,
  refusedOutcome,
  sessionCount,
  shownResult,
  undoTarget,
  type QuickEvent,
  type QuickOutcome,
  type QuickState,
  type QuickStep,
} from '../../src-renderer/src/quick/model';
import { demoBatch } from './demo-batch';

const step: QuickStep = { checkpointId: 'dorm', checkpointName: '宿管中心离校点', stepId: 'dorm-clearance', stepName: '清理宿舍物品' };
const student = (no: string) => ({ studentNo: no, name: `学生${no}`, college: '机电工程学院', className: '机电2201' });
const at = new Date('2026-06-20T09:00:00+08:00');

function run(events: QuickEvent[], from: QuickState = initialQuickState): QuickState {
  return events.reduce(quickReducer, from);
}

const result = (outcome: QuickOutcome): QuickEvent => ({ type: 'result', outcome, at });
const passed = (no: string, activityId: number) => result({ kind: 'passed', student: student(no), activityId });

describe('quick mode state', () => {
  it('counts each student passed in the session once, and an undo takes them off the count', () => {
    const state = run([{ type: 'start', step }, passed('2022000001', 1), result({ kind: 'notFound', text: '9999999999' }), passed('2022000002', 2)]);
    expect(sessionCount(state)).toBe(2);
    expect(state.results.map((r) => r.seq)).toEqual([3, 2, 1]);

    const after = quickReducer(state, { type: 'undone', activityId: 2, studentNo: '2022000002', stepId: step.stepId });
    expect(sessionCount(after)).toBe(1);
    expect(after.results[0]?.undone).toBe(true);
    // Passed again after the undo: counted once, not twice.
    expect(sessionCount(run([passed('2022000002', 3)], after))).toBe(2);
  });

  it('an undo of another step (from 最近办理) does not change the quick count', () => {
    const state = run([{ type: 'start', step }, passed('2022000001', 1)]);
    const after = quickReducer(state, { type: 'undone', activityId: 99, studentNo: '2022000001', stepId: 'return-student-card' });
    expect(sessionCount(after)).toBe(1);
    expect(after).toBe(state);
  });

  it('the big card shows the newest result, and after an undo the student whose pass was taken back', () => {
    const state = run([{ type: 'start', step }, passed('2022000001', 1), result({ kind: 'notFound', text: '9999999999' })]);
    expect(shownResult(state)?.outcome.kind).toBe('notFound');
    const after = quickReducer(state, { type: 'undone', activityId: 1, studentNo: '2022000001', stepId: step.stepId });
    expect(shownResult(after)).toMatchObject({ seq: 1, undone: true, outcome: { kind: 'passed' } });
    expect(shownResult(run([passed('2022000003', 2)], after))?.seq).toBe(3);
  });

  it('keeps the last ten results, newest first, and counts pending scans', () => {
    let state = run([{ type: 'start', step }]);
    for (let i = 0; i < 14; i++) state = run([{ type: 'scanning' }, passed(String(2022000000 + i), i + 1)], state);
    expect(state.results).toHaveLength(RECENT_KEEP);
    expect(state.results[0]?.seq).toBe(14);
    expect(state.pending).toBe(0);
    expect(sessionCount(state)).toBe(14);
    expect(run([{ type: 'scanning' }, { type: 'scanning' }], state).pending).toBe(2);
  });

  it('a new step starts a new session; confirming the same step again keeps it', () => {
    const state = run([{ type: 'start', step }, passed('2022000001', 1), { type: 'pick' }]);
    expect(state.picking).toBe(true);
    const same = quickReducer(state, { type: 'start', step });
    expect(same.picking).toBe(false);
    expect(sessionCount(same)).toBe(1);
    const other = quickReducer(state, { type: 'start', step: { ...step, stepId: 'return-student-card', stepName: '归还学生证' } });
    expect(sessionCount(other)).toBe(0);
    expect(other.results).toEqual([]);
    expect(quickReducer(other, { type: 'exit' })).toEqual(initialQuickState);
  });

  it('Ctrl+Z targets the newest pass once, and never walks back to the student before', () => {
    expect(undoTarget(run([{ type: 'start', step }])).reason).toBe('nothing');
    const state = run([{ type: 'start', step }, passed('2022000001', 1), passed('2022000002', 2), result({ kind: 'invalid', text: 'abc', message: '无法识别' })]);
    const target = undoTarget(state);
    expect(target.subject).toEqual({ activityId: 2, studentNo: '2022000002', name: '学生2022000002', stepId: step.stepId, stepName: step.stepName });

    const undone = quickReducer(state, { type: 'undone', activityId: 2, studentNo: '2022000002', stepId: step.stepId });
    expect(undoTarget(undone)).toEqual({ subject: null, reason: 'alreadyUndone' });
  });
});

describe('最近办理 undo rule', () => {
  const entry = (id: number, studentNo: string, stepId: string, action: 'pass' | 'reject' | 'revoke', undone = false) => ({ id, studentNo, stepId, action, undone });

  it('allows a pass or 未通过 that nothing newer touched', () => {
    const entries = [entry(3, 'A', 's2', 'pass'), entry(2, 'B', 's1', 'reject'), entry(1, 'A', 's1', 'pass')];
    expect(entries.map((e) => canUndo(entries, e))).toEqual([true, true, true]);
  });

  it('refuses revokes, undone entries and entries with a newer action on the same student and step', () => {
    const entries = [entry(4, 'A', 's1', 'revoke'), entry(3, 'A', 's1', 'pass', true), entry(2, 'B', 's1', 'pass'), entry(1, 'B', 's1', 'reject')];
    expect(entries.map((e) => canUndo(entries, e))).toEqual([false, false, true, false]);
  });
});

function detailWith(pass: StudentDetail['actions'][number]['pass'], inScope = true): StudentDetail {
  const row = {
    id: 'degree-cert',
    name: '领取学位证',
    required: true,
    mode: 'manual' as const,
    status: pass?.code === 'already_passed' ? ('passed' as const) : ('pending' as const),
    note: '',
    updatedAt: pass?.code === 'already_passed' ? '2026-06-19T08:00:00.000Z' : null,
    updatedBy: pass?.code === 'already_passed' ? '王老师' : null,
    lifted: false,
    pass,
    reject: null,
    revoke: null,
  };
  return {
    student: { ...student('2022000007'), gender: '女', major: '机械', dorm: null, idCardMasked: '', isPrevious: false, flags: {} },
    record: [],
    actions: [row],
    missing: [],
    inScope,
    standing: { kind: 'own' as const },
    complete: false,
  };
}

describe('refusedOutcome', () => {
  const missing = [{ checkpointId: 'dorm', checkpointName: '宿管中心离校点', steps: [{ id: 'dorm-clearance', name: '清理宿舍物品' }] }];

  it('names the missing steps of a blocked student', () => {
    expect(refusedOutcome(detailWith({ code: 'blocked', missing }), 'degree-cert')).toMatchObject({ kind: 'blocked', missing });
  });

  it('tells already done (with who and when), not applicable and out of scope apart', () => {
    expect(refusedOutcome(detailWith({ code: 'already_passed' }), 'degree-cert')).toMatchObject({ kind: 'already', by: '王老师', at: '2026-06-19T08:00:00.000Z' });
    expect(refusedOutcome(detailWith({ code: 'not_applicable' }), 'degree-cert')?.kind).toBe('notApplicable');
    expect(refusedOutcome(detailWith({ code: 'out_of_scope' }, false), 'degree-cert')?.kind).toBe('outOfScope');
    expect(refusedOutcome(detailWith({ code: 'auto_step' }), 'degree-cert')).toMatchObject({ kind: 'refused', message: '此环节由其他系统自动同步，柜台无需办理' });
  });

  it('returns null when the re-read detail allows the pass after all', () => {
    expect(refusedOutcome(detailWith(null), 'degree-cert')).toBeNull();
  });
});

describe('quickStepChoices', () => {
  it('offers the manual steps of the checkpoint only, gated ones marked', () => {
    const batch = demoBatch();
    const finance = quickStepChoices(batch, { id: 'finance', name: '财务处离校点', colleges: 'all' });
    expect(finance.map((c) => c.stepId)).toEqual(['refund-status']);
    expect(finance[0]?.required).toBe(false);
    const certs = quickStepChoices(batch, { id: 'certificates', name: '学院领取证件', colleges: ['机电工程学院'] });
    expect(certs.map((c) => c.stepId)).toEqual(['degree-cert', 'diploma', 'report-card', 'hukou']);
    expect(certs.every((c) => c.gated && c.checkpointName === '机电工程学院领取证件')).toBe(true);
    expect(quickStepChoices(batch, { id: 'certificates', name: '学院领取证件', colleges: 'all' })[0]?.checkpointName).toBe('学院领取证件');
    expect(quickStepChoices(batch, { id: 'library', name: '图书馆离校点', colleges: 'all' })).toEqual([]);
  });
});
