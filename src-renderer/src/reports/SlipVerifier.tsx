import { useState, type FormEvent } from 'react';
import type { SlipVerdict } from '../../../src-shared/contract/report-api';
import { reportZhCN as t } from '../../../src-shared/i18n/report.zh-CN';
import { call } from '../api/client';
import { messageOf } from '../store/errors';

function verdictText(v: SlipVerdict): string {
  if (v.verdict !== 'valid') return t.ui.verdict[v.verdict];
  return t.ui.verdict.valid(v.student?.name ?? '', v.student?.className ?? '', v.completeNow === true);
}

/** A desk scans a printed 离校单 back: the back end recomputes the check code. */
export function SlipVerifier() {
  const [text, setText] = useState('');
  const [result, setResult] = useState<{ ok: boolean; message: string } | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    call('reports.verifySlip', { text })
      .then((v) => setResult({ ok: v.verdict === 'valid', message: verdictText(v) }))
      .catch((err: unknown) => setResult({ ok: false, message: messageOf(err) }))
      .finally(() => setText(''));
  };
  return (
    <form className="toolbar-verify" onSubmit={submit}>
      <input value={text} onChange={(e) => setText(e.target.value)} placeholder={t.ui.verifyPlaceholder} aria-label={t.ui.verifyLabel} />
      <button type="submit" className="btn">
        {t.ui.verify}
      </button>
      {result && (
        <span className={`verdict ${result.ok ? 'ok' : 'bad'}`} role="status" data-testid="slip-verdict">
          {result.message}
        </span>
      )}
    </form>
  );
}
