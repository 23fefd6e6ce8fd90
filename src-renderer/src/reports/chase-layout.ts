import { CHASE_PAGE_MAX_CLASSES, type ChaseClass, type ChaseSummary } from '../../../src-shared/contract/report-api';

/**
 * Where each class block of the 未完成名单 sits in the virtual list: a heading line, then one
 * line per student. Every line has a fixed height, so the whole list is laid out from the
 * summary before a single row is read, and the scroll position says which classes to fetch.
 */

export const HEADING_PX = 34;
export const ROW_PX = 30;

export interface ClassBlock extends ChaseClass {
  key: string;
  students: number;
  /** Offset of the heading from the top of the list, in px. */
  top: number;
  /** Index of the heading among all lines (headings and rows), for aria-rowindex. */
  line: number;
}

export interface ChaseLayout {
  blocks: ClassBlock[];
  height: number;
  lines: number;
}

export const classKey = (c: ChaseClass) => `${c.college}\u0000${c.className}`;

export function layoutClasses(classes: ChaseSummary['classes']): ChaseLayout {
  let top = 0;
  let line = 0;
  const blocks = classes.map((c) => {
    const block = { college: c.college, className: c.className, key: classKey(c), students: c.students, top, line };
    top += HEADING_PX + c.students * ROW_PX;
    line += 1 + c.students;
    return block;
  });
  return { blocks, height: top, lines: line };
}

/** The blocks that show between `from` and `to` px (inclusive), by binary search on their tops. */
export function blocksInView(layout: ChaseLayout, from: number, to: number): ClassBlock[] {
  const { blocks } = layout;
  let lo = 0;
  let hi = blocks.length - 1;
  let first = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (blocks[mid]!.top <= from) {
      first = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  const shown: ClassBlock[] = [];
  for (let i = first; i < blocks.length && blocks[i]!.top <= to; i++) shown.push(blocks[i]!);
  return shown;
}

/**
 * Classes cut into page requests: consecutive classes, at most CHASE_PAGE_MAX_CLASSES and about
 * `students` students a request (a class is never split, so one large class is a page alone).
 */
export function pageRequests(classes: readonly (ChaseClass & { students: number })[], students: number): ChaseClass[][] {
  const pages: ChaseClass[][] = [];
  let page: ChaseClass[] = [];
  let size = 0;
  for (const c of classes) {
    if (page.length > 0 && (size + c.students > students || page.length >= CHASE_PAGE_MAX_CLASSES)) {
      pages.push(page);
      page = [];
      size = 0;
    }
    page.push({ college: c.college, className: c.className });
    size += c.students;
  }
  if (page.length > 0) pages.push(page);
  return pages;
}
