import type { StatsLine } from '../../../src-shared/contract/counter-api';
import { zhCN } from '../../../src-shared/i18n/zh-CN';
import { formatPercent, formatStamp } from '../format';
import { useStatsStore } from '../store/stats';
import { Kbd } from './Kbd';

const t = zhCN.ui.stats;

function StatsRow({ line, lead }: { line: StatsLine; lead?: boolean }) {
  const done = line.total > 0 ? (line.total - line.unfinished) / line.total : 0;
  return (
    <li className={`stats-row${lead ? ' is-lead' : ''}`} data-step={line.id}>
      <div className="stats-name" title={line.name}>
        {lead ? `【${line.name}】` : line.name}
      </div>
      <div className="stats-numbers">
        <span className="stats-total">
          {t.total} <b>{t.people(line.total)}</b>
          {line.previousTotal > 0 && <small>{t.previous(line.previousTotal)}</small>}
        </span>
        <span className="stats-unfinished">
          {t.unfinished} <b>{t.people(line.unfinished)}</b>
          {line.previousTotal > 0 && <small>{t.previous(line.previousUnfinished)}</small>}
        </span>
        <span className="stats-rate">{formatPercent(line.unfinished, line.total)}</span>
      </div>
      <div className="meter" aria-hidden="true">
        <span className="meter-fill" style={{ width: `${done * 100}%` }} />
      </div>
    </li>
  );
}

export function StatsPanel() {
  const { stats, refreshing, error, refresh } = useStatsStore();
  return (
    <section className="card stats-card" aria-labelledby="stats-title">
      <div className="card-title-row">
        <h2 id="stats-title" className="card-title">
          {t.title}
        </h2>
        <button type="button" className="btn btn-small" onClick={() => void refresh()} disabled={refreshing}>
          {t.refresh} <Kbd>{zhCN.ui.keys.refresh}</Kbd>
        </button>
      </div>
      <div className="stats-updated">
        {t.updatedAt}：<time>{stats ? formatStamp(stats.computedAt) : '—'}</time>
      </div>
      {error && <div className="inline-error">{error}</div>}
      {stats && (
        <ul className="stats-list">
          <StatsRow line={stats.checkpoint} lead />
          {stats.steps.map((line) => (
            <StatsRow key={line.id} line={line} />
          ))}
        </ul>
      )}
    </section>
  );
}
