import { deskText } from '../../../src-shared/i18n/desk.zh-CN';
import { LOCK_KEY } from '../keyboard/bindings';
import { lockNow } from './use-idle-lock';

/** 锁屏 on demand, beside the operator it locks (Ctrl+L does the same). */
export function LockButton() {
  return (
    <button type="button" className="btn btn-small" title={deskText.lock.buttonTitle(LOCK_KEY.cap)} aria-keyshortcuts="Control+L" onClick={lockNow}>
      {deskText.lock.button} <kbd className="kbd">{LOCK_KEY.cap}</kbd>
    </button>
  );
}
