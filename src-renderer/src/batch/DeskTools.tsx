import type { BatchGrouping } from '../../../src-shared/contract/batch-api';
import { batchZhCN } from '../../../src-shared/i18n/batch.zh-CN';
import { useSessionStore } from '../store/session';
import { useStudentStore } from '../store/student';
import { BatchGridDialog } from './BatchGridDialog';
import { useDeskStore } from './desk-store';
import { ImportDialog } from '../import/ImportDialog';
import { WaiverDialog } from '../waivers/WaiverDialog';
import './batch.css';

const t = batchZhCN;

/** Whichever desk tool is open, over the counter screen. */
function DeskDialogs() {
  const panel = useDeskStore((s) => s.panel);
  const close = useDeskStore((s) => s.close);
  if (!panel) return null;
  switch (panel.kind) {
    case 'grid':
      return <BatchGridDialog key={`${panel.by}-${panel.studentNo}`} by={panel.by} studentNo={panel.studentNo} stepIds={panel.stepIds} onClose={close} />;
    case 'import':
      return <ImportDialog onClose={close} />;
    case 'waiver':
      return <WaiverDialog initialStudentNo={panel.studentNo} onClose={close} />;
  }
}

/**
 * The manual's 按班级批量操作 / 按宿舍批量操作 / 按学院批量操作 for the student at the desk, plus
 * 导入名单 and 调整离校点限制, which need no student. College-wide batches exist only at college
 * checkpoints, where one desk serves one college.
 */
export function DeskTools() {
  const detail = useStudentStore((s) => s.detail);
  const drafts = useStudentStore((s) => s.drafts);
  const session = useSessionStore((s) => s.session);
  const open = useDeskStore((s) => s.open);
  const scope = session?.checkpoints.find((c) => c.id === session.checkpointId)?.scope;
  const openGrid = (by: BatchGrouping) => {
    if (!detail) return;
    const stepIds = detail.actions.filter((a) => drafts[a.id]?.checked).map((a) => a.id);
    open({ kind: 'grid', by, studentNo: detail.student.studentNo, stepIds });
  };
  return (
    <section className="card desk-tools-card" aria-label={t.tools.title}>
      <div className="desk-tools">
        <span className="desk-tools-label">{t.tools.title}</span>
        {detail && detail.standing.kind === 'own' && (
          <>
            <button type="button" className="btn btn-small" onClick={() => openGrid('class')}>
              {t.grid.title.class}
            </button>
            <button type="button" className="btn btn-small" disabled={!detail.student.dorm} title={detail.student.dorm ? undefined : t.tools.noDorm} onClick={() => openGrid('dorm')}>
              {t.grid.title.dorm}
            </button>
            {scope === 'college' && (
              <button type="button" className="btn btn-small" onClick={() => openGrid('college')}>
                {t.grid.title.college}
              </button>
            )}
          </>
        )}
        <span className="btn-spacer" />
        <button type="button" className="btn btn-small" onClick={() => open({ kind: 'import' })}>
          {t.import.open}
        </button>
        <button type="button" className="btn btn-small" onClick={() => open({ kind: 'waiver', studentNo: detail?.student.studentNo ?? null })}>
          {t.waiver.open}
        </button>
      </div>
      <DeskDialogs />
    </section>
  );
}
