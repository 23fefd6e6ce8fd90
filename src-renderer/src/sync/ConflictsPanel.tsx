import type { SyncConflictsDto } from '../../../src-shared/contract/sync-api';
import { syncText as t } from '../../../src-shared/i18n/sync.zh-CN';
import { formatStamp } from '../format';
import { useSyncStore } from './store';

type ConflictOp = SyncConflictsDto['conflicts'][number]['flagged'];

function OpCell({ op }: { op: ConflictOp | null }) {
  if (!op) return <span className="sync-muted">{t.panel.noWinningOp}</span>;
  if (!op.local || !op.kind) {
    return (
      <span>
        {t.panel.otherCounter} <code className="sync-op-id">{op.opId.slice(-8)}</code>
      </span>
    );
  }
  return (
    <span>
      {t.action[op.kind]} · {op.operatorId} · {op.clientTime ? formatStamp(op.clientTime) : ''}
      {op.note ? ` · ${op.note}` : ''}
    </span>
  );
}

/** 冲突与被拒操作: what the server decided against an operator's action, each with both ops and the reason. */
export function ConflictsPanel() {
  const data = useSyncStore((s) => s.conflicts);
  const error = useSyncStore((s) => s.error);
  const close = useSyncStore((s) => s.closePanel);
  const resolve = useSyncStore((s) => s.resolve);
  const empty = data && data.conflicts.length === 0 && data.rejected.length === 0;
  return (
    <div className="sync-panel-backdrop" role="presentation" onClick={close}>
      <section className="sync-panel" role="dialog" aria-label={t.panel.title} onClick={(e) => e.stopPropagation()} onKeyDown={(e) => e.key === 'Escape' && close()}>
        <header className="sync-panel-head">
          <h2>{t.panel.title}</h2>
          <button type="button" className="btn btn-small" onClick={close} autoFocus>
            {t.panel.close}
          </button>
        </header>
        {error && (
          <p className="sync-error" role="alert">
            {error}
          </p>
        )}
        {empty && <p className="sync-muted">{t.panel.empty}</p>}
        {data && data.rejected.length > 0 && (
          <>
            <h3>{t.panel.rejected}</h3>
            <table className="sync-table" data-testid="rejected-ops">
              <thead>
                <tr>
                  <th>{t.panel.time}</th>
                  <th>{t.panel.student}</th>
                  <th>{t.panel.step}</th>
                  <th>{t.panel.operator}</th>
                  <th>{t.panel.reason}</th>
                </tr>
              </thead>
              <tbody>
                {data.rejected.map((op) => (
                  <tr key={op.opId}>
                    <td>{formatStamp(op.clientTime)}</td>
                    <td>
                      {op.studentNo} {op.studentName ?? ''}
                    </td>
                    <td>
                      {op.stepName}（{t.action[op.kind]}）
                    </td>
                    <td>{op.operatorId}</td>
                    <td className="sync-reason">{op.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
        {data && data.conflicts.length > 0 && (
          <>
            <h3>{t.panel.conflicts}</h3>
            <table className="sync-table" data-testid="conflicts">
              <thead>
                <tr>
                  <th>{t.panel.student}</th>
                  <th>{t.panel.step}</th>
                  <th>{t.panel.winning}</th>
                  <th>{t.panel.flagged}</th>
                  <th>{t.panel.reason}</th>
                </tr>
              </thead>
              <tbody>
                {data.conflicts.map((c) => (
                  <tr key={c.id} className={c.resolved ? 'sync-resolved' : undefined}>
                    <td>
                      {c.studentNo} {c.studentName ?? ''}
                    </td>
                    <td>{c.stepName}</td>
                    <td>
                      <OpCell op={c.winning} />
                    </td>
                    <td>
                      <OpCell op={c.flagged} />
                    </td>
                    <td className="sync-reason">
                      {t.panel.kind[c.kind]}
                      {c.detail ? `：${c.detail}` : ''}（{c.resolved ? t.panel.resolved : t.panel.unresolved}）
                      {!c.resolved && (
                        <button type="button" className="btn btn-small" onClick={() => void resolve(c.id)}>
                          {t.panel.resolve}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>
    </div>
  );
}
