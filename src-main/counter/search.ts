import type { Output, searchInputSchema } from '../../src-shared/contract/counter-api';
import type { z } from 'zod';
import type { Replica } from '../db/open';
import { currentNotDoneSql, prereqBlockedSql, type SqlCondition } from './checkpoint-progress';
import { idCardMatch } from './id-card-query';
import { likeContains } from './lookup';
import { OWN_STUDENT, STUDENT_COLUMNS, type StudentRow } from './student-store';
import { summarize } from './summary';

export type SearchQuery = z.output<typeof searchInputSchema>;

function negate(c: SqlCondition): SqlCondition {
  return { text: `not (${c.text})`, params: c.params };
}

function conditions(replica: Replica, checkpointId: string, q: SearchQuery): SqlCondition[] {
  const out: SqlCondition[] = [{ text: OWN_STUDENT, params: [] }];
  if (q.studentNo) out.push({ text: 'substr(s.student_no, 1, ?) = ?', params: [q.studentNo.length, q.studentNo] });
  // Matched on the covering name index first: a LIKE on the rows themselves would read all
  // 20,000 of them in 学号 order to fill one page.
  if (q.name) out.push({ text: "s.rowid in (select n.rowid from students n where n.name like ? escape '\\')", params: [likeContains(q.name)] });
  if (q.idCard) out.push(idCardMatch(replica, q.idCard));
  if (q.college) out.push({ text: 's.college = ?', params: [q.college] });
  if (q.className) out.push({ text: 's.class_name = ?', params: [q.className] });
  if (q.dorm) out.push({ text: 's.dorm = ?', params: [q.dorm] });
  if (q.isPrevious !== undefined) out.push({ text: 's.is_previous = ?', params: [q.isPrevious ? 1 : 0] });
  if (q.prereq !== 'all') {
    const blocked = prereqBlockedSql(replica.batch, checkpointId);
    out.push(q.prereq === 'done' ? negate(blocked) : blocked);
  }
  if (q.current !== 'all') {
    const notDone = currentNotDoneSql(replica.batch, checkpointId);
    out.push(q.current === 'done' ? negate(notDone) : notDone);
  }
  return out;
}

/**
 * students.search: every filter is an SQL condition, so the count and the page come from SQLite
 * at 20,000 students; only the page's rows get the gate evaluated in TypeScript for display.
 */
export function searchStudents(replica: Replica, checkpointId: string, q: SearchQuery): Output<'students.search'> {
  const conds = conditions(replica, checkpointId, q);
  const where = conds.length > 0 ? `where ${conds.map((c) => `(${c.text})`).join(' and ')}` : '';
  const params = conds.flatMap((c) => c.params);
  const rows = replica.sqlite
    .prepare(`select ${STUDENT_COLUMNS} from students s ${where} order by s.student_no limit ? offset ?`)
    .all(...params, q.limit, q.offset) as StudentRow[];
  // A short page that is not empty is the last one and tells the total: no second pass over the filters.
  const total =
    rows.length > 0 && rows.length < q.limit
      ? q.offset + rows.length
      : (replica.sqlite.prepare(`select count(*) as total from students s ${where}`).get(...params) as { total: number }).total;
  return { total, rows: summarize(replica, checkpointId, rows) };
}
