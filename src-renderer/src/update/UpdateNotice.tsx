import { useEffect, useState } from 'react';
import type { UpdateStatusDto } from '../../../src-shared/contract/update-api';
import { updateText as t } from '../../../src-shared/i18n/update.zh-CN';
import { call } from '../api/client';
import { notify } from '../feedback/notify';
import { messageOf } from '../store/errors';

/** Updates are checked every few hours; the header need not ask the main process more often than this. */
const POLL_MS = 30_000;

/**
 * The header's word on the counter's own update: 正在下载 …, then 新版本 x.y.z 已下载 with
 * 重启更新. It installs only when the operator asks, and the main process refuses while an
 * operation runs (the reason shows as a banner). Nothing where the host cannot update itself.
 */
export function UpdateNotice() {
  const [status, setStatus] = useState<UpdateStatusDto | null>(null);
  const [asking, setAsking] = useState(false);
  useEffect(() => {
    const refresh = () => call('update.status', {}).then(setStatus, () => setStatus(null));
    void refresh();
    const timer = setInterval(() => void refresh(), POLL_MS);
    return () => clearInterval(timer);
  }, []);
  if (!status) return null;
  if (status.phase === 'downloading' && status.version) {
    return (
      <span className="update-notice update-downloading" role="status">
        {t.downloading(status.version, status.percent)}
      </span>
    );
  }
  if (status.phase === 'failed' && status.error) {
    return (
      <span className="update-notice update-failed" role="status" title={status.error}>
        {t.failed}
      </span>
    );
  }
  if (status.phase !== 'ready' || !status.version) return null;
  const install = async () => {
    setAsking(true);
    try {
      const answer = await call('update.install', {});
      if (!answer.installing && answer.reason) notify('blocked', t.installFailed(answer.reason));
    } catch (e) {
      notify('error', t.installFailed(messageOf(e)));
    } finally {
      setAsking(false);
    }
  };
  return (
    <span className="update-notice update-ready" role="status" data-testid="update-notice">
      <span>{t.ready(status.version)}</span>
      <button type="button" className="btn btn-small btn-primary" onClick={() => void install()} disabled={asking} title={t.installHint}>
        {t.install}
      </button>
    </span>
  );
}
