import { useEffect } from 'react';
import { quickZhCN } from '../../../src-shared/i18n/quick.zh-CN';
import { useCameraStore } from '../camera/state';
import { toggleQuick, undoLast } from './actions';
import { useQuickStore } from './state';

const { keys } = quickZhCN;

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
        if (e.key.toLowerCase() === 'z' && !e.shiftKey && step && !picking && !e.repeat) {
          e.preventDefault();
          void undoLast();
        }
        return;
      }
      if (e.key === keys.toggle) {
        e.preventDefault();
        toggleQuick();
      } else if (e.key === keys.camera) {
        e.preventDefault();
        useCameraStore.getState().toggle();
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
