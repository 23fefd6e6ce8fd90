import { useEffect } from 'react';
import { useCameraStore } from '../camera/state';
import { KEY_BINDINGS } from '../keyboard/bindings';
import { toggleQuick, undoLast } from './actions';
import { QUICK_KEYS } from './keys';
import { useQuickStore } from './state';

const { focusStudentNo, queue, checkAll, submit, reset } = KEY_BINDINGS;
const WORKSPACE_KEYS = new Set<string>([focusStudentNo, queue, checkAll, submit, reset]);

/**
 * F3 扫码即办 on/off, F7 camera, Ctrl+Z undo while quick mode runs. Ctrl+Z is taken only in quick
 * mode, where no field is being typed in; elsewhere it stays the fields' own text undo.
 */
export function useQuickKeys(): void {
  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      if (e.altKey || e.metaKey) return;
      if (e.ctrlKey) {
        const { step, picking } = useQuickStore.getState();
        if (e.key.toLowerCase() === QUICK_KEYS.undo.key && !e.shiftKey && step && !picking && !e.repeat) {
          e.preventDefault();
          void undoLast();
        }
        return;
      }
      if (e.key === QUICK_KEYS.toggle.key) {
        e.preventDefault();
        toggleQuick();
      } else if (e.key === QUICK_KEYS.camera.key) {
        e.preventDefault();
        useCameraStore.getState().toggle();
      }
    };
    // The workspace's own keys would act on the student hidden under quick mode (F9 submitting
    // whatever was ticked there, Esc clearing it); while quick mode runs they are not passed on.
    const shieldWorkspace = (e: KeyboardEvent) => {
      const { step, picking } = useQuickStore.getState();
      if (step && !picking && WORKSPACE_KEYS.has(e.key)) {
        e.preventDefault();
        e.stopImmediatePropagation();
      }
    };
    window.addEventListener('keydown', shieldWorkspace, true);
    window.addEventListener('keydown', onKeyDown);
    return () => {
      window.removeEventListener('keydown', shieldWorkspace, true);
      window.removeEventListener('keydown', onKeyDown);
    };
  }, []);
}
