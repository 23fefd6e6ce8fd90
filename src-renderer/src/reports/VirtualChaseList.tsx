import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ChaseClass, ChaseStudent, ChaseSummary } from '../../../src-shared/contract/report-api';
import { reportZhCN as t } from '../../../src-shared/i18n/report.zh-CN';
import { blocksInView, classKey, HEADING_PX, layoutClasses, pageRequests, ROW_PX, type ClassBlock } from './chase-layout';
import { stepsText } from './chase-text';

/** Lines rendered beyond the visible ones, so a flick of the wheel does not show blanks. */
const OVERSCAN_PX = 600;
/** Classes kept in memory; those farthest from the view go first. */
const KEEP_CLASSES = 240;
/** Students per request while scrolling: one or two screens. */
const SCROLL_PAGE_STUDENTS = 120;

interface Props {
  summary: ChaseSummary;
  fetchPage(classes: ChaseClass[]): Promise<ChaseStudent[]>;
  onError(message: string): void;
}

/**
 * The 未完成名单 on screen: only the lines in view exist in the DOM, and only the classes in
 * view (and next to it) are read from the back end, so 30,000 rows scroll like 40.
 */
export function VirtualChaseList({ summary, fetchPage, onError }: Props) {
  const layout = useMemo(() => layoutClasses(summary.classes), [summary]);
  const viewport = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 600 });
  const rows = useRef(new Map<string, ChaseStudent[]>());
  const loading = useRef(new Set<string>());
  const [, setLoaded] = useState(0);

  const onScroll = useCallback(() => {
    const el = viewport.current;
    if (el) setView({ top: el.scrollTop, height: el.clientHeight });
  }, []);
  useEffect(onScroll, [onScroll]);

  const shown = blocksInView(layout, view.top - OVERSCAN_PX, view.top + view.height + OVERSCAN_PX);

  useEffect(() => {
    const missing = shown.filter((b) => !rows.current.has(b.key) && !loading.current.has(b.key));
    if (missing.length === 0) return;
    for (const b of missing) loading.current.add(b.key);
    for (const classes of pageRequests(missing, SCROLL_PAGE_STUDENTS)) {
      fetchPage(classes).then(
        (students) => {
          for (const c of classes) {
            const key = classKey(c);
            rows.current.set(key, students.filter((s) => s.college === c.college && s.className === c.className));
            loading.current.delete(key);
          }
          forget(rows.current, layout.blocks, view.top);
          setLoaded((n) => n + 1);
        },
        (e: unknown) => {
          for (const c of classes) loading.current.delete(classKey(c));
          onError(e instanceof Error ? e.message : String(e));
        },
      );
    }
  });

  const lines = shown.flatMap((block) => blockLines(block, rows.current.get(block.key), view.top - OVERSCAN_PX, view.top + view.height + OVERSCAN_PX));
  return (
    <div className="chase-table no-print" role="table" aria-label={t.ui.chaseListLabel} aria-rowcount={layout.lines + 1} data-testid="chase-virtual">
      <div role="rowgroup">
        <div role="row" aria-rowindex={1} className="chase-line chase-columns">
          {[t.col.studentNo, t.col.name, t.col.dorm, t.col.here, t.col.elsewhere].map((label) => (
            <span key={label} role="columnheader">
              {label}
            </span>
          ))}
        </div>
      </div>
      <div role="rowgroup" className="chase-viewport" ref={viewport} onScroll={onScroll} tabIndex={0} aria-label={t.ui.chaseListLabel}>
        <div className="chase-spacer" style={{ height: layout.height }}>
          {lines}
        </div>
      </div>
    </div>
  );
}

/** The heading and the student lines of one class that fall between `from` and `to` px. */
function blockLines(block: ClassBlock, students: ChaseStudent[] | undefined, from: number, to: number) {
  const out = [];
  if (block.top + HEADING_PX >= from) {
    out.push(
      <div key={block.key} role="row" aria-rowindex={block.line + 2} className="chase-line chase-class" style={{ top: block.top }}>
        <span role="cell" aria-colspan={5}>
          {t.doc.chaseClass(block.college, block.className, block.students)}
        </span>
      </div>,
    );
  }
  const first = Math.max(0, Math.floor((from - block.top - HEADING_PX) / ROW_PX));
  const last = Math.min(block.students - 1, Math.floor((to - block.top - HEADING_PX) / ROW_PX));
  for (let i = first; i <= last; i++) {
    const s = students?.[i];
    const top = block.top + HEADING_PX + i * ROW_PX;
    const key = `${block.key}\u0000${i}`;
    if (!s) {
      out.push(
        <div key={key} role="row" aria-rowindex={block.line + 3 + i} className="chase-line chase-pending" style={{ top }}>
          <span role="cell" aria-colspan={5}>
            {t.ui.rowLoading}
          </span>
        </div>,
      );
      continue;
    }
    const here = stepsText(s.here, false);
    const elsewhere = stepsText(s.elsewhere, true);
    out.push(
      <div key={key} role="row" aria-rowindex={block.line + 3 + i} className="chase-line chase-student" style={{ top }}>
        <span role="cell" className="mono">
          {s.studentNo}
        </span>
        <span role="cell">
          {s.name}
          {s.isPrevious && <span className="step-tags">{t.col.previous}</span>}
        </span>
        <span role="cell" title={s.dorm ?? ''}>
          {s.dorm ?? ''}
        </span>
        <span role="cell" title={here}>
          {here}
        </span>
        <span role="cell" title={elsewhere}>
          {elsewhere}
        </span>
      </div>,
    );
  }
  return out;
}

/** Keeps memory flat however far one scrolls: the classes farthest from the view are dropped. */
function forget(rows: Map<string, ChaseStudent[]>, blocks: ClassBlock[], top: number): void {
  if (rows.size <= KEEP_CLASSES) return;
  const at = new Map(blocks.map((b) => [b.key, b.top]));
  const far = [...rows.keys()].sort((a, b) => Math.abs(at.get(b)! - top) - Math.abs(at.get(a)! - top));
  for (const key of far.slice(0, rows.size - KEEP_CLASSES)) rows.delete(key);
}
