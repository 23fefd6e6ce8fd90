import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { ChaseClass, ChaseFilter, ChaseSummary, DailyReport } from '../../../src-shared/contract/report-api';
import { reportZhCN as t } from '../../../src-shared/i18n/report.zh-CN';
import { call } from '../api/client';
import { messageOf } from '../store/errors';
import { useSessionStore } from '../store/session';
import { ChaseDocument } from './ChaseDocument';
import { DailyDocument } from './DailyDocument';
import { saveXlsx } from '../batch/files';
import { localTimeZone, todayLocal } from './format';
import { layOutChaseForPrint } from './chase-print';
import { printWithPageNumbers } from './page-style';
import { PrintProgress } from './PrintProgress';
import { SavePdfButton } from './SavePdfButton';
import { closeReports, dailyHash, slipHash, type DailyParams } from './route';
import { SlipVerifier } from './SlipVerifier';

type Load =
  | { state: 'loading' }
  | { state: 'ready'; report: DailyReport }
  | { state: 'chase'; summary: ChaseSummary }
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

  const [printing, setPrinting] = useState<{ done: number; total: number; abort: AbortController } | null>(null);
  const printTarget = useRef<HTMLDivElement>(null);

  const chase = params.view === 'chase';
  const filter: ChaseFilter = { college: params.chaseCollege, className: params.chaseClass, dorm: params.chaseDorm };
  const filterKey = JSON.stringify(filter);
  const hasFilter = Boolean(filter.college || filter.className || filter.dorm);

  useEffect(() => {
    if (!checkpointId) return;
    let live = true;
    setLoad({ state: 'loading' });
    const request = { checkpointId, timeZone: localTimeZone(), ...(college ? { college } : {}) };
    const loaded: Promise<Load> = chase
      ? call('reports.chaseSummary', { ...request, ...(hasFilter ? { filter } : {}) }).then((summary) => ({ state: 'chase', summary }))
      : call('reports.daily', { ...request, date }).then((report) => ({ state: 'ready', report }));
    loaded.then(
      (next) => live && setLoad(next),
      (e: unknown) => live && setLoad({ state: 'failed', message: messageOf(e) }),
    );
    return () => {
      live = false;
    };
    // filterKey stands for the filter, a new object every render.
  }, [checkpointId, date, college, chase, filterKey]);

  const go = (next: DailyParams) => window.location.replace(dailyHash({ view: params.view, checkpointId, date, ...next }));
  const scope = { checkpointId, timeZone: localTimeZone(), ...(college ? { college } : {}) };
  const chaseScope = { ...scope, ...(hasFilter ? { filter } : {}) };
  const fetchPage = (classes: ChaseClass[]) => call('reports.chasePage', { ...chaseScope, checkpointId: checkpointId!, classes }).then((p) => p.students);
  const setFilter = (next: ChaseFilter) =>
    go({ view: 'chase', college, chaseCollege: next.college, chaseClass: next.className, chaseDorm: next.dorm });

  /** The chase list goes to paper only when printed: laid out page by page, with progress and 取消. */
  const prepareChase = async (): Promise<boolean> => {
    const target = printTarget.current;
    if (load.state !== 'chase' || !target) return false;
    const abort = new AbortController();
    setPrinting({ done: 0, total: load.summary.total, abort });
    setStatus('');
    try {
      const complete = await layOutChaseForPrint(target, load.summary, fetchPage, {
        signal: abort.signal,
        onProgress: (done) => setPrinting((p) => p && { ...p, done }),
      });
      if (!complete) setStatus(t.ui.printCanceled);
      return complete;
    } catch (e) {
      setStatus(t.ui.failed(messageOf(e)));
      return false;
    } finally {
      setPrinting(null);
    }
  };
  const clearPrint = () => printTarget.current?.replaceChildren();
  const print = () => {
    if (!chase) return printWithPageNumbers();
    void prepareChase().then((ready) => ready && printWithPageNumbers(clearPrint));
  };
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
          <button type="button" className="btn btn-primary" disabled={(load.state !== 'ready' && load.state !== 'chase') || printing !== null} onClick={print}>
            {t.ui.print}
          </button>
          <SavePdfButton
            disabled={(load.state !== 'ready' && load.state !== 'chase') || printing !== null}
            fileName={`${chase ? t.ui.viewChase : t.ui.viewDaily}-${date}.pdf`}
            {...(chase ? { prepare: prepareChase, after: clearPrint } : {})}
          />
          <button type="button" className="btn" disabled={busy || !checkpointId} onClick={() => exportFile(() => call('reports.dailyXlsx', { ...scope, date }))}>
            {t.ui.exportDaily}
          </button>
          <button type="button" className="btn" disabled={busy || !checkpointId} onClick={() => exportFile(() => call('reports.chaseXlsx', chaseScope))}>
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
      {load.state === 'chase' && (
        <ChaseDocument
          summary={load.summary}
          filter={filter}
          onFilter={setFilter}
          fetchPage={fetchPage}
          printTarget={printTarget}
          onError={(message) => setStatus(t.ui.failed(message))}
        />
      )}
      {printing && <PrintProgress done={printing.done} total={printing.total} onCancel={() => printing.abort.abort()} />}
    </div>
  );
}
