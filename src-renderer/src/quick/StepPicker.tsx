import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { quickZhCN } from '../../../src-shared/i18n/quick.zh-CN';
import { useSessionStore } from '../store/session';
import { cancelPick, startQuick } from './actions';
import { quickStepChoices, type QuickStepChoice } from './model';
import { useQuickStore } from './state';

const t = quickZhCN.picker;

function PickerDialog({ choices, currentStepId }: { choices: QuickStepChoice[]; currentStepId: string | undefined }) {
  const [active, setActive] = useState(() => Math.max(0, choices.findIndex((c) => c.stepId === currentStepId)));
  const list = useRef<HTMLDivElement>(null);
  useEffect(() => {
    list.current?.focus();
  }, []);

  const onKeyDown = (e: KeyboardEvent) => {
    const digit = /^[1-9]$/.test(e.key) ? choices[Number(e.key) - 1] : undefined;
    if (digit) {
      e.preventDefault();
      startQuick(digit);
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((i) => Math.min(choices.length - 1, Math.max(0, i + (e.key === 'ArrowDown' ? 1 : -1))));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const choice = choices[active];
      if (choice) startQuick(choice);
    } else if (e.key === 'Escape') {
      // Esc closes only the dialog; the desk-wide Esc (clear the student) must not run as well.
      e.preventDefault();
      e.stopPropagation();
      cancelPick();
    }
  };

  return (
    <div className="quick-overlay" role="presentation" onClick={cancelPick}>
      <section className="card quick-picker" role="dialog" aria-modal="true" aria-labelledby="quick-picker-title" onClick={(e) => e.stopPropagation()}>
        <div className="card-title-row">
          <h2 id="quick-picker-title" className="card-title">
            {t.title}
          </h2>
        </div>
        {/* The digit that picks a step is not the first character of the next scan (data-scan="off"). */}
        <div ref={list} className="quick-choices" role="listbox" tabIndex={0} aria-labelledby="quick-picker-title" data-scan="off" onKeyDown={onKeyDown}>
          {choices.map((c, i) => (
            <div
              key={c.stepId}
              role="option"
              aria-selected={i === active}
              className={`quick-choice${i === active ? ' is-active' : ''}`}
              onMouseEnter={() => setActive(i)}
              onClick={() => startQuick(c)}
            >
              <span className="quick-choice-key">{i + 1}</span>
              <span className="quick-choice-name">{c.stepName}</span>
              {c.gated && <span className="tag tag-gated">{t.gated}</span>}
              {!c.required && <span className="tag tag-lifted">{t.optional}</span>}
            </div>
          ))}
        </div>
        <div className="quick-picker-footer">
          <span className="card-meta">{t.hint}</span>
          <button type="button" className="btn" onClick={cancelPick}>
            {t.cancel}
          </button>
          <button type="button" className="btn btn-primary" onClick={() => choices[active] && startQuick(choices[active])}>
            {t.start}
          </button>
        </div>
      </section>
    </div>
  );
}

/** Which of this checkpoint's steps each scan passes. */
export function StepPicker() {
  const picking = useQuickStore((s) => s.picking);
  const currentStepId = useQuickStore((s) => s.step?.stepId);
  const session = useSessionStore((s) => s.session);
  const batch = useSessionStore((s) => s.batch);
  const checkpoint = session?.checkpoints.find((c) => c.id === session.checkpointId);
  if (!picking || !batch || !checkpoint) return null;
  return <PickerDialog choices={quickStepChoices(batch, checkpoint)} currentStepId={currentStepId} />;
}
