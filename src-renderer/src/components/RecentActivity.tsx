import { quickZhCN } from '../../../src-shared/i18n/quick.zh-CN';
import { zhCN } from '../../../src-shared/i18n/zh-CN';
import { canUndo } from '../quick/model';
import { undoActivity } from '../quick/undo';
import { openStudent } from '../scan/lookup-scan';
import { useActivityStore, type ActivityEntry } from '../store/activity';

const t = zhCN.ui.activity;
const pad = (n: number) => String(n).padStart(2, '0');
const ACTION_TONE = { pass: 'passed', reject: 'rejected', revoke: 'pending' } as const;

/** 撤销 for a pass or 未通过 that is still the newest thing done to that student's step. */
function UndoCell({ entry, entries }: { entry: ActivityEntry; entries: ActivityEntry[] }) {
  if (entry.undone) return <span className="tag tag-undone">{quickZhCN.undo.undoneTag}</span>;
  if (!canUndo(entries, entry)) return <span />;
  const { id, studentNo, name, stepId, stepName } = entry;
  return (
    <button
      type="button"
      className="btn btn-small btn-warning-outline activity-undo"
      onClick={(e) => {
        e.stopPropagation();
        void undoActivity({ activityId: id, studentNo, name, stepId, stepName });
      }}
    >
      {quickZhCN.undo.button}
    </button>
  );
}

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
            <UndoCell entry={e} entries={entries} />
          </li>
        ))}
      </ol>
    </section>
  );
}
