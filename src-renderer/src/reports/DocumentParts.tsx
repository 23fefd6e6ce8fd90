import type { ReactNode } from 'react';

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
