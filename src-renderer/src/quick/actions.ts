import { ApiError } from '../../../src-shared/contract/counter-api';
import { quickZhCN } from '../../../src-shared/i18n/quick.zh-CN';
import { zhCN } from '../../../src-shared/i18n/zh-CN';
import { call } from '../api/client';
import { beep } from '../feedback/beeps';
import { notify } from '../feedback/notify';
import { useActivityStore } from '../store/activity';
import { messageOf } from '../store/errors';
import { useSessionStore } from '../store/session';
import { OUTCOME_TONE, quickStepChoices, refusedOutcome, toQuickStudent, undoTarget, type QuickEvent, type QuickOutcome, type QuickStep, type QuickStudent } from './model';
import { useQuickStore } from './state';
import { undoActivity } from './undo';

const dispatch = (event: QuickEvent) => useQuickStore.getState().dispatch(event);

/**
 * Scans and undos run one after another: two scans 50 ms apart are answered in the order they
 * were read, and Ctrl+Z pressed right after a scan undoes that scan, not the one before it.
 */
let queue: Promise<void> = Promise.resolve();
function enqueue(job: () => Promise<void>): Promise<void> {
  queue = queue.then(job, job);
  return queue;
}

function finish(outcome: QuickOutcome): void {
  dispatch({ type: 'result', outcome, at: new Date() });
  beep(OUTCOME_TONE[outcome.kind]);
}

async function passOne(step: QuickStep, student: QuickStudent): Promise<QuickOutcome> {
  try {
    await call('steps.apply', { studentNo: student.studentNo, stepId: step.stepId, action: 'pass', note: '' });
  } catch (e) {
    if (e instanceof ApiError && e.code === 'not_found') return { kind: 'notFound', text: student.studentNo };
    if (!(e instanceof ApiError && e.code === 'refused')) return { kind: 'error', text: student.studentNo, message: messageOf(e) };
    // The refusal's message is one sentence; the detail says which case it is and what is missing.
    const detail = await call('students.detail', { studentNo: student.studentNo });
    return refusedOutcome(detail, step.stepId) ?? { kind: 'refused', student, message: e.message };
  }
  const activityId = useActivityStore.getState().record({
    studentNo: student.studentNo,
    name: student.name,
    stepId: step.stepId,
    stepName: step.stepName,
    action: 'pass',
    note: '',
  });
  return { kind: 'passed', student, activityId };
}

async function scanOne(step: QuickStep, text: string): Promise<QuickOutcome> {
  const { scan, students } = await call('students.lookup', { text });
  if (scan.kind === 'invalid') return { kind: 'invalid', text, message: zhCN.scan[scan.reason] };
  const [first] = students;
  if (!first) return { kind: 'notFound', text: scan.value };
  // Last 6 of an ID or a name can mean several people: passing one of them is the operator's call.
  if (students.length > 1) return { kind: 'candidates', text: scan.value, students };
  return passOne(step, toQuickStudent(first));
}

function run(text: string, work: (step: QuickStep) => Promise<QuickOutcome>): Promise<void> {
  dispatch({ type: 'scanning' });
  return enqueue(async () => {
    const { step } = useQuickStore.getState();
    if (!step) return;
    let outcome: QuickOutcome;
    try {
      outcome = await work(step);
    } catch (e) {
      outcome = { kind: 'error', text, message: messageOf(e) };
    }
    finish(outcome);
  });
}

/** A wedge or camera scan while quick mode is on. */
export function quickScan(text: string): Promise<void> {
  return run(text, (step) => scanOne(step, text));
}

/** A candidate the operator picked from the list after an ambiguous scan. */
export function quickPassCandidate(student: QuickStudent): Promise<void> {
  return run(student.studentNo, (step) => passOne(step, student));
}

export function startQuick(step: QuickStep): void {
  dispatch({ type: 'start', step });
}

export function exitQuick(): void {
  dispatch({ type: 'exit' });
}

export function cancelPick(): void {
  dispatch({ type: 'cancelPick' });
}

/** 扫码即办 on the current checkpoint: straight in when it has one manual step, else the picker. */
export function beginQuick(): void {
  const { session, batch } = useSessionStore.getState();
  const checkpoint = session?.checkpoints.find((c) => c.id === session.checkpointId);
  if (!batch || !checkpoint) return;
  const choices = quickStepChoices(batch, checkpoint);
  const [only] = choices;
  if (!only) notify('error', quickZhCN.picker.noSteps);
  else if (choices.length === 1) startQuick(only);
  else dispatch({ type: 'pick' });
}

/** F3: in, or back out to the normal workspace. */
export function toggleQuick(): void {
  const { step, picking } = useQuickStore.getState();
  if (picking) cancelPick();
  else if (step) exitQuick();
  else beginQuick();
}

/** Ctrl+Z: revokes the newest pass of the session, once. */
export function undoLast(): Promise<void> {
  return enqueue(async () => {
    const target = undoTarget(useQuickStore.getState());
    if (target.subject) await undoActivity(target.subject);
    else notify('info', target.reason === 'alreadyUndone' ? quickZhCN.undo.alreadyUndone : quickZhCN.undo.nothing);
  });
}
