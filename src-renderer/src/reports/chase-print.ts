import type { ChaseClass, ChaseStudent, ChaseSummary } from '../../../src-shared/contract/report-api';
import { reportZhCN as t } from '../../../src-shared/i18n/report.zh-CN';
import { classKey, pageRequests } from './chase-layout';
import { stepsText } from './chase-text';

/**
 * The 未完成名单 laid out for paper, a page of classes at a time: each page is fetched, turned
 * into DOM and let go before the next, so a 30,000-row list stands once (as the printed DOM) and
 * the window answers between pages (progress, 取消). The blocks are those the list always
 * printed: one section per class with its heading and a table whose header row repeats on
 * every sheet.
 */

/** Students per request while printing: large enough to be quick, small enough to cancel at once. */
const PRINT_PAGE_STUDENTS = 1500;

function cell(text: string, className?: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function headerRow(): HTMLTableSectionElement {
  const thead = document.createElement('thead');
  const tr = thead.insertRow();
  for (const label of [t.col.studentNo, t.col.name, t.col.dorm, t.col.here, t.col.elsewhere]) {
    const th = document.createElement('th');
    th.textContent = label;
    tr.append(th);
  }
  return thead;
}

function columns(): HTMLTableColElement {
  const group = document.createElement('colgroup');
  for (const width of ['w-no', 'w-name', 'w-dorm', 'w-here', '']) {
    const col = document.createElement('col');
    if (width) col.className = width;
    group.append(col);
  }
  return group as HTMLTableColElement;
}

function studentRow(s: ChaseStudent): HTMLTableRowElement {
  const tr = document.createElement('tr');
  const name = cell(s.name);
  if (s.isPrevious) {
    const tag = document.createElement('span');
    tag.className = 'step-tags';
    tag.textContent = t.col.previous;
    name.append(tag);
  }
  tr.append(cell(s.studentNo, 'mono'), name, cell(s.dorm ?? '', 'note'), cell(stepsText(s.here, false), 'note'), cell(stepsText(s.elsewhere, true), 'note'));
  return tr;
}

function classSection(c: ChaseClass & { students: number }, rows: ChaseStudent[]): HTMLElement {
  const section = document.createElement('section');
  section.className = 'doc-section';
  const h2 = document.createElement('h2');
  h2.textContent = t.doc.chaseClass(c.college, c.className, c.students);
  const table = document.createElement('table');
  table.className = 'doc-table doc-table-dense doc-table-fixed';
  const tbody = document.createElement('tbody');
  for (const s of rows) tbody.append(studentRow(s));
  table.append(columns(), headerRow(), tbody);
  section.append(h2, table);
  return section;
}

/** Resolves null once the job is cancelled, so a page under way is not waited for. */
function cancelled(signal: AbortSignal): Promise<null> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(null);
    else signal.addEventListener('abort', () => resolve(null), { once: true });
  });
}

export interface PrintJob {
  /** Students laid out so far. */
  onProgress(done: number): void;
  signal: AbortSignal;
}

/**
 * Fills `target` with every class block of the summary. Resolves true once complete; false when
 * cancelled, with `target` emptied again. A failed page rejects, also leaving `target` empty.
 */
export async function layOutChaseForPrint(
  target: HTMLElement,
  summary: ChaseSummary,
  fetchPage: (classes: ChaseClass[]) => Promise<ChaseStudent[]>,
  job: PrintJob,
): Promise<boolean> {
  target.replaceChildren();
  const sizes = new Map(summary.classes.map((c) => [classKey(c), c]));
  let done = 0;
  try {
    for (const classes of pageRequests(summary.classes, PRINT_PAGE_STUDENTS)) {
      const rows = await Promise.race([fetchPage(classes), cancelled(job.signal)]);
      if (rows === null || job.signal.aborted) break;
      const fragment = document.createDocumentFragment();
      for (const c of classes) {
        const own = rows.filter((s) => s.college === c.college && s.className === c.className);
        fragment.append(classSection({ ...c, students: sizes.get(classKey(c))?.students ?? own.length }, own));
      }
      target.append(fragment);
      done += rows.length;
      job.onProgress(done);
    }
  } catch (e) {
    target.replaceChildren();
    throw e;
  }
  if (job.signal.aborted) {
    target.replaceChildren();
    return false;
  }
  return true;
}
