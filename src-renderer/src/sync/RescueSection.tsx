import { useState, type ChangeEvent } from 'react';
import { syncText } from '../../../src-shared/i18n/sync.zh-CN';
import { call } from '../api/client';
import { messageOf } from '../store/errors';

const t = syncText.rescue;

type Outcome = { kind: 'done'; lines: string[] } | { kind: 'failed'; message: string } | null;

/**
 * 救援文件 in the sync panel: write this counter's unsent ops out (to take to another counter or
 * the administrator), or upload another counter's file through this counter's connection.
 */
export function RescueSection() {
  const [busy, setBusy] = useState<'write' | 'upload' | null>(null);
  const [outcome, setOutcome] = useState<Outcome>(null);

  // The buttons stay enabled while busy: disabling the focused one would drop the focus out of
  // the panel, and Escape would no longer close it.
  const run = async (kind: 'write' | 'upload', work: () => Promise<string[]>) => {
    if (busy) return;
    setBusy(kind);
    setOutcome(null);
    try {
      setOutcome({ kind: 'done', lines: await work() });
    } catch (e) {
      setOutcome({ kind: 'failed', message: messageOf(e) });
    } finally {
      setBusy(null);
    }
  };

  const write = () =>
    run('write', async () => {
      const written = await call('sync.writeRescue', {});
      return [t.written(written.path, written.ops), ...(written.complete ? [] : [t.incomplete])];
    });

  const upload = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    void run('upload', async () => t.uploaded(await call('sync.uploadRescue', { fileName: file.name, content: await file.text() })));
  };

  return (
    <section className="sync-rescue" aria-labelledby="sync-rescue-title" data-testid="rescue-section">
      <h3 id="sync-rescue-title">{t.heading}</h3>
      <p className="sync-muted">{t.hint}</p>
      <div className="sync-rescue-actions">
        <button type="button" className="btn" onClick={() => void write()} aria-busy={busy === 'write'}>
          {busy === 'write' ? t.writing : t.write}
        </button>
        <input
          id="rescue-upload-input"
          className="visually-hidden"
          type="file"
          accept=".json,application/json"
          aria-label={t.upload}
          onChange={upload}
          data-testid="rescue-upload"
        />
        <label htmlFor="rescue-upload-input" className="btn">
          {busy === 'upload' ? t.uploading : t.upload}
        </label>
      </div>
      <div aria-live="polite">
        {outcome?.kind === 'done' &&
          outcome.lines.map((line) => (
            <p key={line} className="sync-rescue-path">
              {line}
            </p>
          ))}
        {outcome?.kind === 'failed' && (
          <p className="sync-error" role="alert">
            {outcome.message}
          </p>
        )}
      </div>
    </section>
  );
}
