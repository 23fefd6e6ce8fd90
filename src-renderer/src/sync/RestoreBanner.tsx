import { useState } from 'react';
import { syncText } from '../../../src-shared/i18n/sync.zh-CN';
import { call } from '../api/client';
import { formatStamp } from '../format';
import { messageOf } from '../store/errors';
import { useSyncStore } from './store';

const t = syncText.restore;

/**
 * After the server came back from a backup: when the backup was taken and which changes this
 * counter had seen that the server no longer holds (student, step, who, when), until the
 * operator dismisses it. The counter has already caught up; the list tells whom to ask.
 */
export function RestoreBanner() {
  const notice = useSyncStore((s) => s.status?.restore ?? null);
  const [error, setError] = useState<string | null>(null);
  if (!notice) return null;
  const dismiss = async () => {
    try {
      useSyncStore.setState({ status: await call('sync.dismissRestore', { historyId: notice.historyId }) });
      setError(null);
    } catch (e) {
      setError(messageOf(e));
    }
  };
  const hidden = notice.count - notice.losses.length;
  return (
    <section className="restore-banner" role="alert" aria-labelledby="restore-banner-title" data-testid="restore-banner">
      <h2 id="restore-banner-title">{t.title(notice.backupOf ? formatStamp(notice.backupOf) : null, notice.count)}</h2>
      <p>{notice.count === 0 ? t.none : t.advice}</p>
      {notice.losses.length > 0 && (
        // A scrollable list: focusable, so a keyboard can scroll it.
        <div className="restore-losses" tabIndex={0} role="region" aria-label={t.listLabel}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t.columns.student}</th>
                <th scope="col">{t.columns.step}</th>
                <th scope="col">{t.columns.change}</th>
                <th scope="col">{t.columns.by}</th>
                <th scope="col">{t.columns.at}</th>
              </tr>
            </thead>
            <tbody>
              {notice.losses.map((l) => (
                <tr key={`${l.studentNo}/${l.stepId}/${l.at}`}>
                  <td>
                    {l.studentNo} {l.studentName ?? ''}
                  </td>
                  <td>{l.stepName}</td>
                  <td>{t.change[l.change]}</td>
                  <td>{l.byName}</td>
                  <td>{formatStamp(l.at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {hidden > 0 && <p>{t.more(hidden)}</p>}
        </div>
      )}
      {error && <p className="restore-error">{error}</p>}
      <button type="button" className="btn btn-small" onClick={() => void dismiss()}>
        {t.dismiss}
      </button>
    </section>
  );
}
