import './quick.css';
import { useEffect } from 'react';
import { quickZhCN } from '../../../src-shared/i18n/quick.zh-CN';
import { zhCN } from '../../../src-shared/i18n/zh-CN';
import { useCameraStore } from '../camera/state';
import { FlashBanner } from '../components/FlashBanner';
import { useChoiceList } from '../components/use-choice-list';
import { formatStamp } from '../format';
import { useActivityStore } from '../store/activity';
import { useSessionStore } from '../store/session';
import { beginQuick, exitQuick, quickPassCandidate, undoLast } from './actions';
import { OUTCOME_TONE, canUndo, sessionCount, shownResult, toQuickStudent, type QuickOutcome, type QuickResult, type QuickStep, type UndoSubject } from './model';
import { keepFocus } from './keep-focus';
import { QUICK_KEYS } from './keys';
import { useQuickStore } from './state';
import { undoActivity } from './undo';

const t = quickZhCN;

const GLYPH: Record<QuickOutcome['kind'], string> = {
  passed: '✓',
  already: '✓',
  blocked: '✗',
  notApplicable: '—',
  outOfScope: '⊘',
  refused: '✗',
  notFound: '?',
  invalid: '!',
  candidates: '⋯',
  error: '!',
};

const pad = (n: number) => String(n).padStart(2, '0');
const clock = (d: Date) => `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;

function toneOf(result: QuickResult): string {
  return result.undone ? 'undone' : OUTCOME_TONE[result.outcome.kind];
}

function studentOf(outcome: QuickOutcome) {
  return 'student' in outcome ? outcome.student : null;
}

/** The undo a result row offers, if its pass is still the newest thing done to that student's step. */
function useUndoSubject(result: QuickResult, step: QuickStep): UndoSubject | null {
  const entries = useActivityStore((s) => s.entries);
  const { outcome } = result;
  if (outcome.kind !== 'passed' || result.undone) return null;
  const entry = entries.find((e) => e.id === outcome.activityId);
  if (!entry || !canUndo(entries, entry)) return null;
  return { activityId: entry.id, studentNo: entry.studentNo, name: entry.name, stepId: step.stepId, stepName: step.stepName };
}

function ModeCard({ step }: { step: QuickStep }) {
  const count = useQuickStore(sessionCount);
  const toggleCamera = useCameraStore((s) => s.toggle);
  // The camera panel docks over the lower left; at 768 px it needs the room the tips take.
  const cameraOpen = useCameraStore((s) => s.open);
  return (
    <section className="card quick-mode-card" aria-labelledby="quick-mode-title">
      <div id="quick-mode-title" className="quick-mode-label">
        <span className="quick-live-dot" aria-hidden="true" />
        {t.mode.running}
      </div>
      <div className="quick-mode-step" data-testid="quick-step">
        {step.stepName}
      </div>
      <div className="quick-mode-checkpoint">{step.checkpointName}</div>
      <div className="quick-count">
        <span className="quick-count-label">{t.mode.count}</span>
        <span className="quick-count-value" data-testid="quick-count">
          {count}
        </span>
        <span className="quick-count-unit">{t.mode.people}</span>
      </div>
      <div className="quick-mode-actions">
        <button type="button" className="btn quick-undo" {...keepFocus} onClick={() => void undoLast()}>
          {t.mode.undoLast} <kbd className="kbd">{QUICK_KEYS.undo.cap}</kbd>
        </button>
        <button type="button" className="btn" {...keepFocus} onClick={toggleCamera}>
          {t.camera.open} <kbd className="kbd">{QUICK_KEYS.camera.cap}</kbd>
        </button>
        <button type="button" className="btn" {...keepFocus} onClick={beginQuick}>
          {t.mode.changeStep}
        </button>
        <button type="button" className="btn quick-exit" {...keepFocus} onClick={exitQuick}>
          {t.mode.exit} <kbd className="kbd">{QUICK_KEYS.toggle.cap}</kbd>
        </button>
      </div>
      {!cameraOpen && (
        <ul className="quick-tips">
          {t.mode.tips.map((tip) => (
            <li key={tip}>{tip}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Candidates({ students }: { students: Extract<QuickOutcome, { kind: 'candidates' }>['students'] }) {
  const { active, setActive, listRef: list, onKeyDown } = useChoiceList(students, (s) => void quickPassCandidate(toQuickStudent(s)));
  return (
    <>
      <div className="quick-detail">{t.detail.candidates(students.length)}</div>
      <div className="quick-hint">{t.card.candidatesHint}</div>
      <ul ref={list} className="quick-candidates" role="listbox" tabIndex={0} onKeyDown={onKeyDown}>
        {students.map((s, i) => (
          <li
            key={s.studentNo}
            role="option"
            aria-selected={i === active}
            className={i === active ? 'is-active' : undefined}
            onMouseEnter={() => setActive(i)}
            onClick={() => void quickPassCandidate(toQuickStudent(s))}
          >
            <span className="quick-candidate-name">{s.name}</span>
            <span className="quick-candidate-no">{s.studentNo}</span>
            <span className="quick-candidate-id">{s.idCardMasked}</span>
            <span className="quick-candidate-class">
              {s.college} · {s.className}
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}

function OutcomeDetail({ outcome, step, undone }: { outcome: QuickOutcome; step: QuickStep; undone: boolean }) {
  switch (outcome.kind) {
    case 'passed':
      return undone ? <div className="quick-detail">{t.card.undoneAt(step.stepName)}</div> : null;
    case 'already':
      return <div className="quick-detail">{t.detail.already(outcome.by, outcome.at && formatStamp(outcome.at))}</div>;
    case 'blocked':
      return (
        <div className="quick-missing" data-testid="quick-missing">
          <div className="quick-missing-title">{t.card.missingTitle}</div>
          <ul>
            {outcome.missing.map((g) => (
              <li key={g.checkpointId}>
                <strong>
                  {g.checkpointName}
                  {zhCN.ui.format.separator}
                </strong>
                {zhCN.ui.format.list(g.steps.map((s) => s.name))}
              </li>
            ))}
          </ul>
        </div>
      );
    case 'notApplicable':
      return <div className="quick-detail">{t.detail.notApplicable}</div>;
    case 'outOfScope':
      return <div className="quick-detail">{t.detail.outOfScope}</div>;
    case 'refused':
    case 'invalid':
    case 'error':
      return <div className="quick-detail">{outcome.message}</div>;
    case 'notFound':
      return <div className="quick-scanned">{outcome.text}</div>;
    case 'candidates':
      return <Candidates students={outcome.students} />;
  }
}

function ResultCard({ step }: { step: QuickStep }) {
  const latest = useQuickStore(shownResult);
  const pending = useQuickStore((s) => s.pending > 0);
  if (!latest) {
    return (
      <section className="quick-result quick-tone-idle" data-testid="quick-result" data-kind="idle">
        <div className="quick-idle-mark" aria-hidden="true" />
        <div className="quick-verdict">{t.card.idle}</div>
        <div className="quick-step-line">{t.card.idleSub(step.stepName)}</div>
        {pending && <div className="quick-working">{t.card.working}</div>}
      </section>
    );
  }
  const { outcome } = latest;
  const student = studentOf(outcome);
  return (
    <section
      key={latest.seq}
      className={`quick-result quick-tone-${toneOf(latest)}`}
      data-testid="quick-result"
      data-kind={outcome.kind}
      data-undone={latest.undone}
    >
      <div className="quick-result-head">
        <span className="quick-glyph" aria-hidden="true">
          {latest.undone ? '↺' : GLYPH[outcome.kind]}
        </span>
        <span className="quick-verdict" data-testid="quick-verdict">
          {latest.undone ? t.card.undone : t.outcome[outcome.kind]}
        </span>
        <span className="quick-seq">#{latest.seq}</span>
      </div>
      {student && (
        <div className="quick-student">
          <span className="quick-name" data-testid="quick-name">
            {student.name}
          </span>
          <span className="quick-no">{student.studentNo}</span>
          <span className="quick-class">
            {student.college} · {student.className}
          </span>
        </div>
      )}
      {student && <div className="quick-step-line">{step.stepName}</div>}
      <OutcomeDetail outcome={outcome} step={step} undone={latest.undone} />
      {pending && <div className="quick-working">{t.card.working}</div>}
    </section>
  );
}

function RecentRow({ result, step }: { result: QuickResult; step: QuickStep }) {
  const undo = useUndoSubject(result, step);
  const student = studentOf(result.outcome);
  const label = result.undone ? t.undo.undoneTag : t.outcome[result.outcome.kind];
  return (
    <li className={`quick-recent-row${result.undone ? ' is-undone' : ''}`} data-kind={result.outcome.kind}>
      <span className="quick-recent-seq">#{result.seq}</span>
      <time className="quick-recent-time">{clock(result.at)}</time>
      <span className="quick-recent-who">
        <span className="quick-recent-name">{student?.name ?? ('text' in result.outcome ? result.outcome.text : '')}</span>
        {student && <span className="quick-recent-no">{student.studentNo}</span>}
      </span>
      <span className={`quick-recent-badge quick-tone-${toneOf(result)}`}>{label}</span>
      {undo ? (
        <button type="button" className="btn btn-small btn-warning-outline" {...keepFocus} onClick={() => void undoActivity(undo)}>
          {t.undo.button}
        </button>
      ) : (
        <span />
      )}
    </li>
  );
}

function RecentList({ step }: { step: QuickStep }) {
  const results = useQuickStore((s) => s.results);
  return (
    <section className="card quick-recent-card" aria-labelledby="quick-recent-title">
      <div className="card-title-row">
        <h2 id="quick-recent-title" className="card-title">
          {t.recent.title}
        </h2>
        <span className="card-meta">{t.recent.count(results.length)}</span>
      </div>
      {results.length === 0 ? (
        <div className="quick-recent-empty">{t.recent.empty}</div>
      ) : (
        <ol className="quick-recent-list" data-testid="quick-recent">
          {results.map((r) => (
            <RecentRow key={r.seq} result={r} step={step} />
          ))}
        </ol>
      )}
    </section>
  );
}

/**
 * 扫码即办 replaces the three panes: the outcome of the last scan fills the centre in its colour,
 * readable from across the counter; the count and the way out stay on the left.
 */
export function QuickWorkspace({ step }: { step: QuickStep }) {
  const checkpointId = useSessionStore((s) => s.session?.checkpointId);
  // Whatever had focus (the toggle, a search field) is gone or hidden now; see keep-focus.ts.
  useEffect(() => {
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
  }, []);
  // Another checkpoint has other steps: choose again rather than pass a step of the old one.
  useEffect(() => {
    if (checkpointId && checkpointId !== step.checkpointId) {
      exitQuick();
      beginQuick();
    }
  }, [checkpointId, step.checkpointId]);

  return (
    <main className="workspace quick-workspace" data-testid="quick-mode">
      <aside className="pane pane-left">
        <ModeCard step={step} />
      </aside>
      <section className="pane pane-centre">
        <FlashBanner />
        {/* The card is remounted per scan (its entrance animation): the live region must be the
            element that stays, so that a screen reader reads each new outcome. */}
        <div className="quick-result-live" aria-live="polite" data-testid="quick-live">
          <ResultCard step={step} />
        </div>
      </section>
      <aside className="pane pane-right">
        <RecentList step={step} />
      </aside>
    </main>
  );
}
