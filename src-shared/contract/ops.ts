import { z } from 'zod';
import { codePointLength, NOTE_MAX, repairText, textRuleMessage } from './text-rule';

/**
 * An operation: one human (or integration) action on one (student, step). Counters write ops
 * to their outbox in the same transaction as the local change; the server applies each once.
 */
export const OP_KINDS = ['pass', 'reject', 'revoke', 'lift', 'impose'] as const;
export type OpKind = (typeof OP_KINDS)[number];

/** PostgreSQL's integer: a sequence number or version past it could not be stored. */
const INT4_MAX = 2_147_483_647;

/**
 * The op's shape: what the server needs to place it in the device's sequence. Its text is
 * checked op by op with `opContentProblem`, so one op the server cannot store is refused
 * alone instead of refusing (and so blocking) the whole push.
 */
export const opSchema = z.object({
  /** UUIDv7: time-ordered, unique across devices. */
  opId: z.uuid(),
  deviceId: z.string().min(1),
  /** Gapless per device, from 1. */
  deviceSeq: z.number().int().positive().max(INT4_MAX),
  operatorId: z.string().min(1),
  kind: z.enum(OP_KINDS),
  studentNo: z.string().min(1),
  stepId: z.string().min(1),
  args: z.object({ note: z.string().default('') }),
  /** The step-state version the operator saw; a stale base reveals a concurrent change. */
  base: z.object({ version: z.number().int().min(0).max(INT4_MAX) }),
  clientTime: z.string(),
  /**
   * The session token of the operator's online sign-in on this device (POST /api/login or
   * /api/devices). Absent or null: made under an offline sign-in, and checked against the
   * operator's state on the server when it arrives.
   */
  session: z.string().min(1).max(128).nullish(),
});
export type Op = z.infer<typeof opSchema>;

const OP_TEXT_FIELDS = [
  ['operatorId', '工号'],
  ['studentNo', '学号'],
  ['stepId', '环节编号'],
] as const;

/** Why the server cannot store this op as it is (Chinese), or null. */
export function opContentProblem(op: Op): string | null {
  for (const [key, label] of OP_TEXT_FIELDS) {
    const message = textRuleMessage(label, op[key]);
    if (message) return message;
  }
  const noteMessage = textRuleMessage('备注', op.args.note);
  if (noteMessage) return noteMessage;
  if (codePointLength(op.args.note) > NOTE_MAX) return `备注不能超过 ${NOTE_MAX} 个字`;
  if (!z.iso.datetime({ offset: true }).safeParse(op.clientTime).success) return `操作时间「${repairText(op.clientTime).slice(0, 40)}」不是有效的时间`;
  return null;
}

/**
 * The op as it can be stored: text under the rule (repairText) and NFC. Identity for an op
 * that keeps the rule, so a retry compares equal to what was stored either way.
 */
export function storableOp(op: Op): Op {
  return {
    ...op,
    operatorId: repairText(op.operatorId),
    studentNo: repairText(op.studentNo),
    stepId: repairText(op.stepId),
    args: { note: repairText(op.args.note) },
    clientTime: repairText(op.clientTime),
  };
}

/** What became of an op. Every op is stored with its outcome; none is dropped. */
export const OP_OUTCOMES = ['applied', 'conflict', 'rejected'] as const;
export type OpOutcome = (typeof OP_OUTCOMES)[number];
