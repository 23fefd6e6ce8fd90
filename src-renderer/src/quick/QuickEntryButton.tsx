import { quickZhCN } from '../../../src-shared/i18n/quick.zh-CN';
import { beginQuick } from './actions';
import { keepFocus } from './keep-focus';
import { QUICK_KEYS } from './keys';

const t = quickZhCN.mode;

/**
 * The way into 扫码即办, under the search buttons: the header has no width to spare at 1366 px,
 * and once quick mode runs its own card carries the way out (F3 either way).
 */
export function QuickEntryButton() {
  return (
    <button type="button" className="btn quick-entry" title={t.enterHint} {...keepFocus} onClick={beginQuick}>
      <span className="quick-entry-dot" aria-hidden="true" />
      {t.enter}
      <span className="quick-entry-hint">{t.entryHint}</span>
      <kbd className="kbd">{QUICK_KEYS.toggle.cap}</kbd>
    </button>
  );
}
