import type Database from 'better-sqlite3';
import { v7 as uuidv7 } from 'uuid';
import type { Op, OpKind } from '../../src-shared/contract/ops';
import { accessRefusal, checkActions, checkLift, type Refusal, type WaiverRefusal } from '../../src-shared/domain/actions';
import type { StepStatus } from '../../src-shared/domain/types';
import { refusalMessage } from '../../src-shared/i18n/zh-CN';
import type { Replica } from '../db/open';
import { sessionTokenAt, type ReplicaSession } from '../db/session-store';
import { messages } from './messages';
import { grantFor } from './session';
import { gateInput, STUDENT_COLUMNS, toStudent, type StateRow, type StudentRow, type WaiverRow } from './student-store';

/** One thing an operator wants done to one (student, step). */
export interface MutationRequest {
  kind: OpKind;
  studentNo: string;
  stepId: string;
  note?: string;
}

export type MutationRefusalReason =
  | Refusal
  | WaiverRefusal
  | { code: 'already_lifted' }
  | { code: 'not_lifted' }
  | { code: 'unknown_student' }
  | { code: 'unknown_step' }
  /** The operator holds no grant for the step's checkpoint at all. */
  | { code: 'no_grant' };

export interface MutationRefusal {
  /** Position of the request in the list given. */
  index: number;
  request: MutationRequest;
  reason: MutationRefusalReason;
  /** Chinese, ready to show or to write into a rejected-rows file. */
  message: string;
}

export interface MutationResult {
  /** The ops written to the outbox, in deviceSeq order; empty when anything was refused under 'rollback'. */
  ops: Op[];
  refusals: MutationRefusal[];
}

export interface MutationOptions {
  now?: () => Date;
  /**
   * 'rollback' (default): one refusal and nothing is written. 'skip': the refused requests are
   * reported and the others written, still in one transaction (class/dorm batches, Excel import).
   */
  onRefusal?: 'rollback' | 'skip';
}

const TARGET_STATUS: Record<'pass' | 'reject' | 'revoke', StepStatus> = { pass: 'passed', reject: 'rejected', revoke: 'pending' };

class RolledBack extends Error {}

