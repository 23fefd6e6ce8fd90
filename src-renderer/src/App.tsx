import { useEffect } from 'react';
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
import { routeScan } from './quick/route-scan';
import { useQuickStore } from './quick/state';
import { StepPicker } from './quick/StepPicker';
import { useQuickKeys } from './quick/use-quick-keys';
import { readScannerSettings } from './scan/scanner-settings';
import { useWedgeScanner } from './scan/use-wedge-scanner';
import { ReportRoutes } from './reports/ReportRoutes';
import { useReportRoute } from './reports/route';
import { useSearchStore } from './store/search';
import { useLinkStore } from './store/link';
import { useSessionStore } from './store/session';
import { useStatsStore } from './store/stats';
import { useStudentStore } from './store/student';
import { DamagedReplicaScreen } from './sync/DamagedReplicaScreen';
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

function LoadFailure({ message }: { message: string }) {
  const load = useSessionStore((s) => s.load);
  return (
    <div className="load-failure" role="alert">
      <h1>{zhCN.ui.errors.loadFailed}</h1>
      <p>{message}</p>
      <button type="button" className="btn btn-primary" onClick={() => void load()}>
        {zhCN.ui.errors.retry}
      </button>
    </div>
  );
}

const scannerSettings = readScannerSettings(window.localStorage);

export function App() {
  const loadError = useSessionStore((s) => s.loadError);
  const session = useSessionStore((s) => s.session);
  const detail = useStudentStore((s) => s.detail);
  const reportRoute = useReportRoute();
  const quickStep = useQuickStore((s) => s.step);
  const [setupNeeded, setupDone, damaged] = useSetupNeeded();

  useEffect(() => {
    void useSessionStore.getState().load();
    focusStudentNoInput();
  }, []);
  useLiveData();
  useShortcuts();
  useQuickKeys();
  useWedgeScanner(routeScan, scannerSettings);

  if (damaged) return <DamagedReplicaScreen damaged={damaged} />;
  if (setupNeeded) {
    return (
      <SetupScreen
        onDone={() => {
          setupDone();
          void useSessionStore.getState().load();
        }}
      />
    );
  }
  if (loadError && !session) return <LoadFailure message={loadError} />;
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
