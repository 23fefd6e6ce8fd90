import { useEffect } from 'react';
import { zhCN } from '../../../src-shared/i18n/zh-CN';
import { useFlashStore } from '../feedback/flash';

const COLOURED_MS = 4000;

/** A strip of fixed height above the student: it changes colour, never pushes the layout around. */
export function FlashBanner() {
  const flash = useFlashStore((s) => s.flash);
  const settle = useFlashStore((s) => s.settle);
  useEffect(() => {
    if (!flash || flash.settled) return;
    const timer = setTimeout(() => settle(flash.id), COLOURED_MS);
    return () => clearTimeout(timer);
  }, [flash, settle]);

  const tone = flash && !flash.settled ? flash.tone : 'idle';
  return (
    <div className={`flash flash-${tone}`} role="status" aria-live="polite" data-testid="flash" data-tone={tone}>
      <span className="flash-dot" aria-hidden="true" />
      <span key={flash?.id} className="flash-text">
        {flash?.text ?? zhCN.ui.flash.ready}
      </span>
    </div>
  );
}
