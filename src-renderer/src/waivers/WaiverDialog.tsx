import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { LiftedList, WaiverDesk, WaiverRow } from '../../../src-shared/contract/batch-api';
import { batchZhCN } from '../../../src-shared/i18n/batch.zh-CN';
import { zhCN } from '../../../src-shared/i18n/zh-CN';
import { call, subscribeToChanges } from '../api/client';
import { Dialog } from '../batch/Dialog';
import { StatusPill, displayStatus } from '../components/StatusIcon';
import { notify } from '../feedback/notify';
import { formatStamp } from '../format';
import { messageOf } from '../store/errors';
import { limitNote } from '../note-limit';
import './waivers.css';

const t = batchZhCN.waiver;
type Tab = 'student' | 'lifted';

function RestrictionRow({ row, busy, onToggle }: { row: WaiverRow; busy: boolean; onToggle(row: WaiverRow): void }) {
  return (
    <tr data-step={row.stepId} className={row.lifted ? 'is-lifted' : ''}>
      <td>{row.checkpointName}</td>
      <td>
        <span className={row.checkpointDone ? 'waiver-done' : 'waiver-open'}>{t.checkpointDone[row.checkpointDone ? 'true' : 'false']}</span>
      </td>
      <td className="waiver-step">{row.stepName}</td>
      <td>
        <StatusPill status={displayStatus({ status: row.status, required: true })} />
      </td>
      <td>
        <span className={`waiver-state ${row.lifted ? 'is-off' : 'is-on'}`}>{row.lifted ? t.restriction.off : t.restriction.on}</span>
        {row.lifted && row.updatedAt && (
          <div className="waiver-meta">
            {row.updatedBy} · {formatStamp(row.updatedAt)}
            {row.note && ` · ${row.note}`}
          </div>
        )}
      </td>
      <td>
        <div className="waiver-action">
          <button
            type="button"
            className={`btn btn-small ${row.toggle === 'lift' ? 'btn-warning-outline' : 'btn-success'}`}
            disabled={busy || row.disabledReason !== null}
            title={row.disabledReason ?? undefined}
            onClick={() => onToggle(row)}
          >
            {row.toggle === 'lift' ? t.lift : t.impose}
          </button>
          {row.disabledReason && <span className="waiver-why">{row.disabledReason}</span>}
        </div>
      </td>
    </tr>
  );
}

