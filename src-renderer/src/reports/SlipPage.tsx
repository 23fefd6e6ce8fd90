import QRCode from 'qrcode';
import { useEffect, useState } from 'react';
import type { Slip } from '../../../src-shared/contract/report-api';
import { reportZhCN as t } from '../../../src-shared/i18n/report.zh-CN';
import { call } from '../api/client';
import { formatStamp } from '../format';
import { messageOf } from '../store/errors';
import { DocumentHead, Signatures } from './DocumentParts';
import { printWithPageNumbers } from './page-style';
import { SavePdfButton } from './SavePdfButton';
import { dailyHash } from './route';

type Load = { state: 'loading' } | { state: 'ready'; slip: Slip; qr: string } | { state: 'failed'; message: string };

function SlipDocument({ slip, qr }: { slip: Slip; qr: string }) {
  const s = slip.student;
  const facts: [string, string][] = [
    [t.col.name, s.name],
    [t.col.studentNo, s.studentNo],
    [t.col.gender, s.gender],
    [t.col.college, s.college],
    [t.col.major, s.major],
    [t.col.className, s.className],
    [t.col.dorm, s.dorm ?? '—'],
    [t.col.idCard, s.idCardMasked],
    [t.col.previous, s.isPrevious ? t.yes : t.no],
  ];
  return (
    <article className="paper paper-slip" data-testid="slip">
      <DocumentHead
        university={slip.university}
        title={t.doc.slipTitle}
        subtitle={slip.batch.name}
        aside={
          <figure className="slip-qr">
            <img src={qr} alt={t.doc.slipScan} width={112} height={112} />
            <figcaption>
              {t.doc.slipScan}
              <br />
              <span className="mono" data-testid="slip-code">
                {t.doc.slipCode(slip.verificationCode)}
              </span>
            </figcaption>
          </figure>
        }
      />
      <dl className="doc-facts doc-facts-3">
        {facts.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      <p className={`slip-status ${slip.complete ? 'done' : 'open'}`} data-testid="slip-status">
        {slip.complete ? t.doc.slipStatus.complete : t.doc.slipStatus.incomplete}
      </p>
      <table className="doc-table doc-table-dense slip-table">
        <thead>
          <tr>
            <th>{t.col.checkpoint}</th>
            <th>{t.col.step}</th>
            <th>{t.col.status}</th>
            <th>{t.col.updatedBy}</th>
            <th>{t.col.updatedAt}</th>
            <th>{t.col.note}</th>
          </tr>
        </thead>
        <tbody>
          {slip.checkpoints.map((cp) =>
            cp.steps.map((step, i) => (
              <tr key={`${cp.name}/${step.name}`} className={i === 0 ? 'group-start' : undefined}>
                {i === 0 && (
                  <th scope="rowgroup" rowSpan={cp.steps.length} className="step-name">
                    {cp.name}
                  </th>
                )}
                <td>
                  {step.name}
                  {!step.required && <span className="step-tags">{t.doc.optional}</span>}
                </td>
                <td className={`status status-${step.status}`}>{t.status[step.status]}</td>
                <td>{step.status === 'na' ? '' : (step.updatedBy ?? '')}</td>
                <td className="mono">{step.status !== 'na' && step.updatedAt ? formatStamp(step.updatedAt) : ''}</td>
                <td className="note">{step.note}</td>
              </tr>
            )),
          )}
        </tbody>
      </table>
      <p className="doc-note">
        {t.doc.slipMeta(formatStamp(slip.generatedAt), slip.operator.name, slip.deviceId)}
      </p>
      <p className="doc-note">{t.doc.slipNote}</p>
      <Signatures labels={[t.doc.slipStudentSign, t.doc.slipOfficeSign, t.doc.slipStamp]} />
    </article>
  );
}

export function SlipPage({ studentNo }: { studentNo: string }) {
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  useEffect(() => {
    let live = true;
    setLoad({ state: 'loading' });
    call('reports.slip', { studentNo })
      .then(async (slip) => {
        const qr = await QRCode.toDataURL(slip.qrPayload, { errorCorrectionLevel: 'M', margin: 1, width: 336 });
        if (live) setLoad({ state: 'ready', slip, qr });
      })
      .catch((e: unknown) => live && setLoad({ state: 'failed', message: messageOf(e) }));
    return () => {
      live = false;
    };
  }, [studentNo]);

  return (
    <div className="report-screen" data-scan="off">
      <div className="report-toolbar no-print">
        <button type="button" className="btn btn-ghost" onClick={() => (window.location.hash = dailyHash({}))}>
          {t.ui.slipBack}
        </button>
        <div className="toolbar-actions">
          <button type="button" className="btn btn-primary" disabled={load.state !== 'ready'} onClick={() => printWithPageNumbers()}>
            {t.ui.print}
          </button>
          <SavePdfButton disabled={load.state !== 'ready'} fileName={`离校单-${studentNo}.pdf`} />
        </div>
      </div>
      {load.state === 'loading' && <div className="report-message no-print">{t.ui.loading}</div>}
      {load.state === 'failed' && (
        <div className="report-message error no-print" role="alert">
          {t.ui.failed(load.message)}
        </div>
      )}
      {load.state === 'ready' && <SlipDocument slip={load.slip} qr={load.qr} />}
    </div>
  );
}
