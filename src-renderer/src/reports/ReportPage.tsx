import { useEffect, useState, type FormEvent } from 'react';
import type { ChaseList, DailyReport } from '../../../src-shared/contract/report-api';
import { reportZhCN as t } from '../../../src-shared/i18n/report.zh-CN';
import { call } from '../api/client';
import { messageOf } from '../store/errors';
import { useSessionStore } from '../store/session';
import { ChaseDocument } from './ChaseDocument';
import { DailyDocument } from './DailyDocument';
import { saveXlsx } from '../batch/files';
import { localTimeZone, todayLocal } from './format';
import { printWithPageNumbers } from './page-style';
import { SavePdfButton } from './SavePdfButton';
import { closeReports, dailyHash, slipHash, type DailyParams } from './route';
import { SlipVerifier } from './SlipVerifier';

type Load =
  | { state: 'loading' }
  | { state: 'ready'; report: DailyReport }
  | { state: 'chase'; list: ChaseList }
  | { state: 'failed'; message: string };

export function ReportPage({ params }: { params: DailyParams }) {
  const session = useSessionStore((s) => s.session);
  const checkpointId = params.checkpointId ?? session?.checkpointId;
  const date = params.date ?? todayLocal();
  const college = params.college;
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const [slipNo, setSlipNo] = useState('');

  const chase = params.view === 'chase';

  useEffect(() => {
    if (!checkpointId) return;
    let live = true;
    setLoad({ state: 'loading' });
    const request = { checkpointId, timeZone: localTimeZone(), ...(college ? { college } : {}) };
    const loaded: Promise<Load> = chase
      ? call('reports.chaseList', request).then((list) => ({ state: 'chase', list }))
      : call('reports.daily', { ...request, date }).then((report) => ({ state: 'ready', report }));
    loaded.then(
      (next) => live && setLoad(next),
      (e: unknown) => live && setLoad({ state: 'failed', message: messageOf(e) }),
    );
    return () => {
      live = false;
    };
  }, [checkpointId, date, college, chase]);

  const go = (next: DailyParams) => window.location.replace(dailyHash({ view: params.view, checkpointId, date, ...next }));
  const scope = { checkpointId, timeZone: localTimeZone(), ...(college ? { college } : {}) };
  const exportFile = (run: () => Promise<{ fileName: string; base64: string }>) => {
    setBusy(true);
    setStatus(t.ui.exporting);
    run()
      .then((file) => {
        saveXlsx(file);
        setStatus(t.ui.exported(file.fileName));
      })
      .catch((e: unknown) => setStatus(messageOf(e)))
      .finally(() => setBusy(false));
  };
  const openSlip = (e: FormEvent) => {
    e.preventDefault();
    if (slipNo.trim()) window.location.hash = slipHash(slipNo.trim());
  };

  const current = session?.checkpoints.find((c) => c.id === checkpointId);
  const colleges = current?.scope === 'college' && Array.isArray(current.colleges) && current.colleges.length > 1 ? current.colleges : null;

  return (
    <div className="report-screen" data-scan="off">
      <div className="report-toolbar no-print">
        <button type="button" className="btn btn-ghost" onClick={closeReports}>
          {t.ui.back}
        </button>
        <label>
          <span>{t.ui.checkpoint}</span>
          <select value={checkpointId ?? ''} onChange={(e) => go({ checkpointId: e.target.value, college: undefined })} aria-label={t.ui.checkpoint}>
            {session?.checkpoints.map((cp) => (
              <option key={cp.id} value={cp.id}>
                {cp.name}
              </option>
            ))}
          </select>
        </label>
        {colleges && (
          <label>
            <span>{t.ui.college}</span>
            <select value={college ?? ''} onChange={(e) => go({ college: e.target.value || undefined })} aria-label={t.ui.college}>
              <option value="">{t.allColleges}</option>
              {colleges.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
        )}
        <div className="toolbar-views" role="group">
          <button type="button" className={`btn ${chase ? '' : 'btn-active'}`} aria-pressed={!chase} onClick={() => go({ view: undefined })}>
            {t.ui.viewDaily}
          </button>
          <button type="button" className={`btn ${chase ? 'btn-active' : ''}`} aria-pressed={chase} onClick={() => go({ view: 'chase' })}>
            {t.ui.viewChase}
          </button>
        </div>
        {!chase && (
          <label>
            <span>{t.ui.date}</span>
            <input type="date" value={date} max={todayLocal()} onChange={(e) => e.target.value && go({ college, date: e.target.value })} aria-label={t.ui.date} />
          </label>
        )}
        <div className="toolbar-actions">
          <button type="button" className="btn btn-primary" disabled={load.state !== 'ready' && load.state !== 'chase'} onClick={printWithPageNumbers}>
            {t.ui.print}
          </button>
          <SavePdfButton disabled={load.state !== 'ready' && load.state !== 'chase'} fileName={`${chase ? t.ui.viewChase : t.ui.viewDaily}-${date}.pdf`} />
          <button type="button" className="btn" disabled={busy || !checkpointId} onClick={() => exportFile(() => call('reports.dailyXlsx', { ...scope, date }))}>
            {t.ui.exportDaily}
          </button>
          <button type="button" className="btn" disabled={busy || !checkpointId} onClick={() => exportFile(() => call('reports.chaseXlsx', scope))}>
            {t.ui.exportChase}
          </button>
        </div>
        <form className="toolbar-slip" onSubmit={openSlip}>
          <input value={slipNo} onChange={(e) => setSlipNo(e.target.value)} placeholder={t.ui.slipStudentNo} aria-label={t.ui.slipStudentNo} />
          <button type="submit" className="btn">
            {t.ui.slipOpen}
          </button>
        </form>
        <SlipVerifier />
        {status && (
          <div className="toolbar-status" role="status">
            {status}
          </div>
        )}
      </div>
      {load.state === 'loading' && <div className="report-message no-print">{t.ui.loading}</div>}
      {load.state === 'failed' && (
        <div className="report-message error no-print" role="alert">
          {t.ui.failed(load.message)}
        </div>
      )}
      {load.state === 'ready' && <DailyDocument report={load.report} />}
      {load.state === 'chase' && <ChaseDocument list={load.list} />}
    </div>
  );
}
