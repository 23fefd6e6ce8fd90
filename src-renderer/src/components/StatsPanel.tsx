import type { CSSProperties } from 'react';
import type { StatsLine } from '../../../src-shared/contract/counter-api';
import { zhCN } from '../../../src-shared/i18n/zh-CN';
import { formatPercent, formatStamp } from '../format';
import { useStatsStore } from '../store/stats';
import { Kbd } from './Kbd';
import { StatsCaveat } from '../sync/StatsCaveat';

const t = zhCN.ui.stats;

function Count({ value, previous }: { value: number; previous: number | null }) {
  return (
    <td className="stats-count">
      {value}
      {previous !== null && <small title={t.previous(previous)}>({previous})</small>}
    </td>
  );
}

function StatsRow({ line, lead }: { line: StatsLine; lead?: boolean }) {
  const done = line.total > 0 ? (line.total - line.unfinished) / line.total : 0;
  const withPrevious = line.previousTotal > 0;
  return (
    <tr className={`stats-row${lead ? ' is-lead' : ''}`} data-step={line.id}>
      <th scope="row" title={line.name} style={{ '--done': `${done * 100}%` } as CSSProperties}>
        {lead ? zhCN.ui.format.heading(line.name) : line.name}
      </th>
      <Count value={line.total} previous={withPrevious ? line.previousTotal : null} />
      <Count value={line.unfinished} previous={withPrevious ? line.previousUnfinished : null} />
      <td className="stats-rate">{formatPercent(line.unfinished, line.total)}</td>
    </tr>
  );
}

/** 实时统计 for the current checkpoint and each of its steps; 往届 in brackets, as the old system did. */
export function StatsPanel() {
  const { stats, refreshing, error, refresh, collapsed, toggleCollapsed } = useStatsStore();
  return (
    <section className={`card stats-card${collapsed ? ' is-collapsed' : ''}`} aria-labelledby="stats-title">
      <div className="card-title-row">
        <h2 id="stats-title" className="card-title">
          {t.title}
        </h2>
        <button type="button" className="btn btn-small stats-refresh" onClick={() => void refresh()} disabled={refreshing}>
          {t.refresh} <Kbd action="refresh" />
        </button>
        <button type="button" className="btn btn-small btn-ghost stats-toggle" aria-expanded={!collapsed} onClick={toggleCollapsed}>
          {collapsed ? t.expand : t.collapse}
        </button>
      </div>
      {error && (
        <div className="inline-error stats-error" role="alert">
          {error}
        </div>
      )}
      {stats && (
        // Focusable so that a keyboard can scroll it at 768 px, where the table overflows.
        <div className="stats-scroll" tabIndex={0} role="region" aria-labelledby="stats-title">
          <table className="stats-table">
            <colgroup>
              <col />
              <col className="stats-col-count" />
              <col className="stats-col-count" />
              <col className="stats-col-rate" />
            </colgroup>
            <thead hidden={collapsed}>
              <tr>
                <th scope="col" />
                <th scope="col">{t.total}</th>
                <th scope="col">{t.unfinished}</th>
                <th scope="col">{t.rate}</th>
              </tr>
            </thead>
            <tbody>
              <StatsRow line={stats.checkpoint} lead />
              {!collapsed && stats.steps.map((line) => <StatsRow key={line.id} line={line} />)}
            </tbody>
          </table>
          <div className="stats-footnote">
            <span>
              {t.updatedAt} <time>{formatStamp(stats.computedAt)}</time>
            </span>
            {!collapsed && <span>{t.footnote}</span>}
          </div>
          <StatsCaveat />
        </div>
      )}
    </section>
  );
}
