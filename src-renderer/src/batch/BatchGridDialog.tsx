import { useCallback, useEffect, useMemo, useRef, useState, type CSSProperties, type KeyboardEvent } from 'react';
import type { BatchApplyResult, BatchGrid, BatchGridRow, BatchGrouping } from '../../../src-shared/contract/batch-api';
import { batchZhCN } from '../../../src-shared/i18n/batch.zh-CN';
import { zhCN } from '../../../src-shared/i18n/zh-CN';
import { call, subscribeToChanges } from '../api/client';
import { StatusIcon, displayStatus } from '../components/StatusIcon';
import { notify } from '../feedback/notify';
import { messageOf } from '../store/errors';
import { Dialog } from './Dialog';
import { useVirtualRows } from './virtual-rows';
import { limitNote } from '../note-limit';
import './batch.css';

const t = batchZhCN.grid;
const ROW_HEIGHT = 30;
const key = (studentNo: string, stepId: string) => `${studentNo}\u0000${stepId}`;

interface Props {
  by: BatchGrouping;
  studentNo: string;
  /** The steps ticked on the counter screen when the grid was opened. */
  stepIds: string[];
  onClose(): void;
}

/** The chosen steps a row may be checked for now. */
function eligibleSteps(grid: BatchGrid, row: BatchGridRow, chosen: ReadonlySet<string>): string[] {
  return grid.ownStepIds.filter((id, i) => chosen.has(id) && row.cells[i] === null);
}

/** The reasons of the chosen steps that cannot be checked, and the first one's code for its colour. */
function rowReason(grid: BatchGrid, row: BatchGridRow, chosen: ReadonlySet<string>): { text: string; code: string | null } {
  const parts: string[] = [];
  let code: string | null = null;
  grid.ownStepIds.forEach((id, i) => {
    const cell = row.cells[i];
    if (!chosen.has(id) || !cell) return;
    const name = grid.columns.find((c) => c.id === id)?.name ?? id;
    code ??= cell.code;
    parts.push(chosen.size > 1 ? zhCN.ui.format.labelled(name, cell.message) : cell.message);
  });
  return { text: parts.join('；'), code };
}

function initialChoice(grid: BatchGrid, wanted: string[]): Set<string> {
  const own = wanted.filter((id) => grid.ownStepIds.includes(id));
  if (own.length > 0) return new Set(own);
  const open = grid.ownStepIds.find((_, i) => grid.rows.some((r) => r.cells[i] === null));
  return new Set(open ? [open] : grid.ownStepIds.slice(0, 1));
}

