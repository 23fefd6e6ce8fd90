import { and, asc, count, eq, gt, inArray, lte, or, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Executor } from '../db/database';
import { conflicts, ops, rosterChanges, stepStates, students, waivers } from '../db/schema';
import type { RosterScope } from '../../src-shared/domain/roster-scope';

/**
 * The replicated tables, read within a device's roster scope. Each reader returns rows in seq
 * order (pull) or key order (snapshot), filtered by seq range and, for college-scoped devices,
 * by the students' college: now, or before a college change took them out of the scope.
 */

export interface SeqRange {
  after: number;
  upTo: number;
}

function inRange(column: AnyPgColumn, range: SeqRange | null): SQL | undefined {
  return range ? and(gt(column, range.after), lte(column, range.upTo)) : undefined;
}

/**
 * Students of the scope's colleges, and those who moved out of them: a counter must hear that
 * a student left (the row says `inScope: false`), or it would go on treating them as its own.
 */
function collegeFilter(scope: RosterScope): SQL | undefined {
  if (scope.all) return undefined;
  // An empty IN list is not valid SQL; no college is named '', so [''] matches nothing.
  const colleges = scope.colleges.length > 0 ? scope.colleges : [''];
  const movedOut = sql`exists (select 1 from ${rosterChanges} where ${rosterChanges.batchId} = ${students.batchId}
    and ${rosterChanges.studentNo} = ${students.studentNo} and ${rosterChanges.kind} = 'college' and ${inArray(rosterChanges.fromCollege, colleges)})`;
  return or(inArray(students.college, colleges), movedOut);
}

export function readStudents(exec: Executor, batchId: string, scope: RosterScope, range: SeqRange | null, limit: number, afterKey?: string) {
  return exec
    .select()
    .from(students)
    .where(
      and(
        eq(students.batchId, batchId),
        collegeFilter(scope),
        inRange(students.seq, range),
        afterKey === undefined ? undefined : gt(students.studentNo, afterKey),
      ),
    )
    .orderBy(range ? asc(students.seq) : asc(students.studentNo))
    .limit(limit);
}

/** Keeps rows of students in the device's colleges, when it does not see them all. */
function ofStudentsInScope(table: typeof stepStates | typeof waivers | typeof conflicts, scope: RosterScope): SQL | undefined {
  if (scope.all) return undefined;
  return sql`exists (select 1 from ${students} where ${students.batchId} = ${table.batchId} and ${students.studentNo} = ${table.studentNo} and ${collegeFilter(scope)})`;
}

function statesWhere(batchId: string, scope: RosterScope, range: SeqRange | null, after?: [string, string]) {
  return and(
    eq(stepStates.batchId, batchId),
    inRange(stepStates.seq, range),
    after ? sql`(${stepStates.studentNo}, ${stepStates.stepId}) > (${after[0]}, ${after[1]})` : undefined,
    ofStudentsInScope(stepStates, scope),
  );
}

export function readStates(exec: Executor, batchId: string, scope: RosterScope, range: SeqRange | null, limit: number, after?: [string, string]) {
  return exec
    .select()
    .from(stepStates)
    .where(statesWhere(batchId, scope, range, after))
    .orderBy(...(range ? [asc(stepStates.seq)] : [asc(stepStates.studentNo), asc(stepStates.stepId)]))
    .limit(limit);
}

/**
 * The snapshot's state lines in key order, spelled as JSON by PostgreSQL: a large snapshot is
 * 95% state rows, and mapping each through the ORM and JSON.stringify cost the server more than
 * reading them. The fields are stateRow's (rows.ts); the sync tests compare snapshot and pull.
 */
export async function readStateLines(exec: Executor, batchId: string, scope: RosterScope, limit: number, after?: [string, string]) {
  const t = stepStates;
  const result = await exec.execute(sql`select r."studentNo", r."stepId", row_to_json(r)::text as line from (
      select 'state' as type, ${t.seq} as seq, ${t.studentNo} as "studentNo", ${t.stepId} as "stepId", ${t.status} as status,
        ${t.note} as note, ${t.version} as version, ${t.updatedAt} as "updatedAt", ${t.updatedBy} as "updatedBy",
        ${t.updatedByName} as "updatedByName", ${t.lastOpId} as "lastOpId"
      from ${t} where ${statesWhere(batchId, scope, null, after)}
      order by ${t.studentNo}, ${t.stepId} limit ${limit}
    ) r order by r."studentNo", r."stepId"`);
  // Both drivers (node-postgres, PGlite) answer raw statements with { rows }.
  return (result as unknown as { rows: { studentNo: string; stepId: string; line: string }[] }).rows;
}

export function readWaivers(exec: Executor, batchId: string, scope: RosterScope, range: SeqRange | null, limit: number, after?: [string, string]) {
  return exec
    .select()
    .from(waivers)
    .where(
      and(
        eq(waivers.batchId, batchId),
        inRange(waivers.seq, range),
        after ? sql`(${waivers.studentNo}, ${waivers.stepId}) > (${after[0]}, ${after[1]})` : undefined,
        ofStudentsInScope(waivers, scope),
      ),
    )
    .orderBy(...(range ? [asc(waivers.seq)] : [asc(waivers.studentNo), asc(waivers.stepId)]))
    .limit(limit);
}

export function readConflicts(exec: Executor, batchId: string, scope: RosterScope, range: SeqRange | null, limit: number, afterId = 0) {
  return exec
    .select()
    .from(conflicts)
    .where(and(eq(conflicts.batchId, batchId), inRange(conflicts.seq, range), gt(conflicts.id, afterId), ofStudentsInScope(conflicts, scope)))
    .orderBy(range ? asc(conflicts.seq) : asc(conflicts.id))
    .limit(limit);
}

/** A device's own ops: their outcomes, for a counter whose push response was lost. */
export function readOwnOps(exec: Executor, deviceId: string, range: SeqRange | null, limit: number, afterSeq = 0) {
  return exec
    .select()
    .from(ops)
    .where(and(eq(ops.deviceId, deviceId), inRange(ops.seq, range), gt(ops.seq, afterSeq)))
    .orderBy(asc(ops.seq))
    .limit(limit);
}

/** How many rows a snapshot of this scope holds, for the counter's progress bar. */
export async function countInScope(exec: Executor, batchId: string, deviceId: string, scope: RosterScope) {
  const n = (rows: { n: number }[]) => rows[0]?.n ?? 0;
  return {
    students: n(await exec.select({ n: count() }).from(students).where(and(eq(students.batchId, batchId), collegeFilter(scope)))),
    states: n(
      await exec.select({ n: count() }).from(stepStates).where(and(eq(stepStates.batchId, batchId), ofStudentsInScope(stepStates, scope))),
    ),
    waivers: n(await exec.select({ n: count() }).from(waivers).where(and(eq(waivers.batchId, batchId), ofStudentsInScope(waivers, scope)))),
    conflicts: n(
      await exec.select({ n: count() }).from(conflicts).where(and(eq(conflicts.batchId, batchId), ofStudentsInScope(conflicts, scope))),
    ),
    ops: n(await exec.select({ n: count() }).from(ops).where(eq(ops.deviceId, deviceId))),
  };
}
