import { useState, type FormEvent, type RefObject } from 'react';
import type { ChaseClass, ChaseFilter, ChaseStudent, ChaseSummary } from '../../../src-shared/contract/report-api';
import { reportZhCN as t } from '../../../src-shared/i18n/report.zh-CN';
import { formatStamp } from '../format';
import { DocumentFacts, DocumentHead, Signatures } from './DocumentParts';
import { collegesLine } from './format';
import { VirtualChaseList } from './VirtualChaseList';

interface Props {
  summary: ChaseSummary;
  filter: ChaseFilter;
  onFilter(filter: ChaseFilter): void;
  fetchPage(classes: ChaseClass[]): Promise<ChaseStudent[]>;
  /** Where the printout's class blocks are laid out (chase-print.ts); empty on screen. */
  printTarget: RefObject<HTMLDivElement | null>;
  onError(message: string): void;
}

function FilterBar({ summary, filter, onFilter }: Pick<Props, 'summary' | 'filter' | 'onFilter'>) {
  const [college, setCollege] = useState(filter.college ?? '');
  const [className, setClassName] = useState(filter.className ?? '');
  const [dorm, setDorm] = useState(filter.dorm ?? '');
  const apply = (e: FormEvent) => {
    e.preventDefault();
    onFilter({ college: college || undefined, className: className.trim() || undefined, dorm: dorm.trim() || undefined });
  };
  const colleges = filter.college && !summary.colleges.includes(filter.college) ? [...summary.colleges, filter.college] : summary.colleges;
  return (
    <form className="chase-filters no-print" onSubmit={apply} aria-label={t.ui.chaseFilters}>
      <label>
        <span>{t.ui.filterCollege}</span>
        <select value={college} onChange={(e) => setCollege(e.target.value)}>
          <option value="">{t.allColleges}</option>
          {colleges.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>{t.ui.filterClass}</span>
        <input value={className} onChange={(e) => setClassName(e.target.value)} placeholder={t.ui.filterClassHint} />
      </label>
      <label>
        <span>{t.ui.filterDorm}</span>
        <input value={dorm} onChange={(e) => setDorm(e.target.value)} placeholder={t.ui.filterDormHint} />
      </label>
      <button type="submit" className="btn btn-small">
        {t.ui.filterApply}
      </button>
      <button
        type="button"
        className="btn btn-small btn-ghost"
        disabled={!filter.college && !filter.className && !filter.dorm}
        onClick={() => onFilter({})}
      >
        {t.ui.filterClear}
      </button>
    </form>
  );
}

/**
 * 未完成名单: on screen a virtual list of every class block, read page by page as it scrolls;
 * on paper one block per class, so it can be cut up and handed to class advisers (laid out by
 * chase-print.ts into `printTarget` only when printing).
 */
export function ChaseDocument({ summary, filter, onFilter, fetchPage, printTarget, onError }: Props) {
  const { header } = summary;
  const filterText = t.doc.chaseFilterText(filter);
  const facts: [string, string][] = [
    [t.doc.checkpoint, header.checkpoint.name],
    [t.doc.colleges, collegesLine(header)],
    [t.doc.generatedAt, formatStamp(header.generatedAt)],
    [t.doc.operator, header.operator.name],
    ...(filterText ? [[t.doc.chaseFilter, filterText] as [string, string]] : []),
  ];
  return (
    <article className="paper" data-testid="chase-list">
      <DocumentHead university={header.university} title={t.doc.chaseTitle} subtitle={header.batch.name} />
      <DocumentFacts facts={facts} header={header} />
      <FilterBar key={JSON.stringify(filter)} summary={summary} filter={filter} onFilter={onFilter} />
      <p data-testid="chase-summary">{t.doc.chaseSummary(summary.total, summary.classes.length)}</p>
      {summary.classes.length === 0 ? (
        <p className="doc-empty">{t.doc.byClassEmpty}</p>
      ) : (
        <VirtualChaseList summary={summary} fetchPage={fetchPage} onError={onError} />
      )}
      <div ref={printTarget} className="chase-print" data-testid="chase-print" />
      <Signatures labels={[t.doc.signOperator, t.doc.signSupervisor, t.doc.signDate]} />
    </article>
  );
}
