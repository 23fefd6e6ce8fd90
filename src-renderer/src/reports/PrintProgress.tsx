import { useEffect, useRef } from 'react';
import { reportZhCN as t } from '../../../src-shared/i18n/report.zh-CN';

/** While a long list is laid out for paper: how far it got, and a way out. */
export function PrintProgress({ done, total, onCancel }: { done: number; total: number; onCancel(): void }) {
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => cancel.current?.focus(), []);
  return (
    <div className="print-progress no-print" role="dialog" aria-labelledby="print-progress-title" data-testid="print-progress">
      <h2 id="print-progress-title">{t.ui.printTitle}</h2>
      <progress max={total} value={done} aria-labelledby="print-progress-title" />
      <p role="status">{t.ui.printProgress(done, total)}</p>
      <button type="button" className="btn" ref={cancel} onClick={onCancel}>
        {t.ui.printCancel}
      </button>
    </div>
  );
}
