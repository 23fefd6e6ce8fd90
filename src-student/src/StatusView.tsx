import { useCallback, useEffect, useRef, useState } from 'react';
import { STUDENT_SLIP_PATH, type StudentAccount, type StudentStatus } from '../../src-shared/contract/student-api';
import { studentText as t } from '../../src-shared/i18n/student.zh-CN';
import { zhCN } from '../../src-shared/i18n/zh-CN';
import { DISPLAY_ORDER, StatusIcon } from '../../src-renderer/src/components/StatusIcon';
import { call, StudentError, watchChanges } from './api';
import { CheckpointCard } from './CheckpointCard';
import { SetPassword } from './SetPassword';
import { localTime } from './local-time';
import { requiredProgress } from '../../src-shared/domain/required-progress';

interface Props {
  account: StudentAccount;
  onAccount(account: StudentAccount): void;
  onSignOut(): void;
  onExpired(): void;
}

/** The signed-in student's whole clearance, re-read whenever the server says something changed. */
export function StatusView({ account, onAccount, onSignOut, onExpired }: Props) {
  const [status, setStatus] = useState<StudentStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState(false);
  const reading = useRef(false);
  const again = useRef(false);

  // One read at a time; a change during a read asks for one more after it.
  const refresh = useCallback(async () => {
    if (reading.current) {
      again.current = true;
      return;
    }
    reading.current = true;
    try {
      do {
        again.current = false;
        try {
          setStatus(await call('status.get', {}));
          setError(null);
        } catch (e) {
          if (e instanceof StudentError && e.status === 401) return onExpired();
          setError(e instanceof StudentError ? e.message : String(e));
        }
      } while (again.current);
    } finally {
      reading.current = false;
    }
  }, [onExpired]);

  useEffect(() => watchChanges(() => void refresh(), setLive), [refresh]);

  const counts = status ? requiredProgress(status.checkpoints) : null;
  return (
    <div className="page">
      <header className="topbar">
        <div>
          <div className="brand">{t.appName}</div>
          <div className="who">
            {account.name} · {account.studentNo}
          </div>
        </div>
        <button type="button" className="quiet" onClick={onSignOut}>
          {t.header.signOut}
        </button>
      </header>
      <main>
        <p className={`link-state ${live ? 'live' : 'down'}`} role="status">
          {live ? t.header.live : t.header.reconnecting}
          {status && ` · ${t.header.updatedAt(localTime(status.generatedAt))}`}
        </p>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {status && counts && (
          <>
            <section className={`card overall ${status.complete ? 'complete' : 'open'}`} aria-labelledby="overall-title">
              <h1 id="overall-title">{t.overall.title}</h1>
              <p className="verdict" data-testid="overall">
                {status.withdrawnReason !== null
                  ? t.overall.withdrawn(status.withdrawnReason)
                  : status.complete
                    ? t.overall.complete
                    : t.overall.incomplete(counts.total - counts.passed)}
              </p>
              <p className="hint">
                {t.overall.progress(counts.passed, counts.total)} · {t.overall.rule[status.batch.completionRule]}
              </p>
              {status.complete ? (
                <>
                  <a className="button primary" href={STUDENT_SLIP_PATH} download>
                    {t.slip.download}
                  </a>
                  <p className="hint">{t.slip.hint}</p>
                </>
              ) : (
                <p className="hint">{t.slip.notYet}</p>
              )}
            </section>
            <section className="card" aria-labelledby="notices-title">
              <h2 id="notices-title">{t.notices.title}</h2>
              {status.notices.length === 0 ? (
                <p className="hint">{t.notices.none}</p>
              ) : (
                <ul className="notices">
                  {status.notices.map((n, i) => (
                    <li key={i}>
                      <h3>
                        {n.title}
                        {n.date && <span className="date">{n.date}</span>}
                      </h3>
                      <p>{n.body}</p>
                    </li>
                  ))}
                </ul>
              )}
            </section>
            <section aria-labelledby="steps-title">
              <h2 id="steps-title" className="section-title">
                {status.batch.name}
              </h2>
              <ul className="legend" aria-label={t.legend}>
                {DISPLAY_ORDER.map((s) => (
                  <li key={s}>
                    <StatusIcon status={s} />
                    {zhCN.status[s]}
                  </li>
                ))}
              </ul>
              {status.checkpoints.map((cp) => (
                <CheckpointCard key={cp.id} checkpoint={cp} all={status.checkpoints} />
              ))}
            </section>
            {!account.hasPassword && <SetPassword onDone={onAccount} />}
            <section className="card" aria-labelledby="me-title">
              <h2 id="me-title">{t.student.title}</h2>
              <dl className="facts">
                <dt>{t.student.college}</dt>
                <dd>{status.student.college}</dd>
                <dt>{t.student.major}</dt>
                <dd>{status.student.major}</dd>
                <dt>{t.student.className}</dt>
                <dd>{status.student.className}</dd>
                <dt>{t.student.idCard}</dt>
                <dd>{status.student.idCardMasked}</dd>
              </dl>
            </section>
          </>
        )}
      </main>
    </div>
  );
}
