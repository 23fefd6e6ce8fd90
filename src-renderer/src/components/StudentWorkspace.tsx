import { zhCN } from '../../../src-shared/i18n/zh-CN';
import { DeskTools } from '../batch/DeskTools';
import { useSessionStore } from '../store/session';
import { useStudentStore } from '../store/student';
import { BlockedNotice, DepartedNotice, OutOfScopeNotice } from './BlockedNotice';
import { CandidateList } from './CandidateList';
import { RecentActivity } from './RecentActivity';
import { resetCounter } from './SearchPanel';
import { StepOperations } from './StepOperations';
import { StudentInfoCard } from './StudentInfoCard';
import { WelcomePanel } from './WelcomePanel';

/** The centre column: whoever is at the desk, or the candidates to choose from, or a welcome. */
export function StudentWorkspace() {
  const detail = useStudentStore((s) => s.detail);
  const candidates = useStudentStore((s) => s.candidates);
  const error = useStudentStore((s) => s.error);
  const checkpointId = useSessionStore((s) => s.session?.checkpointId);

  if (candidates) return <CandidateList students={candidates} />;
  if (!detail) {
    return (
      <>
        {error && (
          <div className="notice notice-error" role="alert">
            {error}
          </div>
        )}
        <WelcomePanel />
        <DeskTools />
        <RecentActivity />
      </>
    );
  }
  const checkpointName = detail.record.find((r) => r.checkpointId === checkpointId)?.name ?? '';
  if (detail.standing.kind !== 'own') {
    return (
      <>
        <StudentInfoCard student={detail.student} onClose={resetCounter} />
        <DepartedNotice standing={detail.standing} />
        <DeskTools />
        <RecentActivity />
      </>
    );
  }
  const blocked = detail.inScope && detail.actions.some((a) => a.pass?.code === 'blocked');
  return (
    <>
      <StudentInfoCard student={detail.student} onClose={resetCounter} />
      {!detail.inScope && <OutOfScopeNotice />}
      {blocked && <BlockedNotice missing={detail.missing} />}
      {error && (
          <div className="notice notice-error" role="alert">
            {error}
          </div>
        )}
      <StepOperations detail={detail} checkpointName={checkpointName || zhCN.ui.ops.title} />
      <DeskTools />
      <RecentActivity />
    </>
  );
}
