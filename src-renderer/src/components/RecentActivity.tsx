import { zhCN } from '../../../src-shared/i18n/zh-CN';
import { openStudent } from '../scan/lookup-scan';
import { useActivityStore } from '../store/activity';

const t = zhCN.ui.activity;
const pad = (n: number) => String(n).padStart(2, '0');
const ACTION_TONE = { pass: 'passed', reject: 'rejected', revoke: 'pending' } as const;

/** This desk's own work since it was opened: a second look, and a quick way back to a student. */
export function RecentActivity() {
  const entries = useActivityStore((s) => s.entries);
  if (entries.length === 0) return null;
  return (
    <section className="card activity-card" aria-labelledby="activity-title">
      <div className="card-title-row">
        <h2 id="activity-title" className="card-title">
          {t.title}
        </h2>
        <span className="card-meta">{t.count(entries.length)}</span>
      </div>
      <ol className="activity-list">
        {entries.map((e) => (
          <li key={e.id} className="activity-row" onClick={() => void openStudent(e.studentNo)} title={t.reopen}>
            <time className="activity-time">{`${pad(e.at.getHours())}:${pad(e.at.getMinutes())}:${pad(e.at.getSeconds())}`}</time>
            <span className="activity-name">{e.name}</span>
            <span className="activity-no">{e.studentNo}</span>
            <span className={`activity-action tone-${ACTION_TONE[e.action]}`}>{zhCN.action[e.action]}</span>
            <span className="activity-step">{e.stepName}</span>
            <span className="activity-note">{e.note}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
