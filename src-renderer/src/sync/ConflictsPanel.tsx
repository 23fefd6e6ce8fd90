import type { OutboxOpDto, SyncConflictsDto, SyncStatusDto } from '../../../src-shared/contract/sync-api';
import { syncText as t } from '../../../src-shared/i18n/sync.zh-CN';
import { formatStamp } from '../format';
import { RescueSection } from './RescueSection';
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

/** Time, student and step of one of this counter's own ops: the first cells of the rejected and repaired tables. */
function OwnOpCells({ op }: { op: OutboxOpDto }) {
  return (
    <>
      <td>{formatStamp(op.clientTime)}</td>
      <td>
        {op.studentNo} {op.studentName ?? ''}
      </td>
      <td>
        {op.stepName}（{t.action[op.kind]}）
      </td>
    </>
  );
}

function OwnOpHeads() {
  return (
    <>
      <th>{t.panel.time}</th>
      <th>{t.panel.student}</th>
      <th>{t.panel.step}</th>
    </>
  );
}

/** The op every push has been refused at: which one, what the server said, what to do. */
function StuckOp({ op }: { op: NonNullable<SyncStatusDto['stuck']> }) {
  return (
    <section className="sync-stuck" data-testid="stuck-op" role="alert">
      <h3>{t.panel.stuck}</h3>
      <p>{t.panel.stuckSummary(op.failures)}</p>
      <dl className="sync-stuck-op">
        <dt>{t.panel.student}</dt>
        <dd>
          {op.studentNo} {op.studentName ?? ''}
        </dd>
        <dt>{t.panel.step}</dt>
        <dd>
          {op.stepName}（{t.action[op.kind]}）
        </dd>
        <dt>{t.panel.time}</dt>
        <dd>
          {formatStamp(op.clientTime)} · {op.operatorId}
        </dd>
        {op.note && (
          <>
            <dt>{t.panel.note}</dt>
            <dd>{op.note}</dd>
          </>
        )}
        <dt>{t.panel.serverSaid}</dt>
        <dd className="sync-reason">{op.error}</dd>
      </dl>
      <p className="sync-stuck-advice">{t.panel.stuckAdvice}</p>
    </section>
  );
}

/** Sync stopped on a certificate other than the pinned one: both fingerprints, what to do, and the confirmation. */
function CertificateChanged({ change }: { change: NonNullable<SyncStatusDto['certificateChanged']> }) {
  const trust = useSyncStore((s) => s.trustCertificate);
  return (
    <section className="sync-stuck" data-testid="certificate-changed" role="alert">
      <h3>{t.certificate.changedTitle}</h3>
      <dl className="sync-stuck-op">
        <dt>{t.certificate.pinned}</dt>
        <dd className="sync-fingerprint">{change.pinned}</dd>
        <dt>{t.certificate.presented}</dt>
        <dd className="sync-fingerprint">{change.presented}</dd>
      </dl>
      <p className="sync-stuck-advice">{t.certificate.advice}</p>
      <button type="button" className="btn btn-primary" onClick={() => void trust(change.presented)}>
        {t.certificate.confirm}
      </button>
    </section>
  );
}

/** 冲突与被拒操作: what the server decided against an operator's action, each with both ops and the reason. */
export function ConflictsPanel() {
  const stuck = useSyncStore((s) => s.status?.stuck ?? null);
  const certificateChanged = useSyncStore((s) => s.status?.certificateChanged ?? null);
  const data = useSyncStore((s) => s.conflicts);
  const error = useSyncStore((s) => s.error);
  const close = useSyncStore((s) => s.closePanel);
  const resolve = useSyncStore((s) => s.resolve);
  const empty = !stuck && !certificateChanged && data && data.conflicts.length === 0 && data.rejected.length === 0 && data.repaired.length === 0;
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
        {certificateChanged && <CertificateChanged change={certificateChanged} />}
        {stuck && <StuckOp op={stuck} />}
        {empty && <p className="sync-muted">{t.panel.empty}</p>}
        {data && data.rejected.length > 0 && (
          <>
            <h3>{t.panel.rejected}</h3>
            <table className="sync-table" data-testid="rejected-ops">
              <thead>
                <tr>
                  <OwnOpHeads />
                  <th>{t.panel.operator}</th>
                  <th>{t.panel.reason}</th>
                </tr>
              </thead>
              <tbody>
                {data.rejected.map((op) => (
                  <tr key={op.opId}>
                    <OwnOpCells op={op} />
                    <td>{op.operatorId}</td>
                    <td className="sync-reason">{op.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
        {data && data.repaired.length > 0 && (
          <>
            <h3>{t.panel.repaired}</h3>
            <p className="sync-muted">{t.panel.repairedHint}</p>
            <table className="sync-table" data-testid="repaired-ops">
              <thead>
                <tr>
                  <OwnOpHeads />
                  <th>{t.panel.note}</th>
                  <th>{t.panel.original}</th>
                </tr>
              </thead>
              <tbody>
                {data.repaired.map((op) => (
                  <tr key={op.opId}>
                    <OwnOpCells op={op} />
                    <td>
                      {op.note}（{op.sent ? t.panel.sent : t.panel.waiting}）
                    </td>
                    <td className="sync-reason">{op.original}</td>
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
        <RescueSection />
      </section>
    </div>
  );
}
