import type { StudentCheckpoint, StudentStep } from '../../src-shared/contract/student-api';
import { studentText as t } from '../../src-shared/i18n/student.zh-CN';
import { zhCN } from '../../src-shared/i18n/zh-CN';
import { displayStatus, StatusIcon } from '../../src-renderer/src/components/StatusIcon';
import { localTime } from './local-time';

function placeOf(cp: StudentCheckpoint | undefined, name: string): string {
  return cp?.location ? `${name}（${cp.location}）` : name;
}

/** For an unfinished step: what it waits for, or where to go now. */
function NextMove({ step, checkpoint, all }: { step: StudentStep; checkpoint: StudentCheckpoint; all: StudentCheckpoint[] }) {
  if (step.status === 'passed' || step.status === 'na') return null;
  if (!step.required && step.status === 'pending') return <p className="next hint">{t.step.optional}</p>;
  if (step.blockedBy.length > 0) {
    return (
      <div className="next blocked">
        <span>{t.step.waitsFor}</span>
        <ul>
          {step.blockedBy.map((g) => (
            <li key={g.checkpointId}>
              {placeOf(
                all.find((c) => c.id === g.checkpointId),
                g.checkpointName,
              )}
              ：{g.steps.map((s) => s.name).join('、')}
            </li>
          ))}
        </ul>
      </div>
    );
  }
  if (step.mode === 'auto') return <p className="next">{t.step.auto}</p>;
  return <p className="next go">{t.step.goTo(placeOf(checkpoint, checkpoint.name))}</p>;
}

export function CheckpointCard({ checkpoint, all }: { checkpoint: StudentCheckpoint; all: StudentCheckpoint[] }) {
  const headingId = `cp-${checkpoint.id}`;
  return (
    <article className={`card checkpoint ${checkpoint.complete ? 'complete' : ''}`} aria-labelledby={headingId} data-testid={`checkpoint-${checkpoint.id}`}>
      <h3 id={headingId}>
        {checkpoint.name}
        {checkpoint.complete && <span className="done">{t.checkpoint.done}</span>}
      </h3>
      <dl className="where">
        <dt>{t.checkpoint.location}</dt>
        <dd>{checkpoint.location ?? t.checkpoint.noLocation}</dd>
        <dt>{t.checkpoint.hours}</dt>
        <dd>{checkpoint.hours ?? t.checkpoint.noHours}</dd>
        <dt>{t.checkpoint.phone}</dt>
        <dd>{checkpoint.phone ? <a href={`tel:${checkpoint.phone.replace(/[^0-9+]/g, '')}`}>{checkpoint.phone}</a> : t.checkpoint.noPhone}</dd>
      </dl>
      <ul className="steps">
        {checkpoint.steps.map((step) => {
          const shown = displayStatus(step);
          return (
            <li key={step.id} className={`step status-${shown}`} data-testid={`step-${step.id}`}>
              <div className="step-line">
                <StatusIcon status={shown} />
                <span className="step-name">{step.name}</span>
                <span className="step-status">{zhCN.status[shown]}</span>
              </div>
              {step.status === 'rejected' && <p className="reason">{step.note ? t.step.rejectedReason(step.note) : t.step.rejectedNoReason}</p>}
              {step.lifted && <p className="lifted">{t.step.lifted}</p>}
              {step.status === 'passed' && step.updatedAt && <p className="hint">{t.step.updatedAt(localTime(step.updatedAt))}</p>}
              <NextMove step={step} checkpoint={checkpoint} all={all} />
            </li>
          );
        })}
      </ul>
    </article>
  );
}
