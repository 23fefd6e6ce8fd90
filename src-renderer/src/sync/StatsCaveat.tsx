import { syncText as t } from '../../../src-shared/i18n/sync.zh-CN';
import { useSyncStore } from './store';

/** Statistics are local counts: offline they miss other counters' work, and they include ops not yet uploaded. */
export function StatsCaveat() {
  const status = useSyncStore((s) => s.status);
  if (!status?.configured) return null;
  const notes = [status.state === 'offline' ? t.statsCaveat.offline : null, status.unsent > 0 ? t.statsCaveat.unsent(status.unsent) : null].filter(Boolean);
  if (notes.length === 0) return null;
  return (
    <p className="sync-stats-caveat" role="note">
      {notes.join('；')}
    </p>
  );
}
