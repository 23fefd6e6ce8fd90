import { quickZhCN } from '../../../src-shared/i18n/quick.zh-CN';
import { call } from '../api/client';
import { notify } from '../feedback/notify';
import { useActivityStore } from '../store/activity';
import { messageOf } from '../store/errors';
import type { UndoSubject } from './model';
import { useQuickStore } from './state';

/**
 * The back end has no undo: a mistaken pass or 未通过 is taken back by the inverse operation, a
 * revoke with a fixed note, so the audit log shows both the mistake and its correction.
 */
export async function undoActivity(subject: UndoSubject): Promise<boolean> {
  const { activityId, studentNo, name, stepId, stepName } = subject;
  const note = quickZhCN.undo.note;
  try {
    await call('steps.apply', { studentNo, stepId, action: 'revoke', note });
  } catch (e) {
    notify('error', messageOf(e));
    return false;
  }
  const activity = useActivityStore.getState();
  activity.markUndone(activityId);
  activity.record({ studentNo, name, stepId, stepName, action: 'revoke', note });
  useQuickStore.getState().dispatch({ type: 'undone', activityId, studentNo, stepId });
  notify('info', quickZhCN.undo.done(name, stepName));
  return true;
}
