import type Database from 'better-sqlite3';
import type { ConflictRow, StateRow, StudentRow, SyncRow, WaiverRow } from '../../src-shared/contract/sync';
import { isApplicable, type BatchIndex } from '../../src-shared/domain/batch';
import { knownOperatorName } from './known-operators';
import { readMeta } from './meta';
import { recordAcks } from './outbox';
import { replicaIdFields } from './id-hash';

/**
 * Pulled rows into the replica. The server's rows are kept as they came (server_step_states,
 * server_waivers); the rows the counter reads (step_states, waivers) are the local view:
 * the server row with this counter's unacknowledged outbox ops re-applied on top, in
 * deviceSeq order. So a pull never overwrites a change the server has not heard of yet, and
 * an op the server refused falls back to exactly what the server holds.
 */

export interface StepKey {
  studentNo: string;
  stepId: string;
}

const TARGET: Record<string, 'passed' | 'rejected' | 'pending'> = { pass: 'passed', reject: 'rejected', revoke: 'pending' };

interface PendingOp {
  device_seq: number;
  operator_id: string;
  kind: string;
  args: string;
  client_time: string;
}

function statements(sqlite: Database.Database) {
  return {
    flags: sqlite.prepare('select flags from students where student_no = ?'),
    serverState: sqlite.prepare('select * from server_step_states where student_no = ? and step_id = ?'),
    serverWaiver: sqlite.prepare('select * from server_waivers where student_no = ? and step_id = ?'),
    seqOfOp: sqlite.prepare('select device_seq from outbox where op_id = ?'),
    pendingState: sqlite.prepare(
      `select device_seq, operator_id, kind, args, client_time from outbox
       where acked_at is null and student_no = ? and step_id = ? and kind in ('pass', 'reject', 'revoke') order by device_seq`,
    ),
    pendingWaiver: sqlite.prepare(
      `select device_seq, operator_id, kind, args, client_time from outbox
       where acked_at is null and student_no = ? and step_id = ? and kind in ('lift', 'impose') order by device_seq`,
    ),
    // Plain inserts-or-ignore and updates, never upserts: an upsert's conflict handling would
    // override the OR IGNORE inside other connections' temp triggers (the statistics cache's).
    ensureState: sqlite.prepare("insert or ignore into step_states (student_no, step_id, status) values (?, ?, 'pending')"),
    writeState: sqlite.prepare(
      `update step_states set status = ?, note = ?, version = ?, updated_at = ?, updated_by = ?, updated_by_name = ?
       where student_no = ? and step_id = ?`,
    ),
    writeWaiver: sqlite.prepare(
      `insert into waivers (student_no, step_id, lifted, note, version, updated_at, updated_by) values (?, ?, ?, ?, ?, ?, ?)
       on conflict (student_no, step_id) do update set lifted = excluded.lifted, note = excluded.note, version = excluded.version,
         updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    ),
    deleteWaiver: sqlite.prepare('delete from waivers where student_no = ? and step_id = ?'),
    updateStudent: sqlite.prepare(
      `update students set name = ?, gender = ?, college = ?, major = ?, class_name = ?, dorm = ?, id_hash = ?, id_masked = ?,
         id_last6 = ?, is_previous = ?, flags = ?, in_scope = ?, withdrawn_reason = ? where student_no = ?`,
    ),
    insertStudent: sqlite.prepare(
      `insert or ignore into students (student_no, name, gender, college, major, class_name, dorm, id_hash, id_masked, id_last6, is_previous, flags,
         in_scope, withdrawn_reason)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    upsertServerState: sqlite.prepare(
      `insert or replace into server_step_states (student_no, step_id, status, note, version, updated_at, updated_by, updated_by_name, last_op_id)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    upsertServerWaiver: sqlite.prepare(
      `insert or replace into server_waivers (student_no, step_id, lifted, note, version, updated_at, updated_by, last_op_id)
       values (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    upsertConflict: sqlite.prepare(
      `insert or replace into conflicts (id, kind, student_no, step_id, winning_op_id, flagged_op_id, detail, resolved, resolved_by, resolved_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    saveCursor: sqlite.prepare('update sync_state set cursor = ?, server_seq = ?, last_pull_at = ? where slot = 1'),
  };
}

type Statements = ReturnType<typeof statements>;

/** Pending ops the server row already contains (a push whose answer was lost) are not applied twice. */
function opsToReapply(stmts: Statements, key: StepKey, lastOpId: string | undefined, of: 'state' | 'waiver'): PendingOp[] {
  const query = of === 'state' ? stmts.pendingState : stmts.pendingWaiver;
  const pending = query.all(key.studentNo, key.stepId) as PendingOp[];
  if (!lastOpId || pending.length === 0) return pending;
  const included = stmts.seqOfOp.get(lastOpId) as { device_seq: number } | undefined;
  return included ? pending.filter((op) => op.device_seq > included.device_seq) : pending;
}

function operatorNames(sqlite: Database.Database): (id: string) => string {
  const session = readMeta(sqlite, 'session');
  const operator = session ? (JSON.parse(session) as { operator?: { id: string; name: string } }).operator : undefined;
  // Pending ops of an earlier shift carry that operator's id; the name comes from their sign-in here.
  const known = knownOperatorName(sqlite);
  return (id) => (operator && operator.id === id ? operator.name : (known(id) ?? id));
}

function rebuildState(stmts: Statements, batch: BatchIndex, key: StepKey, nameOf: (id: string) => string): void {
  if (!batch.hasStep(key.stepId)) return;
  const student = stmts.flags.get(key.studentNo) as { flags: string } | undefined;
  if (!student) return;
  const server = stmts.serverState.get(key.studentNo, key.stepId) as
    | { status: string; note: string; version: number; updated_at: string; updated_by: string; updated_by_name: string; last_op_id: string }
    | undefined;
  const row = {
    status: server?.status ?? 'pending',
    note: server?.note ?? '',
    version: server?.version ?? 0,
    updatedAt: server?.updated_at ?? null,
    updatedBy: server?.updated_by ?? null,
    updatedByName: server?.updated_by_name ?? null,
  };
  for (const op of opsToReapply(stmts, key, server?.last_op_id, 'state')) {
    row.status = TARGET[op.kind]!;
    row.note = (JSON.parse(op.args) as { note: string }).note;
    row.version += 1;
    row.updatedAt = op.client_time;
    row.updatedBy = op.operator_id;
    row.updatedByName = nameOf(op.operator_id);
  }
  // The replica's invariant: a step that does not apply to the student is 'na', and only then.
  if (!isApplicable(batch.step(key.stepId).step, JSON.parse(student.flags) as Record<string, boolean>)) {
    row.status = 'na';
    row.note = '';
  }
  stmts.ensureState.run(key.studentNo, key.stepId);
  stmts.writeState.run(row.status, row.note, row.version, row.updatedAt, row.updatedBy, row.updatedByName, key.studentNo, key.stepId);
}

function rebuildWaiver(stmts: Statements, key: StepKey): void {
  const student = stmts.flags.get(key.studentNo);
  if (!student) return;
  const server = stmts.serverWaiver.get(key.studentNo, key.stepId) as
    | { lifted: number; note: string; version: number; updated_at: string; updated_by: string; last_op_id: string }
    | undefined;
  const ops = opsToReapply(stmts, key, server?.last_op_id, 'waiver');
  if (!server && ops.length === 0) {
    stmts.deleteWaiver.run(key.studentNo, key.stepId);
    return;
  }
  const row = {
    lifted: server?.lifted ?? 0,
    note: server?.note ?? '',
    version: server?.version ?? 0,
    updatedAt: server?.updated_at ?? '',
    updatedBy: server?.updated_by ?? '',
  };
  for (const op of ops) {
    row.lifted = op.kind === 'lift' ? 1 : 0;
    row.note = (JSON.parse(op.args) as { note: string }).note;
    row.version += 1;
    row.updatedAt = op.client_time;
    row.updatedBy = op.operator_id;
  }
  stmts.writeWaiver.run(key.studentNo, key.stepId, row.lifted, row.note, row.version, row.updatedAt, row.updatedBy);
}

/** Recomputes the local view of these keys from the server rows and the pending ops. Call inside a transaction. */
export function rebuildLocalView(sqlite: Database.Database, batch: BatchIndex, states: Iterable<StepKey>, waivers: Iterable<StepKey>): void {
  const stmts = statements(sqlite);
  const nameOf = operatorNames(sqlite);
  for (const key of states) rebuildState(stmts, batch, key, nameOf);
  for (const key of waivers) rebuildWaiver(stmts, key);
}

function storeStudent(stmts: Statements, r: StudentRow): void {
  const id = replicaIdFields(r);
  const fields = [
    r.name, r.gender, r.college, r.major, r.className, r.dorm, id.idHash, id.idMasked, r.idLast6, r.isPrevious ? 1 : 0, JSON.stringify(r.flags),
    r.inScope ? 1 : 0, r.withdrawnReason,
  ];
  if (stmts.updateStudent.run(...fields, r.studentNo).changes === 0) stmts.insertStudent.run(r.studentNo, ...fields);
}

function storeState(stmts: Statements, r: StateRow): void {
  stmts.upsertServerState.run(r.studentNo, r.stepId, r.status, r.note, r.version, r.updatedAt, r.updatedBy, r.updatedByName, r.lastOpId);
}

function storeWaiver(stmts: Statements, r: WaiverRow): void {
  stmts.upsertServerWaiver.run(r.studentNo, r.stepId, r.lifted ? 1 : 0, r.note, r.version, r.updatedAt, r.updatedBy, r.lastOpId);
}

function storeConflict(stmts: Statements, r: ConflictRow): void {
  stmts.upsertConflict.run(r.id, r.kind, r.studentNo, r.stepId, r.winningOpId, r.flaggedOpId, r.detail, r.resolved ? 1 : 0, r.resolvedBy, r.resolvedAt);
}

class KeySet {
  private readonly map = new Map<string, StepKey>();
  add(studentNo: string, stepId: string): void {
    this.map.set(`${studentNo}\u0000${stepId}`, { studentNo, stepId });
  }
  values(): Iterable<StepKey> {
    return this.map.values();
  }
}

export interface PulledPage {
  rows: readonly SyncRow[];
  cursor: number;
  serverSeq: number;
}

/**
 * Stores one page of pulled rows and its cursor in one transaction, then rebuilds the local
 * view of every key it touched. Returns the students whose rows changed, for the change feed.
 */
export function applyPulledPage(sqlite: Database.Database, batch: BatchIndex, page: PulledPage, at: string): string[] {
  const stmts = statements(sqlite);
  const states = new KeySet();
  const waivers = new KeySet();
  const touched = new Set<string>();
  sqlite
    .transaction(() => {
      // Students first: a state row of a student new in this page needs the student's flags.
      for (const row of page.rows) {
        if (row.type !== 'student') continue;
        storeStudent(stmts, row);
        touched.add(row.studentNo);
        // Flags decide which steps are 'na', so every step of the student is rebuilt.
        for (const { step } of batch.steps) states.add(row.studentNo, step.id);
      }
      const acks = [];
      for (const row of page.rows) {
        switch (row.type) {
          case 'state':
            storeState(stmts, row);
            states.add(row.studentNo, row.stepId);
            touched.add(row.studentNo);
            break;
          case 'waiver':
            storeWaiver(stmts, row);
            waivers.add(row.studentNo, row.stepId);
            touched.add(row.studentNo);
            break;
          case 'conflict':
            storeConflict(stmts, row);
            touched.add(row.studentNo);
            break;
          case 'op':
            acks.push(row);
            break;
          case 'student':
            break;
        }
      }
      for (const key of recordAcks(sqlite, acks, at)) {
        (key.kind === 'lift' || key.kind === 'impose' ? waivers : states).add(key.studentNo, key.stepId);
        touched.add(key.studentNo);
      }
      rebuildLocalView(sqlite, batch, states.values(), waivers.values());
      stmts.saveCursor.run(page.cursor, page.serverSeq, at);
    })
    .immediate();
  return [...touched];
}

/**
 * Removes students the replica may no longer hold, with their local view, server rows and
 * conflicts. Their ops stay in the outbox: they are still sent, and what the server decides of
 * them is still shown. Call inside a transaction.
 */
export function dropStudents(sqlite: Database.Database, studentNos: readonly string[]): void {
  const statements = ['step_states', 'waivers', 'server_step_states', 'server_waivers', 'conflicts', 'students'].map((table) =>
    sqlite.prepare(`delete from ${table} where student_no = ?`),
  );
  for (const no of studentNos) for (const statement of statements) statement.run(no);
}
