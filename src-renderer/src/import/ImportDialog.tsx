import { useEffect, useMemo, useRef, useState } from 'react';
import type { ImportApplyResult, ImportPreview, ImportRow, ImportVerdict } from '../../../src-shared/contract/batch-api';
import { batchZhCN } from '../../../src-shared/i18n/batch.zh-CN';
import { call } from '../api/client';
import { Dialog } from '../batch/Dialog';
import { fileToBase64, saveXlsx } from '../batch/files';
import { useVirtualRows } from '../batch/virtual-rows';
import { notify } from '../feedback/notify';
import { messageOf } from '../store/errors';
import { useSessionStore } from '../store/session';
import './import.css';

const t = batchZhCN.import;
const ROW_HEIGHT = 30;

/** Verdict chips in the order an operator works through them: what to fix first, then the rest. */
const CHIP_ORDER: ImportVerdict[] = ['ready', 'ambiguous', 'unknown', 'duplicate', 'invalid', 'blocked', 'not_applicable', 'already_done', 'out_of_scope'];

function verdictTone(v: ImportVerdict): string {
  if (v === 'ready') return 'passed';
  if (v === 'ambiguous') return 'optional';
  if (v === 'already_done' || v === 'not_applicable') return 'na';
  return 'rejected';
}

function PreviewRow({ row, top, choice, onChoose }: { row: ImportRow; top: number; choice: string | undefined; onChoose(no: string): void }) {
  return (
    <div className={`import-row verdict-${row.verdict}`} role="row" data-row={row.rowNumber} style={{ transform: `translateY(${top}px)` }}>
      <span role="cell" className="import-num">
        {row.rowNumber}
      </span>
      <span role="cell" className="mono">
        {row.raw}
      </span>
      <span role="cell" className="mono">
        {row.verdict === 'ambiguous' ? (
          <select aria-label={`${t.chooseCandidate} ${row.raw}`} value={choice ?? ''} onChange={(e) => onChoose(e.target.value)}>
            <option value="">{t.chooseCandidate}</option>
            {row.candidates.map((c) => (
              <option key={c.studentNo} value={c.studentNo}>
                {t.candidate(c.studentNo, c.name, c.className)}
              </option>
            ))}
          </select>
        ) : (
          row.studentNo
        )}
      </span>
      <span role="cell">{row.name}</span>
      <span role="cell" className={row.action === 'reject' ? 'import-reject' : ''}>
        {t.action[row.action]}
      </span>
      <span role="cell">
        <span className={`import-verdict tone-${verdictTone(row.verdict)}`}>{t.verdict[row.verdict]}</span>
      </span>
      <span role="cell" className="import-message" title={row.note ? `${row.message}（${row.note}）` : row.message}>
        {row.message}
        {row.note && <span className="import-note">{row.note}</span>}
      </span>
    </div>
  );
}

/**
 * 导入名单: pick an .xlsx, choose the step, preview (nothing is written), answer the 学号 Excel
 * made ambiguous, then import the ready rows in one transaction. The back end re-reads and
 * re-checks the file at import time; what it did not take comes back as a downloadable file.
 */
