import { describe, expect, it } from 'vitest';
import { CHASE_PAGE_MAX_CLASSES } from '../../../src-shared/contract/report-api';
import { blocksInView, HEADING_PX, layoutClasses, pageRequests, ROW_PX } from '../../../src-renderer/src/reports/chase-layout';

const classes = [
  { college: 'A', className: 'a1', students: 3 },
  { college: 'A', className: 'a2', students: 1 },
  { college: 'B', className: 'b1', students: 40 },
  { college: 'B', className: 'b2', students: 2 },
];

describe('the 未完成名单 layout', () => {
  it('places every class heading after the rows of the classes before it', () => {
    const layout = layoutClasses(classes);
    expect(layout.blocks.map((b) => b.top)).toEqual([0, HEADING_PX + 3 * ROW_PX, 2 * HEADING_PX + 4 * ROW_PX, 3 * HEADING_PX + 44 * ROW_PX]);
    expect(layout.blocks.map((b) => b.line)).toEqual([0, 4, 6, 47]);
    expect(layout.lines).toBe(4 + 46);
    expect(layout.height).toBe(4 * HEADING_PX + 46 * ROW_PX);
  });

  it('finds the classes a scroll window shows, including one begun above it', () => {
    const layout = layoutClasses(classes);
    const b1 = layout.blocks[2]!;
    expect(blocksInView(layout, 0, 10).map((b) => b.className)).toEqual(['a1']);
    expect(blocksInView(layout, b1.top + 5 * ROW_PX, b1.top + 10 * ROW_PX).map((b) => b.className)).toEqual(['b1']);
    expect(blocksInView(layout, -600, layout.height + 600).map((b) => b.className)).toEqual(['a1', 'a2', 'b1', 'b2']);
    expect(blocksInView(layout, layout.height - 1, layout.height).map((b) => b.className)).toEqual(['b2']);
  });

  it('cuts classes into requests of about the asked size, never splitting a class, in order', () => {
    expect(pageRequests(classes, 5).map((p) => p.map((c) => c.className))).toEqual([['a1', 'a2'], ['b1'], ['b2']]);
    const many = Array.from({ length: 250 }, (_, i) => ({ college: 'C', className: `c${i}`, students: 1 }));
    const pages = pageRequests(many, 10_000);
    expect(pages.map((p) => p.length)).toEqual([CHASE_PAGE_MAX_CLASSES, CHASE_PAGE_MAX_CLASSES, 50]);
    expect(pages.flat().map((c) => c.className)).toEqual(many.map((c) => c.className));
  });
});
