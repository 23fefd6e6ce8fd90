import { quickZhCN } from '../../../src-shared/i18n/quick.zh-CN';
import { toggleQuick } from './actions';
import { keepFocus } from './keep-focus';
import { useQuickStore } from './state';

const t = quickZhCN.mode;

/** The way in and out of 扫码即办, in the header so it is there whatever the centre shows. */
export function QuickToggle() {
  const on = useQuickStore((s) => s.step !== null);
  return (
    <button type="button" className={`btn quick-toggle${on ? ' is-on' : ''}`} aria-pressed={on} title={t.enterHint} {...keepFocus} onClick={toggleQuick}>
      <span className="quick-toggle-dot" aria-hidden="true" />
      {on ? t.exit : t.enter}
      <kbd className="kbd">{quickZhCN.keys.toggle}</kbd>
    </button>
  );
}
