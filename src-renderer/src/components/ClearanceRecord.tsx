import { useEffect, useRef } from 'react';
import type { RecordStep, StudentDetail } from '../../../src-shared/contract/counter-api';
import { zhCN } from '../../../src-shared/i18n/zh-CN';
import { formatStamp } from '../format';
import { DISPLAY_ORDER, StatusIcon, displayStatus } from './StatusIcon';
import { requiredProgress } from '../../../src-shared/domain/required-progress';

const t = zhCN.ui.record;
const { labelled } = zhCN.ui.format;

function StepDetails({ step }: { step: RecordStep }) {
  if (!step.updatedAt && !step.note) return null;
  return (
    <div className="record-tooltip" role="tooltip">
      {step.updatedBy && <div>{labelled(t.by, step.updatedBy)}</div>}
      {step.updatedAt && <div>{labelled(t.at, formatStamp(step.updatedAt))}</div>}
      {step.note && <div>{labelled(t.note, step.note)}</div>}
    </div>
  );
}

function RecordStepItem({ step }: { step: RecordStep }) {
  const status = displayStatus(step);
  return (
    <li className={`record-step record-${status}`} data-step={step.id} tabIndex={step.updatedAt || step.note ? 0 : undefined}>
      <StatusIcon status={status} />
      <span className="record-step-name">{step.name}</span>
      <span className="record-step-status">{zhCN.status[status]}</span>
      {step.status === 'rejected' && step.note && <span className="record-step-note">{step.note}</span>}
      <StepDetails step={step} />
    </li>
  );
}

export function Legend() {
  return (
    <ul className="legend" aria-label={t.title}>
      {DISPLAY_ORDER.map((status) => (
        <li key={status}>
          <StatusIcon status={status} />
          {zhCN.status[status]}
        </li>
      ))}
    </ul>
  );
}

/** 离校记录: every checkpoint of the batch and where this student stands at each. */
export function ClearanceRecord({ detail, currentCheckpointId }: { detail: StudentDetail | null; currentCheckpointId: string | undefined }) {
  const progress = detail ? requiredProgress(detail.record) : null;
  const current = useRef<HTMLLIElement>(null);
  const studentNo = detail?.student.studentNo;
  // The current checkpoint is what the operator came for; at 768 px it can sit below the fold.
  useEffect(() => {
    current.current?.scrollIntoView({ block: 'nearest' });
  }, [studentNo, currentCheckpointId]);
  return (
    <section className="card record-card" aria-labelledby="record-title">
      <div className="card-title-row">
        <h2 id="record-title" className="card-title">
          {t.title}
        </h2>
        {detail && progress && (
          <span className={`overall-badge ${detail.complete ? 'is-done' : 'is-open'}`} data-testid="overall-badge">
            {detail.complete ? t.overall.done : t.overall.notDone}
            <small>{t.progress(progress.passed, progress.total)}</small>
          </span>
        )}
      </div>
      <div className="record-body">
        {detail ? (
          <ol className="record-list">
            {detail.record.map((cp, i) => (
              <li
                key={cp.checkpointId}
                ref={cp.checkpointId === currentCheckpointId ? current : undefined}
                className={`record-checkpoint${cp.checkpointId === currentCheckpointId ? ' is-current' : ''}`}>
                <div className="record-checkpoint-name">
                  <span className="record-index">{i + 1}</span>
                  {cp.name}
                </div>
                <ul className="record-steps">
                  {cp.steps.map((step) => (
                    <RecordStepItem key={step.id} step={step} />
                  ))}
                </ul>
              </li>
            ))}
          </ol>
        ) : (
          <div className="record-empty">{t.empty}</div>
        )}
      </div>
      <Legend />
    </section>
  );
}
