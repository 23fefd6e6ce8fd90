import type { ReactNode } from 'react';
import type { ReportHeader } from '../../../src-shared/contract/report-api';
import { reportZhCN as t } from '../../../src-shared/i18n/report.zh-CN';
import { syncLine } from './format';

export function DocumentHead({ university, title, subtitle, aside }: { university: string; title: string; subtitle: string; aside?: ReactNode }) {
  return (
    <header className="doc-head">
      <div className="doc-head-text">
        <div className="doc-university">{university}</div>
        <h1 className="doc-title">{title}</h1>
        <div className="doc-subtitle">{subtitle}</div>
      </div>
      {aside}
    </header>
  );
}

/** Blank lines to sign on; kept together so a signature never starts a page on its own. */
export function Signatures({ labels }: { labels: string[] }) {
  return (
    <footer className="doc-signatures">
      {labels.map((label) => (
        <div key={label} className="signature">
          <span>{label}</span>
          <span className="signature-line" />
        </div>
      ))}
    </footer>
  );
}

/** The facts under a document's title, ending with whether it includes unsynced changes. */
export function DocumentFacts({ facts, header }: { facts: [string, string][]; header: ReportHeader }) {
  return (
    <dl className="doc-facts">
      {facts.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
      <div className={`wide ${header.unsyncedChanges > 0 ? 'warn' : ''}`}>
        <dt>{t.doc.sync}</dt>
        <dd data-testid="report-sync">{syncLine(header)}</dd>
      </div>
    </dl>
  );
}
