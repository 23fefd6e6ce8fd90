import type { DailyReport, ReportCounts, ReportStepLine } from '../../../src-shared/contract/report-api';
import { reportZhCN as t } from '../../../src-shared/i18n/report.zh-CN';
import { formatPercent, formatStamp } from '../format';
import { DocumentFacts, DocumentHead, Signatures } from './DocumentParts';
import { collegesLine, formatRate, formatTime } from './format';

function CountCells({ c }: { c: ReportCounts }) {
  return (
    <>
      <td className="num">{c.total}</td>
      <td className="num">{c.passedToday}</td>
      <td className="num">{c.revokedToday}</td>
      <td className="num">{c.rejectedToday}</td>
      <td className="num">{c.passed}</td>
      <td className="num strong">{c.unfinished}</td>
      <td className="num">{formatRate(c.rate, c.passed, c.total)}</td>
    </>
  );
}

function StepRows({ line }: { line: ReportStepLine }) {
  const tags = [line.required ? null : t.doc.optional, line.mode === 'auto' ? t.doc.auto : null].filter(Boolean);
  return (
    <>
      <tr className="group-start">
        <th scope="rowgroup" rowSpan={2} className="step-name">
          {line.name}
          {tags.length > 0 && <span className="step-tags">{tags.join(' · ')}</span>}
        </th>
        <td className="group">{t.group.current}</td>
        <CountCells c={line.current} />
      </tr>
      <tr>
        <td className="group">{t.group.previous}</td>
        <CountCells c={line.previous} />
      </tr>
    </>
  );
}

function StepsTable({ report }: { report: DailyReport }) {
  return (
    <table className="doc-table" data-testid="report-steps">
      <thead>
        <tr>
          <th>{t.col.step}</th>
          <th>{t.col.group}</th>
          <th>{t.col.total}</th>
          <th>{t.col.passedToday}</th>
          <th>{t.col.revokedToday}</th>
          <th>{t.col.rejectedToday}</th>
          <th>{t.col.passed}</th>
          <th>{t.col.unfinished}</th>
          <th>{t.col.rate}</th>
        </tr>
      </thead>
      <tbody>
        {report.steps.map((line) => (
          <StepRows key={line.id} line={line} />
        ))}
      </tbody>
    </table>
  );
}

function ClassTable({ report }: { report: DailyReport }) {
  const rows = report.unfinishedByClass;
  if (rows.length === 0) return <p className="doc-empty">{t.doc.byClassEmpty}</p>;
  const sum = (pick: (r: (typeof rows)[number]) => number) => rows.reduce((n, r) => n + pick(r), 0);
  return (
    <table className="doc-table" data-testid="report-classes">
      <thead>
        <tr>
          <th>{t.col.college}</th>
          <th>{t.col.className}</th>
          <th>{t.col.total}</th>
          <th>{t.col.unfinished}</th>
          <th>{t.col.previousTotal}</th>
          <th>{t.col.previousUnfinished}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={`${r.college}/${r.className}`}>
            <td>{r.college}</td>
            <td>{r.className}</td>
            <td className="num">{r.total}</td>
            <td className="num strong">{r.unfinished}</td>
            <td className="num">{r.previousTotal}</td>
            <td className="num">{r.previousUnfinished}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th colSpan={2}>{t.doc.totalRow}</th>
          <td className="num">{sum((r) => r.total)}</td>
          <td className="num strong">{sum((r) => r.unfinished)}</td>
          <td className="num">{sum((r) => r.previousTotal)}</td>
          <td className="num">{sum((r) => r.previousUnfinished)}</td>
        </tr>
      </tfoot>
    </table>
  );
}

function ActionsTable({ report }: { report: DailyReport }) {
  if (report.actions.length === 0) return <p className="doc-empty">{t.doc.actionsEmpty}</p>;
  return (
    <table className="doc-table doc-table-dense doc-table-fixed" data-testid="report-actions">
      <colgroup>
        <col className="w-seq" />
        <col className="w-time" />
        <col className="w-no" />
        <col className="w-name" />
        <col className="w-class" />
        <col className="w-step" />
        <col className="w-kind" />
        <col className="w-name" />
        <col />
      </colgroup>
      <thead>
        <tr>
          <th>{t.col.seq}</th>
          <th>{t.col.time}</th>
          <th>{t.col.studentNo}</th>
          <th>{t.col.name}</th>
          <th>{t.col.className}</th>
          <th>{t.col.step}</th>
          <th>{t.col.action}</th>
          <th>{t.col.operator}</th>
          <th>{t.col.note}</th>
        </tr>
      </thead>
      <tbody>
        {report.actions.map((a, i) => (
          <tr key={`${a.at}/${a.studentNo}/${a.stepId}/${i}`}>
            <td className="num">{i + 1}</td>
            <td className="mono">{formatTime(a.at)}</td>
            <td className="mono">{a.studentNo}</td>
            <td>{a.name}</td>
            <td>{a.className}</td>
            <td>{a.stepName}</td>
            <td className={`kind kind-${a.kind}`}>{t.action[a.kind]}</td>
            <td>{a.operatorName}</td>
            <td className="note">{a.note}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** 离校点日报 as the page a university office files: the same layout on screen and on A4. */
export function DailyDocument({ report }: { report: DailyReport }) {
  const { header, checkpoint: cp, actions } = report;
  const count = (kind: string) => actions.filter((a) => a.kind === kind).length;
  const facts: [string, string][] = [
    [t.doc.checkpoint, header.checkpoint.name],
    [t.doc.date, header.date],
    [t.doc.colleges, collegesLine(header)],
    [t.doc.generatedAt, formatStamp(header.generatedAt)],
    [t.doc.operator, header.operator.name],
    [t.doc.device, header.deviceId],
  ];
  return (
    <article className="paper" data-testid="daily-report">
      <DocumentHead university={header.university} title={t.doc.dailyTitle} subtitle={header.batch.name} />
      <DocumentFacts facts={facts} header={header} />

      <section className="doc-section">
        <h2>{t.doc.summaryTitle}</h2>
        <p data-testid="report-summary">
          {t.doc.summary(cp.total, cp.unfinished, formatPercent(cp.total - cp.unfinished, cp.total), cp.previousTotal, cp.previousUnfinished)}
        </p>
        <p>{t.doc.todaySummary(actions.length, count('pass'), count('reject'), count('revoke'))}</p>
      </section>

      <section className="doc-section">
        <h2>{t.doc.stepsTitle}</h2>
        <StepsTable report={report} />
        <p className="doc-note">{t.doc.stepsNote}</p>
      </section>

      <section className="doc-section">
        <h2>{t.doc.byClassTitle}</h2>
        <ClassTable report={report} />
      </section>

      <section className="doc-section">
        <h2>{t.doc.actionsTitle}</h2>
        <ActionsTable report={report} />
      </section>

      <Signatures labels={[t.doc.signOperator, t.doc.signSupervisor, t.doc.signDate]} />
    </article>
  );
}