function StudentPanel({ desk, busy, note, setNote, onToggle }: { desk: WaiverDesk; busy: boolean; note: string; setNote(v: string): void; onToggle(row: WaiverRow): void }) {
  const { student } = desk;
  return (
    <>
      <dl className="waiver-student">
        <div>
          <dt>{zhCN.ui.student.name}</dt>
          <dd className="waiver-name">{student.name}</dd>
        </div>
        <div>
          <dt>{zhCN.ui.student.studentNo}</dt>
          <dd className="mono">{student.studentNo}</dd>
        </div>
        <div>
          <dt>{zhCN.ui.student.college}</dt>
          <dd>{student.college}</dd>
        </div>
        <div>
          <dt>{zhCN.ui.student.className}</dt>
          <dd>{student.className}</dd>
        </div>
        {student.isPrevious && (
          <div>
            <dd className="badge badge-previous">{zhCN.ui.student.previous}</dd>
          </div>
        )}
      </dl>
      <div className="waiver-subhead">
        <h3 className="waiver-subtitle">{t.studentTitle(student.name)}</h3>
        <label className="waiver-note">
          <span>{t.note}</span>
          <input value={note} placeholder={t.notePlaceholder} onChange={(e) => setNote(limitNote(e.target.value))} />
        </label>
      </div>
      {desk.rows.length === 0 ? (
        <p className="waiver-empty">{t.none}</p>
      ) : (
        <table className="waiver-table">
          <thead>
            <tr>
              <th>{t.columns.checkpoint}</th>
              <th>{t.columns.checkpointState}</th>
              <th>{t.columns.step}</th>
              <th>{t.columns.stepState}</th>
              <th>{t.columns.restriction}</th>
              <th>{t.columns.action}</th>
            </tr>
          </thead>
          <tbody>
            {desk.rows.map((row) => (
              <RestrictionRow key={row.stepId} row={row} busy={busy} onToggle={onToggle} />
            ))}
          </tbody>
        </table>
      )}
      <section className="waiver-gated" aria-label={t.gatedTitle}>
        <h3 className="waiver-subtitle">{t.gatedTitle}</h3>
        <ul>
          {desk.gated.map((g) => (
            <li key={g.stepId} data-gated={g.stepId} className={g.missing.length === 0 ? 'is-open' : 'is-blocked'}>
              <span className="waiver-gated-name">
                {g.checkpointName}：{g.stepName}
              </span>
              {g.missing.length === 0 ? (
                <span className="waiver-gated-open">{t.gatedOpen}</span>
              ) : (
                <span className="waiver-gated-missing">
                  {t.gatedBlocked}
                  {g.missing.map((m) => `${m.checkpointName}: ${zhCN.ui.format.list(m.steps.map((s) => s.name))}`).join('；')}
                </span>
              )}
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

function LiftedPanel({ list, onOpen }: { list: LiftedList | null; onOpen(studentNo: string): void }) {
  if (!list) return <p className="waiver-empty">{t.loading}</p>;
  if (list.rows.length === 0) return <p className="waiver-empty">{t.liftedEmpty}</p>;
  return (
    <>
      <p className="waiver-count">{t.liftedTotal(list.total)}</p>
      <div className="waiver-scroll">
        <table className="waiver-table waiver-lifted">
          <thead>
            <tr>
              <th>{t.columns.studentNo}</th>
              <th>{t.columns.name}</th>
              <th>{t.columns.className}</th>
              <th>{t.columns.checkpoint}</th>
              <th>{t.columns.step}</th>
              <th>{t.columns.by}</th>
              <th>{t.columns.at}</th>
              <th>{t.columns.note}</th>
            </tr>
          </thead>
          <tbody>
            {list.rows.map((r) => (
              <tr key={`${r.studentNo}-${r.stepId}`} tabIndex={0} onClick={() => onOpen(r.studentNo)} onKeyDown={(e) => e.key === 'Enter' && onOpen(r.studentNo)}>
                <td className="mono">{r.studentNo}</td>
                <td>{r.name}</td>
                <td>{r.className}</td>
                <td>{r.checkpointName}</td>
                <td>{r.stepName}</td>
                <td>{r.by}</td>
                <td className="mono">{formatStamp(r.at)}</td>
                <td>{r.note}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/**
 * 调整离校点限制 (缓交): the manual's 3.9 page. For one student, each step that gates others with
 * its 限制状态 and the 关闭 / 开启 toggle (lift / impose through the one mutation path, audited and
 * synced); and the list of every student whose restriction is lifted.
 */
export function WaiverDialog({ initialStudentNo, onClose }: { initialStudentNo: string | null; onClose(): void }) {
  const [query, setQuery] = useState(initialStudentNo ?? '');
  const [desk, setDesk] = useState<WaiverDesk | null>(null);
  const [list, setList] = useState<LiftedList | null>(null);
  const [tab, setTab] = useState<Tab>('student');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const shown = useRef<string | null>(null);

  const find = useCallback(async (studentNo: string) => {
    if (!studentNo.trim()) return;
    try {
      const next = await call('waivers.forStudent', { studentNo: studentNo.trim() });
      // One 缓交 certificate covers the student's steps; another student brings their own.
      if (shown.current !== next.student.studentNo) setNote('');
      shown.current = next.student.studentNo;
      setDesk(next);
      setError(null);
    } catch (e) {
      setDesk(null);
      setError(messageOf(e));
    }
  }, []);

  const loadList = useCallback(async () => {
    try {
      setList(await call('waivers.lifted', {}));
    } catch (e) {
      setError(messageOf(e));
    }
  }, []);

  useEffect(() => {
    if (initialStudentNo) void find(initialStudentNo);
    void loadList();
    input.current?.focus();
    input.current?.select();
  }, [initialStudentNo, find, loadList]);

  // A step passed at another counter changes what may be lifted: re-read when this student changes.
  useEffect(
    () =>
      subscribeToChanges((event) => {
        const no = shown.current;
        if (no && event.studentNos.includes(no)) void find(no);
        void loadList();
      }),
    [find, loadList],
  );

  const toggle = async (row: WaiverRow) => {
    if (!desk || busy) return;
    setBusy(true);
    try {
      const lifted = row.toggle === 'lift';
      setDesk(await call('waivers.set', { studentNo: desk.student.studentNo, stepId: row.stepId, lifted, note: lifted ? note : '' }));
      notify('success', lifted ? t.lifted(row.stepName, desk.student.name) : t.imposed(row.stepName, desk.student.name));
      void loadList();
    } catch (e) {
      notify('error', messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setTab('student');
    void find(query);
  };

  return (
    <Dialog
      labelledBy="waiver-title"
      className="waiver-dialog"
      title={t.title}
      onClose={onClose}
      footer={
        <>
          <span className="waiver-who">{t.who}</span>
          <span className="batch-foot-keys">{t.keys}</span>
          <button type="button" className="btn" onClick={onClose}>
            {batchZhCN.import.close} <kbd className="kbd">Esc</kbd>
          </button>
        </>
      }
    >
      <form className="waiver-query" onSubmit={onSubmit}>
        <label htmlFor="waiver-student-no">{t.studentNo}</label>
        <input id="waiver-student-no" ref={input} className="mono" value={query} autoComplete="off" spellCheck={false} onChange={(e) => setQuery(e.target.value)} />
        <button type="submit" className="btn btn-primary">
          {t.find} <kbd className="kbd">Enter</kbd>
        </button>
        <div className="waiver-tabs" role="tablist">
          {(['student', 'lifted'] as const).map((k) => (
            <button key={k} type="button" role="tab" aria-selected={tab === k} className={`waiver-tab${tab === k ? ' is-on' : ''}`} onClick={() => setTab(k)}>
              {t.tabs[k]}
              {k === 'lifted' && list && <span className="waiver-tab-count">{list.total}</span>}
            </button>
          ))}
        </div>
      </form>
      {error && (
        <div className="notice notice-error" role="alert">
          {error}
        </div>
      )}
      <div className="waiver-body">
        {tab === 'student' ? (
          desk ? (
            <StudentPanel desk={desk} busy={busy} note={note} setNote={setNote} onToggle={(row) => void toggle(row)} />
          ) : (
            <p className="waiver-empty">{t.idle}</p>
          )
        ) : (
          <LiftedPanel
            list={list}
            onOpen={(no) => {
              setQuery(no);
              setTab('student');
              void find(no);
            }}
          />
        )}
      </div>
    </Dialog>
  );
}