export function ImportDialog({ onClose }: { onClose(): void }) {
  const session = useSessionStore((s) => s.session);
  const batch = useSessionStore((s) => s.batch);
  const checkpoint = batch?.checkpoints.find((c) => c.id === session?.checkpointId);
  const steps = useMemo(() => checkpoint?.steps.filter((s) => s.mode === 'manual') ?? [], [checkpoint]);
  const [stepId, setStepId] = useState(steps[0]?.id ?? '');
  const [file, setFile] = useState<{ name: string; base64: string } | null>(null);
  const [choices, setChoices] = useState<Record<string, string>>({});
  const [shownPreview, setPreview] = useState<ImportPreview | null>(null);
  const [result, setResult] = useState<ImportApplyResult | null>(null);
  const [filter, setFilter] = useState<ImportVerdict | 'all'>('all');
  const [busy, setBusy] = useState<'preview' | 'apply' | null>(null);
  const [error, setError] = useState<string | null>(null);
  // A preview answers for one step: while another is chosen and re-checked, it is not shown.
  const preview = shownPreview?.stepId === stepId ? shownPreview : null;
  const picker = useRef<HTMLInputElement>(null);
  const viewport = useRef<HTMLDivElement>(null);

  const rows = useMemo(() => (preview ? preview.rows.filter((r) => filter === 'all' || r.verdict === filter) : []), [preview, filter]);
  const { first, last, totalHeight } = useVirtualRows(viewport, rows.length, ROW_HEIGHT);

  useEffect(() => picker.current?.focus(), []);

  const runPreview = async (nextChoices = choices) => {
    if (!file || !stepId || busy) return;
    setBusy('preview');
    setResult(null);
    try {
      setPreview(await call('listImport.preview', { fileName: file.name, base64: file.base64, stepId, choices: nextChoices }));
      setError(null);
    } catch (e) {
      setPreview(null);
      setError(messageOf(e));
    } finally {
      setBusy(null);
    }
  };

  const runApply = async () => {
    if (!file || !preview || busy) return;
    setBusy('apply');
    try {
      const outcome = await call('listImport.apply', { fileName: file.name, base64: file.base64, stepId, choices });
      setResult(outcome);
      // Judged after the write: the rows just taken now show as 已办理.
      setPreview(outcome.preview);
      notify(outcome.notTaken > 0 ? 'blocked' : 'success', t.result(outcome.passed, outcome.rejected, outcome.notTaken));
    } catch (e) {
      notify('error', messageOf(e));
    } finally {
      setBusy(null);
    }
  };

  const onPick = async (picked: File | undefined) => {
    if (!picked) return;
    setPreview(null);
    setResult(null);
    setChoices({});
    setFilter('all');
    try {
      setFile({ name: picked.name, base64: await fileToBase64(picked) });
      setError(null);
    } catch (e) {
      setError(messageOf(e));
    }
  };

  // A new file or step makes the old preview meaningless: preview again straight away.
  useEffect(() => {
    if (file && stepId) void runPreview({});
  }, [file, stepId]);

  const choose = (rowNumber: number, studentNo: string) => {
    const next = { ...choices };
    if (studentNo) next[String(rowNumber)] = studentNo;
    else delete next[String(rowNumber)];
    setChoices(next);
    void runPreview(next);
  };

  const ready = preview?.counts.ready ?? 0;
  const canApply = ready > 0 && !busy && !result;
  const onEnter = () => {
    if (canApply) void runApply();
    else if (!preview) void runPreview();
  };

  const template = async () => {
    try {
      saveXlsx(await call('listImport.template', {}));
    } catch (e) {
      notify('error', messageOf(e));
    }
  };

  return (
    <Dialog
      labelledBy="import-title"
      className="import-dialog"
      title={t.title}
      meta={checkpoint?.name}
      onClose={onClose}
      keys={{ F9: onEnter }}
      footer={
        <>
          <span className="import-foot-status">
            {busy === 'preview' ? t.previewing : busy === 'apply' ? t.applying : preview ? t.previewTook(preview.elapsedMs) : ''}
          </span>
          <span className="batch-foot-keys">{t.keys}</span>
          <button type="button" className="btn" onClick={onClose}>
            {t.close} <kbd className="kbd">Esc</kbd>
          </button>
          <button type="button" className="btn btn-primary btn-submit" disabled={!canApply} onClick={() => void runApply()}>
            {busy === 'apply' ? t.applying : t.apply(ready)} <kbd className="kbd">Enter</kbd>
          </button>
        </>
      }
    >
      <div
        className="import-form"
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !(e.target instanceof HTMLButtonElement)) {
            e.preventDefault();
            onEnter();
          }
        }}
      >
        <label className="import-field">
          <span>{t.step}</span>
          <select value={stepId} disabled={busy !== null} onChange={(e) => setStepId(e.target.value)} aria-label={t.step}>
            {steps.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <div className="import-field import-file">
          <span>{t.file}</span>
          <input
            ref={picker}
            id="import-file-input"
            className="visually-hidden"
            type="file"
            disabled={busy !== null}
            accept=".xlsx,.csv,.txt,.xls,.ods,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"
            aria-label={t.file}
            onChange={(e) => {
              void onPick(e.target.files?.[0]);
              e.target.value = '';
            }}
          />
          <label htmlFor="import-file-input" className="btn">
            {t.choose}
          </label>
          <span className={`import-file-name${file ? '' : ' is-empty'}`}>{file?.name ?? t.noFileChosen}</span>
        </div>
        <button type="button" className="btn" disabled={!file || busy !== null} onClick={() => void runPreview()}>
          {t.preview}
        </button>
        <button type="button" className="btn btn-ghost import-template" onClick={() => void template()}>
          {t.template}
        </button>
      </div>
      <p className="import-hint">{t.hint}</p>
      {error && (
        <div className="notice notice-error" role="alert">
          {error}
        </div>
      )}
      {busy && (
        <div className="import-busy" role="status">
          <span className="import-spinner" aria-hidden="true" />
          {busy === 'preview' ? t.previewing : t.applying}
          <span className="import-busy-hint">{t.busyHint}</span>
        </div>
      )}
      {result && (
        <div className="import-result" role="status">
          <strong>{t.result(result.passed, result.rejected, result.notTaken)}</strong>
          {result.rejectedFile && (
            <button type="button" className="btn btn-small" onClick={() => saveXlsx(result.rejectedFile!)}>
              {t.downloadRejected(result.notTaken)}
            </button>
          )}
        </div>
      )}
      {!preview && !busy && !error && (
        <label htmlFor="import-file-input" className="import-empty">
          <strong>{t.emptyTitle}</strong>
          <span>{t.emptyHint}</span>
        </label>
      )}
      {preview && (
        <>
          <div className="import-summary">
            <strong>{t.summary(preview.total, ready)}</strong>
            <span>{t.passReject(preview.passCount, preview.rejectCount)}</span>
            {(preview.restoredCount > 0 || preview.fullWidthCount > 0) && <span>{t.corrected(preview.restoredCount, preview.fullWidthCount)}</span>}
            {preview.counts.ambiguous > 0 && <span className="import-ask">{t.ambiguousLeft(preview.counts.ambiguous)}</span>}
          </div>
          <div className="import-chips" role="group">
            <button type="button" className={`import-chip${filter === 'all' ? ' is-on' : ''}`} onClick={() => setFilter('all')}>
              {t.filterAll} <b>{preview.total}</b>
            </button>
            {CHIP_ORDER.filter((v) => preview.counts[v] > 0 || v === 'ready').map((v) => (
              <button key={v} type="button" className={`import-chip tone-${verdictTone(v)}${filter === v ? ' is-on' : ''}`} data-verdict={v} onClick={() => setFilter(v)}>
                {t.verdict[v]} <b>{preview.counts[v]}</b>
              </button>
            ))}
          </div>
          <div className="import-table" role="table">
            <div className="import-head" role="row">
              {Object.values(t.columns).map((c) => (
                <span key={c} role="columnheader">
                  {c}
                </span>
              ))}
            </div>
            <div ref={viewport} className="import-viewport" role="rowgroup">
              <div className="batch-spacer" style={{ height: totalHeight }}>
                {rows.slice(first, last).map((row, i) => (
                  <PreviewRow
                    key={row.rowNumber}
                    row={row}
                    top={(first + i) * ROW_HEIGHT}
                    choice={choices[String(row.rowNumber)]}
                    onChoose={(no) => choose(row.rowNumber, no)}
                  />
                ))}
              </div>
            </div>
          </div>
          {preview.rows.length < preview.total && <p className="import-hint">{t.shown(preview.rows.length, preview.total)}</p>}
        </>
      )}
    </Dialog>
  );
}

