import { useEffect } from 'react';
import { syncText as t } from '../../../src-shared/i18n/sync.zh-CN';
import { subscribeToChanges } from '../api/client';
import { STATUS_POLL_MS, useSyncStore } from './store';
import { ConflictsPanel } from './ConflictsPanel';

const pad = (n: number) => String(n).padStart(2, '0');

function hhmm(iso: string): string {
  const d = new Date(iso);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Always in the header: 在线 / 离线 / 同步中, unsent ops, the last sync, a warning when stale, the last error on hover (a lost device token in plain sight). */
export function SyncIndicator() {
  const status = useSyncStore((s) => s.status);
  const panelOpen = useSyncStore((s) => s.panelOpen);
  useEffect(() => {
    const { refreshStatus } = useSyncStore.getState();
    void refreshStatus();
    const timer = setInterval(() => void refreshStatus(), STATUS_POLL_MS);
    const unsubscribe = subscribeToChanges(() => {
      void refreshStatus();
      if (useSyncStore.getState().panelOpen) void useSyncStore.getState().refreshConflicts();
    });
    return () => {
      clearInterval(timer);
      unsubscribe();
    };
  }, []);
  if (!status) return null;
  if (!status.configured) {
    return (
      <div className="sync-indicator sync-standalone" role="status">
        {t.notConfigured}
      </div>
    );
  }
  const title = [status.stale ? t.stale : null, status.lastError].filter(Boolean).join('\n');
  return (
    <>
      <div
        className={`sync-indicator sync-${status.state}${status.stale ? ' sync-stale' : ''}`}
        role="status"
        title={title || undefined}
        data-testid="sync-indicator"
      >
        <span className="sync-dot" aria-hidden="true" />
        <span className="sync-state">{t.state[status.state]}</span>
        <span className={status.unsent > 0 ? 'sync-unsent sync-unsent-some' : 'sync-unsent'}>{t.unsent(status.unsent)}</span>
        <span className="sync-last">{status.lastSyncAt ? t.lastSync(hhmm(status.lastSyncAt)) : t.neverSynced}</span>
        {/* Unlike a network error these do not go away by themselves: shown, not left to the hover. */}
        {status.tokenLost && <span className="sync-token-lost">{status.lastError}</span>}
        {/* A changed certificate is named by the button itself; its long message is in the title and the panel. */}
        {!status.tokenLost && !status.certificateChanged && (status.state === 'error' || status.state === 'local_error') && status.lastError && (
          <span className="sync-error-text" data-testid="sync-error">
            {status.lastError}
          </span>
        )}
        <button
          type="button"
          className={`btn btn-small sync-conflicts-button${status.stuck || status.certificateChanged ? ' sync-stuck-button' : ''}`}
          onClick={() => void useSyncStore.getState().openPanel()}
        >
          {status.certificateChanged ? t.certificate.changedTitle : status.stuck ? t.panel.stuckBadge : t.panel.open}
        </button>
      </div>
      {panelOpen && <ConflictsPanel />}
    </>
  );
}
