import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import type { StudentSummary } from '../../../src-shared/contract/counter-api';
import { useShallow } from 'zustand/react/shallow';
import { zhCN } from '../../../src-shared/i18n/zh-CN';
import { openStudent } from '../scan/lookup-scan';
import { rowAt, useSearchStore } from '../store/search';
import { useStudentStore } from '../store/student';

const t = zhCN.ui.search;
/** Fixed row height is what makes windowing trivial: row i sits at i * ROW_HEIGHT. */
const ROW_HEIGHT = 30;
const OVERSCAN = 6;

function rowState(row: StudentSummary): 'done' | 'ready' | 'waiting' {
  if (row.currentDone) return 'done';
  return row.prereqDone ? 'ready' : 'waiting';
}

const optionId = (studentNo: string) => `result-${studentNo}`;

/** The list is windowed: aria-setsize and aria-posinset tell a screen reader where in the whole a row sits. */
function ResultRow({ row, index, total, active }: { row: StudentSummary | undefined; index: number; total: number; active: boolean }) {
  const top = index * ROW_HEIGHT;
  if (!row) return <div className="result-row result-row-loading" style={{ transform: `translateY(${top}px)` }} />;
  const state = rowState(row);
  return (
    <div
      id={optionId(row.studentNo)}
      role="option"
      aria-selected={active}
      aria-setsize={total}
      aria-posinset={index + 1}
      className={`result-row${active ? ' is-active' : ''}`}
      style={{ transform: `translateY(${top}px)` }}
      onClick={() => void openStudent(row.studentNo)}
    >
      <span className="result-no">{row.studentNo}</span>
      <span className="result-name">
        {row.name}
        {row.isPrevious && <span className="badge badge-previous">{zhCN.ui.student.previous}</span>}
      </span>
      <span className="result-class">{row.className}</span>
      <span className={`result-state state-${state}`}>{t.rowState[state]}</span>
    </div>
  );
}

function useViewportHeight(ref: RefObject<HTMLElement | null>): number {
  const [height, setHeight] = useState(0);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    setHeight(el.clientHeight);
    return () => observer.disconnect();
  }, [ref]);
  return height;
}

/** Results can be thousands (a whole 待办队列): only the rows in view are rendered and fetched. */
export function ResultsList() {
  // Not the form: typing in the search fields must not re-render the list.
  const { query, total, pages, loading, error, ensureRows } = useSearchStore(
    useShallow((s) => ({ query: s.query, total: s.total, pages: s.pages, loading: s.loading, error: s.error, ensureRows: s.ensureRows })),
  );
  const activeNo = useStudentStore((s) => s.detail?.student.studentNo ?? null);
  const viewport = useRef<HTMLDivElement>(null);
  const height = useViewportHeight(viewport);
  const [scrollTop, setScrollTop] = useState(0);

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(total - 1, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);

  useEffect(() => {
    if (total > 0) ensureRows(first, last);
  }, [first, last, total, pages, ensureRows]);

  useEffect(() => {
    viewport.current?.scrollTo({ top: 0 });
    setScrollTop(0);
  }, [query]);

  const indexOfActive = (): number => {
    for (let i = first; i <= last; i++) if (rowAt(pages, i)?.studentNo === activeNo) return i;
    return -1;
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const current = indexOfActive();
    const next = Math.min(total - 1, Math.max(0, current + (e.key === 'ArrowDown' ? 1 : -1)));
    const row = rowAt(pages, next);
    if (!row) return;
    const el = viewport.current;
    if (el) {
      if (next * ROW_HEIGHT < el.scrollTop) el.scrollTop = next * ROW_HEIGHT;
      else if ((next + 1) * ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = (next + 1) * ROW_HEIGHT - el.clientHeight;
    }
    void openStudent(row.studentNo);
  };

  const rows = [];
  for (let i = first; i <= last; i++) {
    const row = rowAt(pages, i);
    rows.push(<ResultRow key={row?.studentNo ?? `loading-${i}`} row={row} index={i} total={total} active={row?.studentNo === activeNo} />);
  }

  const status = error ?? (loading ? t.searching : !query ? t.idle : total === 0 ? t.empty : null);

  return (
    <section className="card results-card" aria-labelledby="results-title">
      <div className="card-title-row">
        <h2 id="results-title" className="card-title">
          {t.results}
        </h2>
        {/* Always in the page, so that the count of a new search is announced. */}
        <span className="card-meta" role="status">
          {query && !loading ? t.total(total) : ''}
        </span>
      </div>
      <div className="results-header" aria-hidden="true">
        <span>{zhCN.ui.student.studentNo}</span>
        <span>{zhCN.ui.student.name}</span>
        <span>{zhCN.ui.student.className}</span>
        <span />
      </div>
      {/* A listbox only while it holds rows: without options it would be an empty widget. */}
      <div
        ref={viewport}
        className="results-viewport"
        role={status ? undefined : 'listbox'}
        aria-label={status ? undefined : t.results}
        aria-activedescendant={!status && activeNo && indexOfActive() >= 0 ? optionId(activeNo) : undefined}
        tabIndex={status ? undefined : 0}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        onKeyDown={onKeyDown}
      >
        {status ? (
          <div className={`results-status${error ? ' is-error' : ''}`} role={error ? 'alert' : undefined}>
            {status}
          </div>
        ) : (
          <div className="results-spacer" style={{ height: total * ROW_HEIGHT }}>
            {rows}
          </div>
        )}
      </div>
    </section>
  );
}
