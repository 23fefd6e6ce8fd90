import { useState, type KeyboardEvent } from 'react';
import type { StudentDetail } from '../../../src-shared/contract/counter-api';
import { refusalMessage, zhCN } from '../../../src-shared/i18n/zh-CN';
import { formatStamp } from '../format';
import { canPass, useStudentStore, type ReasonPrompt, type StepActionRow } from '../store/student';
import { Kbd } from './Kbd';
import { limitNote } from '../note-limit';
import { StatusPill, displayStatus } from './StatusIcon';

const t = zhCN.ui.ops;

/** Refusals worth a line under the step; blocked has its own notice and passed shows in the pill. */
const HINTED_REFUSALS = new Set(['auto_step', 'not_applicable']);

function ReasonPromptRow({ prompt, initial }: { prompt: ReasonPrompt; initial: string }) {
  const apply = useStudentStore((s) => s.apply);
  const askReason = useStudentStore((s) => s.askReason);
  const busy = useStudentStore((s) => s.busy);
  const [reason, setReason] = useState(initial);
  const [missing, setMissing] = useState(false);

  const confirm = () => {
    if (!reason.trim()) {
      setMissing(true);
      return;
    }
    void apply(prompt.stepId, prompt.action, reason.trim());
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      confirm();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      askReason(null);
    }
  };

  return (
    <div className={`reason-prompt reason-${prompt.action}`}>
      <label className="reason-label" htmlFor={`reason-${prompt.stepId}`}>
        {t.reasonTitle[prompt.action]}
      </label>
      <input
        id={`reason-${prompt.stepId}`}
        data-scan="off"
        autoFocus
        value={reason}
        placeholder={t.reasonPlaceholder}
        aria-invalid={missing}
        onChange={(e) => {
          setReason(limitNote(e.target.value));
          setMissing(false);
        }}
        onKeyDown={onKeyDown}
      />
      <button type="button" className={`btn btn-small ${prompt.action === 'reject' ? 'btn-danger' : 'btn-warning'}`} disabled={busy} onClick={confirm}>
        {t.confirm}
      </button>
      <button type="button" className="btn btn-small" onClick={() => askReason(null)}>
        {t.cancel}
      </button>
      {missing && (
        <span className="inline-error" role="alert">
          {zhCN.refusal.reason_required}
        </span>
      )}
    </div>
  );
}

function StepActionRowView({ row }: { row: StepActionRow }) {
  const draft = useStudentStore((s) => s.drafts[row.id]);
  const prompt = useStudentStore((s) => (s.prompt?.stepId === row.id ? s.prompt : null));
  const busy = useStudentStore((s) => s.busy);
  const { toggle, setNote, apply, askReason } = useStudentStore.getState();
  const status = displayStatus(row);
  const note = draft?.note ?? '';
  const hint = row.pass && HINTED_REFUSALS.has(row.pass.code) ? refusalMessage(row.pass) : null;
  const why = (refusal: StepActionRow['pass']) => (refusal ? refusalMessage(refusal) : undefined);

  return (
    <li className={`op-row op-${status}`} data-step={row.id}>
      <div className="op-main">
        <label className="op-check">
          <input type="checkbox" checked={draft?.checked ?? false} disabled={!canPass(row) || busy} onChange={() => toggle(row.id)} />
          <span className="op-name">{row.name}</span>
        </label>
        <StatusPill status={status} />
        <input
          className="op-note"
          data-scan="off"
          aria-label={`${row.name} ${t.note}`}
          placeholder={t.notePlaceholder}
          value={note}
          disabled={row.pass !== null && row.reject !== null && row.revoke !== null}
          onChange={(e) => setNote(row.id, limitNote(e.target.value))}
        />
        <div className="op-buttons">
          <button type="button" className="btn btn-small btn-success" disabled={row.pass !== null || busy} title={why(row.pass)} onClick={() => void apply(row.id, 'pass', note)}>
            {zhCN.action.pass}
          </button>
          <button type="button" className="btn btn-small btn-danger-outline" disabled={row.reject !== null || busy} title={why(row.reject)} onClick={() => askReason({ stepId: row.id, action: 'reject' })}>
            {zhCN.action.reject}
          </button>
          <button type="button" className="btn btn-small btn-warning-outline" disabled={row.revoke !== null || busy} title={why(row.revoke)} onClick={() => askReason({ stepId: row.id, action: 'revoke' })}>
            {zhCN.action.revoke}
          </button>
        </div>
      </div>
      {(row.updatedAt || row.note || hint || row.lifted) && (
        <div className="op-sub">
          {row.lifted && <span className="tag tag-lifted">{t.lifted}</span>}
          {row.updatedAt && <span>{t.lastChange(row.updatedBy ?? '', formatStamp(row.updatedAt))}</span>}
          {row.note && <span className="op-saved-note">{zhCN.ui.format.labelled(t.note, row.note)}</span>}
          {hint && <span className="op-hint">{hint}</span>}
        </div>
      )}
      {prompt && <ReasonPromptRow key={`${prompt.stepId}-${prompt.action}`} prompt={prompt} initial={note} />}
    </li>
  );
}

export function StepOperations({ detail, checkpointName }: { detail: StudentDetail; checkpointName: string }) {
  const drafts = useStudentStore((s) => s.drafts);
  const busy = useStudentStore((s) => s.busy);
  const { submitChecked, checkAllPassable } = useStudentStore.getState();
  const checkedCount = detail.actions.filter((row) => drafts[row.id]?.checked).length;
  const anyPassable = detail.actions.some(canPass);
  const allDone = detail.actions.every((row) => row.status === 'passed' || row.status === 'na' || !row.required);

  return (
    <section className="card ops-card" aria-labelledby="ops-title">
      <div className="card-title-row">
        <h2 id="ops-title" className="card-title">
          {t.title}
        </h2>
        <span className="card-meta">{checkpointName}</span>
      </div>
      {detail.actions.length === 0 ? (
        <div className="ops-empty">{t.noSteps}</div>
      ) : (
        <ul className="op-list">
          {detail.actions.map((row) => (
            <StepActionRowView key={row.id} row={row} />
          ))}
        </ul>
      )}
      <div className="ops-footer">
        <span className="ops-summary">{allDone && detail.actions.length > 0 ? t.checkpointDone : busy ? t.busy : ''}</span>
        <button type="button" className="btn" disabled={!anyPassable || busy} onClick={checkAllPassable}>
          {t.checkAll} <Kbd action="checkAll" />
        </button>
        <button type="button" className="btn btn-primary btn-submit" disabled={checkedCount === 0 || busy} onClick={() => void submitChecked()}>
          {t.submit}
          {checkedCount > 0 && <span className="count-badge">{checkedCount}</span>} <Kbd action="submit" />
        </button>
      </div>
    </section>
  );
}
