/**
 * 扫码即办 as a pure state machine: what the screen shows follows from the events below, so the
 * rules (the session count, which result Ctrl+Z may undo) are unit-tested without a browser.
 */
import type { MissingGroupDto, StudentDetail, StudentSummary } from '../../../src-shared/contract/counter-api';
import { checkpointDisplayName } from '../../../src-shared/domain/batch';
import type { BatchDef } from '../../../src-shared/domain/types';
import { refusalMessage, standingText } from '../../../src-shared/i18n/zh-CN';
import type { FlashTone } from '../feedback/flash';

export interface QuickStep {
  checkpointId: string;
  checkpointName: string;
  stepId: string;
  stepName: string;
}

export interface QuickStudent {
  studentNo: string;
  name: string;
  college: string;
  className: string;
}

export type QuickOutcome =
  | { kind: 'passed'; student: QuickStudent; activityId: number }
  | { kind: 'already'; student: QuickStudent; by: string | null; at: string | null }
  | { kind: 'blocked'; student: QuickStudent; missing: MissingGroupDto[] }
  | { kind: 'notApplicable'; student: QuickStudent }
  | { kind: 'outOfScope'; student: QuickStudent }
  | { kind: 'refused'; student: QuickStudent; message: string }
  | { kind: 'notFound'; text: string }
  | { kind: 'invalid'; text: string; message: string }
  | { kind: 'candidates'; text: string; students: StudentSummary[] }
  | { kind: 'error'; text: string; message: string };

export type OutcomeKind = QuickOutcome['kind'];

export interface QuickResult {
  /** Rises with every scan of the session; shown as "#n" so two passes in a row look different. */
  seq: number;
  at: Date;
  outcome: QuickOutcome;
  undone: boolean;
}

export interface QuickState {
  /** null: quick mode is off. */
  step: QuickStep | null;
  picking: boolean;
  /** Newest first, at most RECENT_KEEP. */
  results: QuickResult[];
  /** 学号 passed in this session and not undone: the "本次已办 N 人" count. */
  passed: string[];
  /** Scans sent to the back end and not answered yet. */
  pending: number;
  nextSeq: number;
  /** The result the big card shows: the newest one, or the one just undone. */
  shownSeq: number | null;
}

export const RECENT_KEEP = 10;

export const initialQuickState: QuickState = { step: null, picking: false, results: [], passed: [], pending: 0, nextSeq: 1, shownSeq: null };

export type QuickEvent =
  | { type: 'pick' }
  | { type: 'cancelPick' }
  | { type: 'start'; step: QuickStep }
  | { type: 'exit' }
  | { type: 'scanning' }
  | { type: 'result'; outcome: QuickOutcome; at: Date }
  | { type: 'undone'; activityId: number; studentNo: string; stepId: string };

export function quickReducer(state: QuickState, event: QuickEvent): QuickState {
  switch (event.type) {
    case 'pick':
      return { ...state, picking: true };
    case 'cancelPick':
      return { ...state, picking: false };
    case 'start':
      // Same step again (the picker re-opened and confirmed): the session and its count go on.
      if (state.step?.stepId === event.step.stepId && state.step.checkpointId === event.step.checkpointId) {
        return { ...state, picking: false };
      }
      return { ...initialQuickState, step: event.step };
    case 'exit':
      return initialQuickState;
    case 'scanning':
      return { ...state, pending: state.pending + 1 };
    case 'result': {
      const { outcome } = event;
      const result: QuickResult = { seq: state.nextSeq, at: event.at, outcome, undone: false };
      const passed = outcome.kind === 'passed' ? [...state.passed.filter((no) => no !== outcome.student.studentNo), outcome.student.studentNo] : state.passed;
      return {
        ...state,
        results: [result, ...state.results].slice(0, RECENT_KEEP),
        passed,
        pending: Math.max(0, state.pending - 1),
        nextSeq: state.nextSeq + 1,
        shownSeq: result.seq,
      };
    }
    case 'undone': {
      const undone = state.results.find((r) => r.outcome.kind === 'passed' && r.outcome.activityId === event.activityId);
      if (!undone) {
        if (state.step?.stepId !== event.stepId) return state;
        return { ...state, passed: state.passed.filter((no) => no !== event.studentNo) };
      }
      // The card turns to the undone student, so an undo is as visible from across the desk as the pass was.
      return {
        ...state,
        results: state.results.map((r) => (r === undone ? { ...r, undone: true } : r)),
        passed: state.passed.filter((no) => no !== event.studentNo),
        shownSeq: undone.seq,
      };
    }
  }
}

/** What an undo needs: the activity entry to mark, and the step to revoke for whom. */
export interface UndoSubject {
  activityId: number;
  studentNo: string;
  name: string;
  stepId: string;
  stepName: string;
}