function statements(sqlite: Database.Database) {
  return {
    student: sqlite.prepare(`select ${STUDENT_COLUMNS} from students s where s.student_no = ?`),
    states: sqlite.prepare('select * from step_states where student_no = ?'),
    waivers: sqlite.prepare('select * from waivers where student_no = ?'),
    lastSeq: sqlite.prepare('select coalesce(max(device_seq), 0) as seq from outbox'),
    updateState: sqlite.prepare(
      `update step_states set status = ?, note = ?, version = version + 1, updated_at = ?, updated_by = ?, updated_by_name = ?
       where student_no = ? and step_id = ?`,
    ),
    upsertWaiver: sqlite.prepare(
      `insert into waivers (student_no, step_id, lifted, note, version, updated_at, updated_by) values (?, ?, ?, ?, 1, ?, ?)
       on conflict (student_no, step_id) do update set lifted = excluded.lifted, note = excluded.note,
         version = waivers.version + 1, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    ),
    insertOp: sqlite.prepare(
      `insert into outbox (device_seq, op_id, device_id, operator_id, kind, student_no, step_id, args, base_version, client_time, session)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertAudit: sqlite.prepare(
      `insert into audit_log (op_id, at, operator_id, kind, student_no, step_id, from_status, to_status, note)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
  };
}

type Statements = ReturnType<typeof statements>;

function refusalText(replica: Replica, request: MutationRequest, reason: MutationRefusalReason): string {
  switch (reason.code) {
    case 'unknown_student':
      return messages.studentNotFound(request.studentNo);
    case 'unknown_step':
      return messages.stepNotFound(request.stepId);
    case 'already_lifted':
    case 'not_lifted':
    case 'not_gating':
      return messages.waiver[reason.code];
    case 'no_grant': {
      const { checkpoint, step } = replica.batch.step(request.stepId);
      return messages.noGrant(checkpoint.name, step.name);
    }
    default:
      if (request.kind === 'lift' || request.kind === 'impose') return messages.waiver[reason.code as WaiverRefusal['code']];
      return refusalMessage(reason as Refusal);
  }
}

interface Decision {
  refusal: MutationRefusalReason | null;
  state?: StateRow;
  waiver?: WaiverRow;
}

/** The shared rules, re-checked against the rows as they are inside the write transaction. */
function decide(replica: Replica, stmts: Statements, session: ReplicaSession, request: MutationRequest): Decision {
  const { batch } = replica;
  if (!batch.hasStep(request.stepId)) return { refusal: { code: 'unknown_step' } };
  const row = stmts.student.get(request.studentNo) as StudentRow | undefined;
  if (!row) return { refusal: { code: 'unknown_student' } };
  const states = stmts.states.all(request.studentNo) as StateRow[];
  const waivers = stmts.waivers.all(request.studentNo) as WaiverRow[];
  const student = toStudent(row);
  const input = gateInput(student, states, waivers);
  const { checkpoint } = batch.step(request.stepId);
  const grant = grantFor(session, checkpoint.id);
  if (!grant) return { refusal: { code: 'no_grant' } };
  const access = accessRefusal(grant, checkpoint, { college: student.college, withdrawnReason: row.withdrawn_reason });
  const state = states.find((s) => s.step_id === request.stepId);
  const waiver = waivers.find((w) => w.step_id === request.stepId);
  const note = (request.note ?? '').trim();
  switch (request.kind) {
    case 'pass':
    case 'reject':
    case 'revoke': {
      const refusal = checkActions(batch, input, request.stepId, access)[request.kind];
      if (refusal) return { refusal, state };
      if (request.kind !== 'pass' && note === '') return { refusal: { code: 'reason_required' }, state };
      return { refusal: null, state };
    }
    case 'lift': {
      if (access) return { refusal: access, waiver };
      const refusal = checkLift(batch, input, request.stepId);
      if (refusal) return { refusal, waiver };
      return { refusal: waiver?.lifted === 1 ? { code: 'already_lifted' } : null, waiver };
    }
    case 'impose':
      if (access) return { refusal: access, waiver };
      return { refusal: waiver?.lifted === 1 ? null : { code: 'not_lifted' }, waiver };
  }
}

/**
 * THE mutation path: every local change to step states and waivers goes through here. In one
 * write transaction it re-checks each request, updates the row (version + 1), appends the op to
 * the outbox with the next gapless deviceSeq and writes the audit row; subscribers hear of it
 * only after the commit.
 */
export function applyMany(
  replica: Replica,
  session: ReplicaSession,
  requests: readonly MutationRequest[],
  options: MutationOptions = {},
): MutationResult {
  const stmts = statements(replica.sqlite);
  const clientTime = (options.now?.() ?? new Date()).toISOString();
  const ops: Op[] = [];
  const refusals: MutationRefusal[] = [];
  const run = replica.sqlite.transaction(() => {
    let seq = (stmts.lastSeq.get() as { seq: number }).seq;
    requests.forEach((request, index) => {
      const { refusal, state, waiver } = decide(replica, stmts, session, request);
      if (refusal) {
        refusals.push({ index, request, reason: refusal, message: refusalText(replica, request, refusal) });
        return;
      }
      const note = (request.note ?? '').trim();
      const op: Op = {
        opId: uuidv7(),
        deviceId: session.deviceId,
        deviceSeq: ++seq,
        operatorId: session.operator.id,
        kind: request.kind,
        studentNo: request.studentNo,
        stepId: request.stepId,
        args: { note },
        base: { version: (request.kind === 'lift' || request.kind === 'impose' ? waiver?.version : state?.version) ?? 0 },
        clientTime,
        session: sessionTokenAt(session, clientTime),
      };
      let from: string | null = null;
      let to: string | null = null;
      if (request.kind === 'lift' || request.kind === 'impose') {
        const lifted = request.kind === 'lift';
        stmts.upsertWaiver.run(op.studentNo, op.stepId, lifted ? 1 : 0, note, clientTime, op.operatorId);
      } else {
        from = state?.status ?? null;
        to = TARGET_STATUS[request.kind];
        stmts.updateState.run(to, note, clientTime, op.operatorId, session.operator.name, op.studentNo, op.stepId);
      }
      stmts.insertOp.run(
        op.deviceSeq,
        op.opId,
        op.deviceId,
        op.operatorId,
        op.kind,
        op.studentNo,
        op.stepId,
        JSON.stringify(op.args),
        op.base.version,
        op.clientTime,
        op.session,
      );
      stmts.insertAudit.run(op.opId, clientTime, op.operatorId, op.kind, op.studentNo, op.stepId, from, to, note);
      ops.push(op);
    });
    if (refusals.length > 0 && (options.onRefusal ?? 'rollback') === 'rollback') throw new RolledBack();
  });
  try {
    run.immediate();
  } catch (e) {
    if (!(e instanceof RolledBack)) throw e;
    return { ops: [], refusals };
  }
  replica.changes.emit({ type: 'changed', studentNos: [...new Set(ops.map((o) => o.studentNo))], source: 'local' });
  return { ops, refusals };
}

/** All or nothing: the path behind steps.apply. */
export function applyOps(
  replica: Replica,
  session: ReplicaSession,
  requests: readonly MutationRequest[],
  options: Omit<MutationOptions, 'onRefusal'> = {},
): MutationResult {
  return applyMany(replica, session, requests, { ...options, onRefusal: 'rollback' });
}
