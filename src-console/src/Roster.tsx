import { useEffect, useState } from 'react';
import type { RosterApplied, RosterPreview } from '../../src-shared/contract/console-api';
import { consoleText } from '../../src-shared/i18n/console.zh-CN';
import { call, ConsoleError } from './api';

const t = consoleText.roster;
/** Enough of a long list to check by eye; the count says the rest. */
const SHOWN = 50;

function toBase64(bytes: ArrayBuffer): string {
  let binary = '';
  const view = new Uint8Array(bytes);
  for (let i = 0; i < view.length; i += 0x8000) binary += String.fromCharCode(...view.subarray(i, i + 0x8000));
  return btoa(binary);
}

function download(fileName: string, base64: string): void {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  URL.revokeObjectURL(url);
}

interface Upload {
  fileName: string;
  content: string;
}

/**
 * 名单导入: the batch's template, then an upload checked row by row before anything is written;
 * the import is all or nothing unless the admin chooses to leave the bad rows out.
 */
export function Roster({ onExpired }: { onExpired: () => void }) {
  const [batches, setBatches] = useState<{ id: string; name: string }[]>([]);
  const [batchId, setBatchId] = useState('');
  const [upload, setUpload] = useState<Upload | null>(null);
  const [preview, setPreview] = useState<RosterPreview | null>(null);
  const [skipInvalid, setSkipInvalid] = useState(false);
  const [withdraw, setWithdraw] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [applied, setApplied] = useState<RosterApplied | null>(null);

  function fail(e: unknown) {
    if (e instanceof ConsoleError && e.status === 401) onExpired();
    else setError(e instanceof Error ? e.message : String(e));
  }

  useEffect(() => {
    call('progress.batches', {}).then((r) => {
      setBatches(r.batches);
      setBatchId((id) => id || (r.batches[0]?.id ?? ''));
    }, fail);
  }, []);

  async function choose(file: File | undefined) {
    setPreview(null);
    setApplied(null);
    setError(null);
    setSkipInvalid(false);
    setWithdraw(false);
    if (!file) return setUpload(null);
    const chosen = { fileName: file.name, content: toBase64(await file.arrayBuffer()) };
    setUpload(chosen);
    setBusy(true);
    try {
      setPreview(await call('roster.preview', { batchId, ...chosen }));
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  }

  async function apply() {
    if (!upload) return;
    setBusy(true);
    setError(null);
    try {
      const result = await call('roster.apply', { batchId, ...upload, skipInvalid, ...(withdraw ? { withdrawMissingReason: reason } : {}) });
      setApplied(result);
      setPreview(null);
      setUpload(null);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  }

  const blocked = !preview || preview.fileProblems.length > 0 || (preview.rowProblems.length > 0 && !skipInvalid) || (withdraw && reason.trim() === '');

  return (
    <section aria-labelledby="roster-title" className="roster">
      <div className="toolbar">
        <h1 id="roster-title">{t.title}</h1>
        <label className="inline">
          {t.batch}
          <select value={batchId} onChange={(e) => setBatchId(e.target.value)}>
            {batches.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => void call('roster.template', { batchId }).then((f) => download(f.fileName, f.content), fail)} disabled={!batchId}>
          {t.template}
        </button>
      </div>
      <div className="card stack-card">
        <div className="file">
          <span id="file-label">{t.file}</span>
          <label className="file-button">
            {t.chooseFile}
            <input
              type="file"
              className="visually-hidden"
              aria-labelledby="file-label"
              accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              onChange={(e) => {
                void choose(e.target.files?.[0]);
                e.target.value = '';
              }}
              disabled={!batchId || busy}
            />
          </label>
          <span className="hint">{upload?.fileName ?? preview?.fileName ?? t.noFile}</span>
        </div>
        {busy && <p role="status">{preview ? t.applying : t.checking}</p>}
        {error && (
          <p className="error pre" role="alert">
            {error}
          </p>
        )}
        {applied && (
          <p className="done" role="status" data-testid="roster-applied">
            {[
              t.done(applied.students),
              applied.moved.length > 0 ? t.doneMoved(applied.moved.length) : '',
              applied.withdrawn.length > 0 ? t.doneWithdrawn(applied.withdrawn.length) : '',
              applied.skipped.length > 0 ? t.doneSkipped(applied.skipped.length) : '',
            ]
              .filter(Boolean)
              .join('；')}
          </p>
        )}
      </div>
      {preview && (
        <div className="card stack-card" data-testid="roster-preview">
          <h2>{preview.fileName}</h2>
          {preview.fileProblems.length > 0 ? (
            <>
              <p className="error">{t.headerProblems}</p>
              <ul>
                {preview.fileProblems.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            </>
          ) : (
            <p>{t.summary(preview.valid, preview.added, preview.updated)}</p>
          )}
          {preview.rowProblems.length > 0 && (
            <>
              <h3 id="row-problems" className="rejected">
                {t.rowProblems(preview.rowProblems.length)}
              </h3>
              <ul aria-labelledby="row-problems" className="problems" data-testid="row-problems" tabIndex={0}>
                {preview.rowProblems.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
              <label className="check">
                <input type="checkbox" checked={skipInvalid} onChange={(e) => setSkipInvalid(e.target.checked)} disabled={withdraw} />
                {t.skipInvalid}
              </label>
            </>
          )}
          {preview.fileProblems.length === 0 && preview.rowProblems.length === 0 && <p className="passed">{t.noProblems}</p>}
          {preview.moved.length > 0 && (
            <details>
              <summary>{t.moved(preview.moved.length)}</summary>
              <ul>
                {preview.moved.slice(0, SHOWN).map((m) => (
                  <li key={m.studentNo}>{t.movedLine(m.studentNo, m.name, m.from, m.to)}</li>
                ))}
                {preview.moved.length > SHOWN && <li>{t.more(preview.moved.length - SHOWN)}</li>}
              </ul>
            </details>
          )}
          {preview.missing.length > 0 && (
            <div className="missing-box">
              <details>
                <summary>{t.missing(preview.missing.length)}</summary>
                <ul>
                  {preview.missing.slice(0, SHOWN).map((m) => (
                    <li key={m.studentNo}>
                      {m.studentNo} {m.name} {m.college}
                    </li>
                  ))}
                  {preview.missing.length > SHOWN && <li>{t.more(preview.missing.length - SHOWN)}</li>}
                </ul>
              </details>
              <label className="check">
                <input type="checkbox" checked={withdraw} onChange={(e) => setWithdraw(e.target.checked)} disabled={skipInvalid} />
                {t.withdraw}
              </label>
              {withdraw && (
                <label className="reason">
                  {t.reason}
                  <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={100} />
                </label>
              )}
            </div>
          )}
          {preview.rowProblems.length > 0 && !skipInvalid && <p className="hint">{t.fixFirst}</p>}
          <div>
            <button type="button" className="primary" disabled={blocked || busy} onClick={() => void apply()}>
              {t.apply}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
