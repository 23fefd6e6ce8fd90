import { useEffect } from 'react';
import { deskText } from '../../../src-shared/i18n/desk.zh-CN';
import { zhCN } from '../../../src-shared/i18n/zh-CN';
import { useDeskSettings } from '../desk/desk-settings-store';
import { notify } from '../feedback/notify';
import { LOCK_KEY } from '../keyboard/bindings';
import { messageOf } from '../store/errors';
import { counterOpen, useLockStore } from './lock-store';

/** What counts as someone at the desk: a key, a click or touch, the wheel, the mouse moving. */
const ACTIVITY = ['keydown', 'pointerdown', 'pointermove', 'wheel'] as const;

export function lockNow(): void {
  if (!counterOpen()) return;
  useLockStore
    .getState()
    .lock()
    .catch((e: unknown) => notify('error', zhCN.ui.format.labelled(deskText.lock.lockFailed, messageOf(e))));
}

/**
 * 锁屏 after the desk's idle time (柜台设置, default 10 minutes) without activity, and on Ctrl+L
 * from anywhere. The timer is a plain timeout re-armed by activity, so a test can move the
 * page's clock instead of waiting.
 */
export function useIdleLock(): void {
  const minutes = useDeskSettings((s) => s.settings.lock.idleMinutes);
  const open = useLockStore((s) => s.current?.state === 'open');

  useEffect(() => {
    if (!open) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(lockNow, minutes * 60_000);
    };
    for (const type of ACTIVITY) window.addEventListener(type, arm, { capture: true, passive: true });
    arm();
    return () => {
      clearTimeout(timer);
      for (const type of ACTIVITY) window.removeEventListener(type, arm, { capture: true });
    };
  }, [open, minutes]);

  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      if (!e.ctrlKey || e.altKey || e.metaKey || e.shiftKey || e.key.toLowerCase() !== LOCK_KEY.key) return;
      // In a browser Ctrl+L would jump to the address bar.
      e.preventDefault();
      lockNow();
    };
    window.addEventListener('keydown', onKeyDown, true);
    return () => window.removeEventListener('keydown', onKeyDown, true);
  }, []);
}
