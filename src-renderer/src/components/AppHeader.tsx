import { useEffect, useState } from 'react';
import type { Session } from '../../../src-shared/contract/counter-api';
import { checkpointDisplayName } from '../../../src-shared/domain/batch';
import type { BatchDef } from '../../../src-shared/domain/types';
import { reportZhCN } from '../../../src-shared/i18n/report.zh-CN';
import { zhCN } from '../../../src-shared/i18n/zh-CN';
import { notify } from '../feedback/notify';
import { formatAsOf, formatClock, formatPercent } from '../format';
import { openDailyReport } from '../reports/route';
import { messageOf } from '../store/errors';
import { useLinkStore } from '../store/link';
import { useSessionStore } from '../store/session';
import { useStatsStore } from '../store/stats';
import { OperatorSwitch } from '../sync/SignInDialog';
import { SyncIndicator } from '../sync/SyncIndicator';
import { UpdateNotice } from '../update/UpdateNotice';
import { SettingsButton } from '../desk/SettingsDialog';
import { LockButton } from '../lock/LockButton';

const t = zhCN.ui.header;

type CheckpointRef = Session['checkpoints'][number];

function LiveClock() {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(timer);
  }, []);
  return (
    <div className="header-clock">
      <span className="header-label">{t.today}</span>
      <time dateTime={now.toISOString()}>{formatClock(now)}</time>
    </div>
  );
}

/** "机电工程学院领取证件" rather than "学院领取证件" when the operator acts for one college only. */
function checkpointLabel(ref: CheckpointRef, batch: BatchDef | null): string {
  const def = batch?.checkpoints.find((c) => c.id === ref.id);
  const [college] = ref.colleges === 'all' ? [] : ref.colleges;
  if (!def || !college || ref.colleges.length !== 1) return ref.name;
  return checkpointDisplayName(def, { college });
}

function CheckpointSwitch() {
  const session = useSessionStore((s) => s.session);
  const batch = useSessionStore((s) => s.batch);
  const setCheckpoint = useSessionStore((s) => s.setCheckpoint);
  if (!session) return null;
  const onChange = (checkpointId: string) => {
    setCheckpoint(checkpointId).catch((e: unknown) => notify('error', zhCN.ui.format.labelled(t.switchFailed, messageOf(e))));
  };
  return (
    <label className="checkpoint-switch">
      <span className="header-label">{t.checkpoint}</span>
      <select value={session.checkpointId} onChange={(e) => onChange(e.target.value)} aria-label={t.checkpoint}>
        {session.checkpoints.map((cp) => (
          <option key={cp.id} value={cp.id}>
            {checkpointLabel(cp, batch)}
          </option>
        ))}
      </select>
    </label>
  );
}

function LinkState() {
  const live = useLinkStore((s) => s.live);
  if (live) return null;
  return (
    <span className="link-lost" role="status">
      {t.linkLost}
    </span>
  );
}

function SchoolProgress() {
  const stats = useStatsStore((s) => s.stats);
  if (!stats) return <div className="school-line" />;
  const { total, unfinished } = stats.school;
  const doneShare = total > 0 ? (total - unfinished) / total : 0;
  return (
    <div className="school-line">
      <span>{t.schoolLine(formatAsOf(new Date(stats.computedAt)), total, unfinished, formatPercent(unfinished, total))}</span>
      <span className="school-meter" aria-hidden="true">
        <span className="school-meter-fill" style={{ width: `${doneShare * 100}%` }} />
      </span>
      <LinkState />
    </div>
  );
}

export function AppHeader() {
  const session = useSessionStore((s) => s.session);
  return (
    <header className="app-header">
      <div className="header-bar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            {t.brandMark}
          </span>
          <div>
            <div className="brand-name">{zhCN.appName}</div>
            <div className="brand-sub">{session ? `${session.university} · ${session.batch.name}` : t.loading}</div>
          </div>
        </div>
        <CheckpointSwitch />
        <div className="header-right">
          <SyncIndicator />
          <button type="button" className="btn btn-small" onClick={openDailyReport}>
            {reportZhCN.ui.entry}
          </button>
          <LiveClock />
          <OperatorSwitch />
        </div>
      </div>
      <div className="header-second-row">
        <SchoolProgress />
        <UpdateNotice />
        {/* The first row is full at 1366 px; the desk's own buttons sit at the end of the second. */}
        <div className="header-desk-actions">
          <SettingsButton />
          <LockButton />
        </div>
      </div>
    </header>
  );
}
