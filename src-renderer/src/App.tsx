import { useEffect, useState } from 'react';
import { zhCN } from '../../src-shared/i18n/zh-CN';
import { subscribeToChanges, subscribeToLink } from './api/client';
import { AppHeader } from './components/AppHeader';
import { CameraDock } from './camera/CameraDock';
import { ClearanceRecord } from './components/ClearanceRecord';
import { FlashBanner } from './components/FlashBanner';
import { RestoreBanner } from './sync/RestoreBanner';
import { focusStudentNoInput } from './components/focus';
import { ResultsList } from './components/ResultsList';
import { SearchPanel } from './components/SearchPanel';
import { StatsPanel } from './components/StatsPanel';
import { StudentWorkspace } from './components/StudentWorkspace';
import { useShortcuts } from './keyboard/use-shortcuts';
import { QuickWorkspace } from './quick/QuickWorkspace';
import { useQuickStore } from './quick/state';
import { StepPicker } from './quick/StepPicker';
import { useQuickKeys } from './quick/use-quick-keys';
import { deskScan } from './scan/desk-scan';
import { activeScanner, useDeskSettings } from './desk/desk-settings-store';
import { LockScreen } from './lock/LockScreen';
import { useLockStore } from './lock/lock-store';
import { useIdleLock } from './lock/use-idle-lock';
import { useWedgeScanner } from './scan/use-wedge-scanner';
import { ReportRoutes } from './reports/ReportRoutes';
import { useReportRoute } from './reports/route';
import { useSearchStore } from './store/search';
import { useLinkStore } from './store/link';
import { useSessionStore } from './store/session';
import { useStatsStore } from './store/stats';
import { useStudentStore } from './store/student';
import { DamagedReplicaScreen } from './sync/DamagedReplicaScreen';
import { messageOf } from './store/errors';
import { SetupScreen, useSetupNeeded } from './sync/SetupScreen';
import './sync/sync.css';
import './update/update.css';

/** Bursts of change events (a sync page, a batch confirm) are read back once. */
const CHANGE_COALESCE_MS = 150;

function rereadEverything(): void {
  void useStatsStore.getState().refresh();
  void useStudentStore.getState().reload();
  void useSearchStore.getState().refreshLoaded();
}

/** The renderer never owns truth: on every change event it re-reads what it shows. */
function useLiveData(): void {
  const checkpointId = useSessionStore((s) => s.session?.checkpointId);
  // Another operator may hold other colleges of the same checkpoint: what may be done changes too.
  const operatorId = useSessionStore((s) => s.session?.operator.id);
  useEffect(() => {
    if (checkpointId) rereadEverything();
  }, [checkpointId, operatorId]);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = subscribeToChanges(() => {
      clearTimeout(timer);
      timer = setTimeout(rereadEverything, CHANGE_COALESCE_MS);
    });
    // Events missed while the link was down are gone: read everything again once it is back.
    const unsubscribeLink = subscribeToLink((live) => {
      const wasLive = useLinkStore.getState().live;
      useLinkStore.getState().setLive(live);
      if (live && !wasLive) rereadEverything();
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
      unsubscribeLink();
    };
  }, []);
}

function LoadFailure({ message, onRetry }: { message: string; onRetry(): void }) {
  return (
    <div className="load-failure" role="alert">
      <h1>{zhCN.ui.errors.loadFailed}</h1>
      <p>{message}</p>
      <button type="button" className="btn btn-primary" onClick={onRetry}>
        {zhCN.ui.errors.retry}
      </button>
    </div>
  );
}

/** The reader is listened to everywhere, locked or not: while locked its scans are dropped with a word. */
function useDeskScanner(): void {
  const { prefix: _prefix, suffix: _suffix, ...timing } = useDeskSettings(activeScanner);
  useWedgeScanner(deskScan, timing);
}

/** Desk settings and the lock state: both come before anything about students. */
async function loadDesk(): Promise<void> {
  await Promise.all([useDeskSettings.getState().load(), useLockStore.getState().load()]);
}

/** The counter itself, mounted only while it is open (not locked, someone signed in). */
function OpenCounter() {
  const loadError = useSessionStore((s) => s.loadError);
  const session = useSessionStore((s) => s.session);
  const detail = useStudentStore((s) => s.detail);
  const reportRoute = useReportRoute();
  const quickStep = useQuickStore((s) => s.step);

  useEffect(() => {
    void useSessionStore.getState().load();
    focusStudentNoInput();
  }, []);
  useLiveData();
  useShortcuts();
  useQuickKeys();

  if (loadError && !session) return <LoadFailure message={loadError} onRetry={() => void useSessionStore.getState().load()} />;
  if (reportRoute) return <ReportRoutes route={reportRoute} />;

  return (
    <div className="app">
      <AppHeader />
      <RestoreBanner />
      {/* Kept mounted under quick mode, so leaving it finds the workspace as it was. */}
      <main className="workspace" hidden={quickStep !== null}>
        <aside className="pane pane-left">
          <SearchPanel />
          <ResultsList />
          <StatsPanel />
        </aside>
        {/* No live region around the whole student: the flash strip (role="status") announces each outcome once. */}
        <section className="pane pane-centre">
          <FlashBanner />
          <StudentWorkspace />
        </section>
        <aside className="pane pane-right">
          <ClearanceRecord detail={detail} currentCheckpointId={session?.checkpointId} />
        </aside>
      </main>
      {quickStep && <QuickWorkspace step={quickStep} />}
      <StepPicker />
      <CameraDock />
    </div>
  );
}

export function App() {
  const [setupNeeded, setupDone, damaged] = useSetupNeeded();
  const lock = useLockStore((s) => s.current);
  const [deskError, setDeskError] = useState<string | null>(null);
  const start = () => {
    setDeskError(null);
    loadDesk().catch((e: unknown) => setDeskError(messageOf(e)));
  };

  useEffect(() => {
    if (setupNeeded === false) start();
  }, [setupNeeded]);
  useDeskScanner();
  useIdleLock();

  if (damaged) return <DamagedReplicaScreen damaged={damaged} />;
  if (setupNeeded) return <SetupScreen onDone={setupDone} />;
  if (deskError) return <LoadFailure message={deskError} onRetry={start} />;
  if (!lock) return null;
  if (lock.state !== 'open') return <LockScreen />;
  return <OpenCounter />;
}
