import type { BatchDef } from '../../src-shared/domain/types';

/** The fixed columns of a roster file, in template order; flag columns follow, one per flag. */
export const ROSTER_COLUMNS = ['学号', '姓名', '性别', '学院', '专业', '班级', '宿舍', '身份证号', '往届'] as const;
export type RosterColumn = (typeof ROSTER_COLUMNS)[number];

export const OPTIONAL_COLUMNS: ReadonlySet<RosterColumn> = new Set(['宿舍', '往届']);

/** Columns Excel must keep as text: it drops leading zeros and rounds 18-digit numbers. */
export const TEXT_COLUMNS: ReadonlySet<string> = new Set(['学号', '身份证号']);

export function rosterHeaders(def: BatchDef): string[] {
  return [...ROSTER_COLUMNS, ...def.flags.map((f) => f.key)];
}