export type UndoTarget = { subject: UndoSubject; reason: 'ok' } | { subject: null; reason: 'nothing' | 'alreadyUndone' };

/**
 * What Ctrl+Z acts on: the newest pass of the session, and only while it is the newest one.
 * A second Ctrl+Z does not walk back to the student before: at a queue that would silently undo
 * someone who has already left; older passes have their own 撤销 button in the list.
 */
export function undoTarget(state: QuickState): UndoTarget {
  const latest = state.results.find((r) => r.outcome.kind === 'passed');
  if (!latest || latest.outcome.kind !== 'passed' || !state.step) return { subject: null, reason: 'nothing' };
  if (latest.undone) return { subject: null, reason: 'alreadyUndone' };
  const { activityId, student } = latest.outcome;
  return { subject: { activityId, studentNo: student.studentNo, name: student.name, stepId: state.step.stepId, stepName: state.step.stepName }, reason: 'ok' };
}

interface UndoableEntry {
  id: number;
  studentNo: string;
  stepId: string;
  action: 'pass' | 'reject' | 'revoke';
  undone: boolean;
}

/**
 * A 最近办理 entry can be undone when it was a pass or a 未通过 (a revoke restores the state
 * before it) and nothing newer touched the same student's step: reverting an older entry would
 * revoke whatever happened since. Entries are newest first.
 */
export function canUndo(entries: readonly UndoableEntry[], entry: UndoableEntry): boolean {
  if (entry.action === 'revoke' || entry.undone) return false;
  for (const e of entries) {
    if (e.id === entry.id) return true;
    if (e.studentNo === entry.studentNo && e.stepId === entry.stepId) return false;
  }
  return false;
}

export interface QuickStepChoice extends QuickStep {
  gated: boolean;
  required: boolean;
}

/**
 * The steps a counter can pass by scanning: its checkpoint's manual ones, in batch order. An
 * operator acting for one college sees "机电工程学院领取证件", as in the checkpoint switch.
 */
export function quickStepChoices(batch: BatchDef, checkpoint: { id: string; name: string; colleges: 'all' | string[] }): QuickStepChoice[] {
  const def = batch.checkpoints.find((c) => c.id === checkpoint.id);
  const [college] = checkpoint.colleges === 'all' ? [] : checkpoint.colleges;
  const checkpointName = def && college && checkpoint.colleges.length === 1 ? checkpointDisplayName(def, { college }) : checkpoint.name;
  return (def?.steps ?? [])
    .filter((s) => s.mode === 'manual')
    .map((s) => ({
      checkpointId: checkpoint.id,
      checkpointName,
      stepId: s.id,
      stepName: s.name,
      gated: s.gate !== undefined,
      required: s.required,
    }));
}

export function toQuickStudent(s: Pick<StudentSummary, 'studentNo' | 'name' | 'college' | 'className'>): QuickStudent {
  return { studentNo: s.studentNo, name: s.name, college: s.college, className: s.className };
}

/**
 * Why steps.apply refused a pass, read back from the student's detail. Returns null when the
 * detail now allows the pass (someone else changed the student in between): the caller reports
 * the back end's own message then.
 */
export function refusedOutcome(detail: StudentDetail, stepId: string): QuickOutcome | null {
  const student = toQuickStudent(detail.student);
  const row = detail.actions.find((a) => a.id === stepId);
  if (detail.standing.kind !== 'own') return { kind: 'refused', student, message: standingText(detail.standing) };
  if (!detail.inScope) return { kind: 'outOfScope', student };
  if (!row) return { kind: 'notApplicable', student };
  const refusal = row.pass;
  if (!refusal) return null;
  switch (refusal.code) {
    case 'already_passed':
      return { kind: 'already', student, by: row.updatedBy, at: row.updatedAt };
    case 'blocked':
      return { kind: 'blocked', student, missing: refusal.missing };
    case 'not_applicable':
      return { kind: 'notApplicable', student };
    case 'out_of_scope':
      return { kind: 'outOfScope', student };
    default:
      return { kind: 'refused', student, message: refusalMessage(refusal) };
  }
}

/** The sound and colour of each outcome: one per thing the operator must react to differently. */
export const OUTCOME_TONE: Record<OutcomeKind, FlashTone> = {
  passed: 'success',
  already: 'already',
  blocked: 'blocked',
  notApplicable: 'already',
  outOfScope: 'blocked',
  refused: 'blocked',
  notFound: 'notFound',
  invalid: 'error',
  candidates: 'info',
  error: 'error',
};

export function shownResult(state: QuickState): QuickResult | undefined {
  return state.results.find((r) => r.seq === state.shownSeq) ?? state.results[0];
}

export function sessionCount(state: QuickState): number {
  return state.passed.length;
}
