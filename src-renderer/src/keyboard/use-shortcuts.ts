import { useEffect } from 'react';
import { focusStudentNoInput } from '../components/focus';
import { resetCounter, showQueue } from '../components/SearchPanel';
import { useStatsStore } from '../store/stats';
import { useStudentStore } from '../store/student';

/**
 * Function keys work from anywhere, so a hand never leaves the keyboard at a queue of hundreds:
 * F2 学号, F4 待办队列, F5 刷新统计, F8 全选可办, F9 提交, Esc 下一位.
 */
export function useShortcuts(): void {
  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.altKey || e.metaKey) return;
      const student = useStudentStore.getState();
      const handlers: Record<string, () => void> = {
        F2: focusStudentNoInput,
        F4: showQueue,
        F5: () => void useStatsStore.getState().refresh(),
        F8: student.checkAllPassable,
        F9: () => void student.submitChecked(),
        Escape: () => (student.prompt ? student.askReason(null) : resetCounter()),
      };
      const handler = handlers[e.key];
      if (!handler) return;
      // F5 would reload the page in a browser host.
      e.preventDefault();
      handler();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
