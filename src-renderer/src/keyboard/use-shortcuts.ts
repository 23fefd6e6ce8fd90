import { useEffect } from 'react';
import { focusStudentNoInput } from '../components/focus';
import { KEY_BINDINGS } from './bindings';
import { resetCounter, showQueue } from '../components/SearchPanel';
import { useDeskSettings } from '../desk/desk-settings-store';
import { useStatsStore } from '../store/stats';
import { useStudentStore } from '../store/student';

/**
 * Function keys work from anywhere, so a hand never leaves the keyboard at a queue of hundreds:
 * F2 学号, F4 待办队列, F5 刷新统计, F8 全选可办, F9 提交, F10 柜台设置, Esc 下一位.
 */
export function useShortcuts(): void {
  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.altKey || e.metaKey) return;
      const student = useStudentStore.getState();
      const handlers: Record<string, () => void> = {
        [KEY_BINDINGS.focusStudentNo]: focusStudentNoInput,
        [KEY_BINDINGS.queue]: showQueue,
        [KEY_BINDINGS.refresh]: () => void useStatsStore.getState().refresh(),
        [KEY_BINDINGS.checkAll]: student.checkAllPassable,
        [KEY_BINDINGS.submit]: () => void student.submitChecked(),
        [KEY_BINDINGS.settings]: useDeskSettings.getState().openDialog,
        [KEY_BINDINGS.reset]: () => (student.prompt ? student.askReason(null) : resetCounter()),
      };
      const handler = handlers[e.key];
      if (!handler) return;
      // F5 would otherwise reload the page in a browser host.
      e.preventDefault();
      handler();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