function Summary({ result }: { result: BatchApplyResult }) {
  const people = (xs: { studentNo: string }[]) => new Set(xs.map((x) => x.studentNo)).size;
  return (
    <section className="batch-summary" role="status" aria-label={t.summaryTitle}>
      <div className="batch-summary-line">
        <strong>{t.summaryTitle}</strong>
        <span className="tone-passed batch-summary-count">{t.summaryPassed(people(result.passed), result.passed.length)}</span>
        {result.refused.length > 0 ? (
          <span className="tone-rejected batch-summary-count">{t.summaryRefused(people(result.refused))}</span>
        ) : (
          <span className="batch-summary-ok">{t.summaryNone}</span>
        )}
      </div>
      {result.refused.length > 0 && (
        <ul className="batch-summary-list">
          {result.refused.map((r) => (
            <li key={key(r.studentNo, r.stepId)}>
              <span className="mono">{r.studentNo}</span> {r.name} · {r.stepName}：<span className="batch-reason-text">{r.message}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/**
 * 按班级 / 按宿舍 / 按学院批量操作: the manual's 学生信息 grid. Every status comes from the back
 * end's batch.grid, which asks the same checkActions as the single-student screen; submitting
 * sends the checked cells to batch.apply, one transaction, and shows what was refused.
 */
export function BatchGridDialog({ by, studentNo, stepIds, onClose }: Props) {
  const [grid, setGrid] = useState<BatchGrid | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<BatchApplyResult | null>(null);
  const [active, setActive] = useState(0);
  const viewport = useRef<HTMLDivElement>(null);

  const load = useCallback(async () => {
    try {
      const next = await call('batch.grid', { studentNo, by });
      setGrid(next);
      setError(null);
      return next;
    } catch (e) {
      setError(messageOf(e));
      return null;
    }
  }, [studentNo, by]);

  useEffect(() => {
    void load().then((g) => {
      if (g) setChosen(initialChoice(g, stepIds));
      viewport.current?.focus();
    });
    // The steps ticked at opening only seed the choice; later ticks on the screen behind do not.
  }, [load]);

  // Another counter, a sync or the screen behind may change a classmate: re-read the grid then,
  // keeping what is ticked (cells that are no longer eligible simply stop counting).
  const busyRef = useRef(busy);
  busyRef.current = busy;
  const members = useMemo(() => new Set(grid?.rows.map((r) => r.studentNo)), [grid]);
  useEffect(
    () =>
      subscribeToChanges((event) => {
        if (!busyRef.current && event.studentNos.some((no) => members.has(no))) void load();
      }),
    [members, load],
  );

  const rows = grid?.rows ?? [];
  const { first, last, totalHeight, reveal } = useVirtualRows(viewport, rows.length, ROW_HEIGHT);
  const eligibleByRow = useMemo(() => (grid ? grid.rows.map((r) => eligibleSteps(grid, r, chosen)) : []), [grid, chosen]);
  const eligibleCount = eligibleByRow.filter((e) => e.length > 0).length;
  const items = useMemo(() => {
    if (!grid) return [];
    return grid.rows.flatMap((r, i) => (eligibleByRow[i] ?? []).filter((id) => selected.has(key(r.studentNo, id))).map((stepId) => ({ studentNo: r.studentNo, stepId })));
  }, [grid, eligibleByRow, selected]);
  const selectedPeople = new Set(items.map((i) => i.studentNo)).size;

  const toggleRow = (index: number) => {
    const row = rows[index];
    const steps = eligibleByRow[index] ?? [];
    if (!row || steps.length === 0) return;
    setSelected((prev) => {
      const next = new Set(prev);
      const all = steps.every((id) => next.has(key(row.studentNo, id)));
      for (const id of steps) (all ? next.delete(key(row.studentNo, id)) : next.add(key(row.studentNo, id)));
      return next;
    });
  };
  const toggleCell = (row: BatchGridRow, stepId: string) =>
    setSelected((prev) => {
      const next = new Set(prev);
      const k = key(row.studentNo, stepId);
      if (next.has(k)) next.delete(k);
      else next.add(k);
      return next;
    });
  const selectEligible = () => {
    if (!grid) return;
    setSelected(new Set(grid.rows.flatMap((r, i) => (eligibleByRow[i] ?? []).map((id) => key(r.studentNo, id)))));
  };
  const toggleStep = (stepId: string) =>
    setChosen((prev) => {
      const next = new Set(prev);
      if (next.has(stepId)) next.delete(stepId);
      else next.add(stepId);
      return next;
    });

  const submit = async () => {
    if (busy || !grid) return;
    if (items.length === 0) {
      notify('info', batchZhCN.errors.nothingChecked);
      return;
    }
    setBusy(true);
    try {
      const outcome = await call('batch.apply', { items, note });
      setResult(outcome);
      setSelected(new Set());
      const people = new Set(outcome.passed.map((p) => p.studentNo)).size;
      const refused = new Set(outcome.refused.map((p) => p.studentNo)).size;
      notify(refused > 0 ? 'blocked' : 'success', refused > 0 ? t.doneWithRefusals(people, refused) : t.done(people));
      await load();
    } catch (e) {
      notify('error', messageOf(e));
    } finally {
      setBusy(false);
      viewport.current?.focus();
    }
  };

  const onGridKey = (e: KeyboardEvent) => {
    const move = (to: number) => {
      e.preventDefault();
      const next = Math.max(0, Math.min(rows.length - 1, to));
      setActive(next);
      reveal(next);
    };
    if (e.key === 'ArrowDown') move(active + 1);
    else if (e.key === 'ArrowUp') move(active - 1);
    else if (e.key === 'PageDown') move(active + 10);
    else if (e.key === 'PageUp') move(active - 10);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(rows.length - 1);
    else if (e.key === ' ') {
      e.preventDefault();
      toggleRow(active);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      void submit();
    }
  };

  const stepCount = grid?.columns.length ?? 0;
  const template = { '--batch-cols': `34px 92px 92px repeat(${stepCount}, 28px) minmax(220px, 1fr)` } as CSSProperties;
  const title = grid ? `${t.title[by]} · ${grid.groupLabel}` : t.title[by];
  const allChecked = items.length > 0 && eligibleByRow.every((steps, i) => steps.every((id) => selected.has(key(rows[i]!.studentNo, id))));

  return (
    <Dialog
      labelledBy="batch-grid-title"
      className="batch-grid-dialog"
      title={title}
      meta={grid && `${grid.checkpointName} · ${t.count(rows.length)}`}
      onClose={onClose}
      keys={{ F8: selectEligible, F9: () => void submit() }}
      footer={
        <>
          <label className="batch-note">
            <span>{t.note}</span>
            <input value={note} placeholder={t.notePlaceholder} onChange={(e) => setNote(limitNote(e.target.value))} onKeyDown={(e) => e.key === 'Enter' && void submit()} />
          </label>
          <span className="batch-foot-keys">{t.keys}</span>
          <button type="button" className="btn" onClick={onClose}>
            {t.close} <kbd className="kbd">Esc</kbd>
          </button>
          <button type="button" className="btn btn-primary btn-submit" disabled={busy || items.length === 0} onClick={() => void submit()}>
            {busy ? t.submitting : t.submit}
            {items.length > 0 && <span className="count-badge">{selectedPeople}</span>} <kbd className="kbd">F9</kbd>
          </button>
        </>
      }
    >
      {error && (
        <div className="notice notice-error" role="alert">
          {error}
        </div>
      )}
      {grid && (
        <div className="batch-toolbar">
          <span className="batch-toolbar-label">{t.steps}</span>
          {grid.ownStepIds.length === 0 && <span className="batch-muted">{t.noOwnSteps}</span>}
          {grid.ownStepIds.map((id) => (
            <label key={id} className={`batch-step-chip${chosen.has(id) ? ' is-on' : ''}`} title={t.stepsHint}>
              <input type="checkbox" checked={chosen.has(id)} onChange={() => toggleStep(id)} />
              {grid.columns.find((c) => c.id === id)?.name}
            </label>
          ))}
          <span className="batch-counts">
            {t.eligible(eligibleCount)} · {t.selected(selectedPeople, items.length)}
          </span>
          <button type="button" className="btn btn-small" disabled={eligibleCount === 0} onClick={selectEligible}>
            {t.selectEligible} <kbd className="kbd">F8</kbd>
          </button>
          <button type="button" className="btn btn-small btn-ghost" disabled={selected.size === 0} onClick={() => setSelected(new Set())}>
            {t.clear}
          </button>
        </div>
      )}
      {result && <Summary result={result} />}
      <div className="batch-table" style={template}>
        <div id="batch-grid-head" className="batch-head" role="row" aria-rowindex={1}>
          <span role="columnheader" className="batch-cell-check">
            <input type="checkbox" aria-label={t.selectEligible} checked={allChecked} disabled={eligibleCount === 0} onChange={() => (allChecked ? setSelected(new Set()) : selectEligible())} />
          </span>
          <span role="columnheader">{t.studentNo}</span>
          <span role="columnheader">{t.name}</span>
          {grid?.columns.map((c) => (
            <span key={c.id} role="columnheader" className={`batch-step-head${c.own ? ' is-own' : ''}${chosen.has(c.id) ? ' is-chosen' : ''}`} title={`${c.checkpointName}：${c.name}`}>
              {c.name}
            </span>
          ))}
          <span role="columnheader">{t.reason}</span>
        </div>
        {/* The scrolling part is the grid: it takes the keys and names the active row through
            aria-activedescendant. The header row stays put above it and joins it by aria-owns. */}
        <div
          ref={viewport}
          className="batch-viewport"
          role="grid"
          aria-label={title}
          aria-owns="batch-grid-head"
          aria-rowcount={rows.length + 1}
          tabIndex={0}
          aria-activedescendant={rows[active] ? `batch-row-${rows[active].studentNo}` : undefined}
          onKeyDown={onGridKey}
        >
          {!grid && !error && <div className="batch-empty">{t.loading}</div>}
          {grid && rows.length === 0 && <div className="batch-empty">{t.empty}</div>}
          <div className="batch-spacer" style={{ height: totalHeight }}>
            {rows.slice(first, last).map((row, offset) => {
              const index = first + offset;
              const steps = eligibleByRow[index] ?? [];
              const rowSelected = steps.length > 0 && steps.every((id) => selected.has(key(row.studentNo, id)));
              const partly = !rowSelected && steps.some((id) => selected.has(key(row.studentNo, id)));
              const reason = rowReason(grid!, row, chosen);
              return (
                <div
                  key={row.studentNo}
                  id={`batch-row-${row.studentNo}`}
                  role="row"
                  aria-rowindex={index + 2}
                  data-student={row.studentNo}
                  className={`batch-row${index === active ? ' is-active' : ''}${rowSelected ? ' is-selected' : ''}${steps.length === 0 ? ' is-locked' : ''}`}
                  style={{ transform: `translateY(${index * ROW_HEIGHT}px)` }}
                  onClick={() => setActive(index)}
                >
                  <span role="gridcell" className="batch-cell-check">
                    <input
                      type="checkbox"
                      tabIndex={-1}
                      aria-label={t.rowCheck(row.name)}
                      checked={rowSelected}
                      ref={(el) => {
                        if (el) el.indeterminate = partly;
                      }}
                      disabled={steps.length === 0 || busy}
                      onChange={() => toggleRow(index)}
                    />
                  </span>
                  <span role="gridcell" className="mono batch-no">
                    {row.studentNo}
                  </span>
                  <span role="gridcell" className="batch-name">
                    {row.name}
                    {row.isPrevious && <span className="badge badge-previous">{zhCN.ui.student.previous}</span>}
                  </span>
                  {grid!.columns.map((c, ci) => {
                    const status = row.statuses[ci] ?? 'pending';
                    const shown = displayStatus({ status, required: c.required });
                    const own = chosen.has(c.id) && steps.includes(c.id);
                    return (
                      <span key={c.id} role="gridcell" className={`batch-step-cell${c.own ? ' is-own' : ''}`} title={`${c.name}：${zhCN.status[shown]}`}>
                        {own ? (
                          <input
                            type="checkbox"
                            tabIndex={-1}
                            aria-label={t.cellCheck(row.name, c.name)}
                            checked={selected.has(key(row.studentNo, c.id))}
                            disabled={busy}
                            onChange={() => toggleCell(row, c.id)}
                          />
                        ) : (
                          <>
                            <StatusIcon status={shown} />
                            <span className="visually-hidden">{zhCN.status[shown]}</span>
                          </>
                        )}
                      </span>
                    );
                  })}
                  <span role="gridcell" className={`batch-reason reason-${reason.code ?? 'none'}`} title={reason.text}>
                    {reason.text}
                  </span>
                </div>
              );
            })}
          </div>
        </div>
      </div>
    </Dialog>
  );
}
