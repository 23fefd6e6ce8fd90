import { z } from 'zod';

/**
 * An operation: one human (or integration) action on one (student, step). Counters write ops
 * to their outbox in the same transaction as the local change; the server applies each once.
 */
export const OP_KINDS = ['pass', 'reject', 'revoke', 'lift', 'impose'] as const;
export type OpKind = (typeof OP_KINDS)[number];

export const opSchema = z.object({
  /** UUIDv7: time-ordered, unique across devices. */
  opId: z.uuid(),
  deviceId: z.string().min(1),
  /** Gapless per device, from 1. */
  deviceSeq: z.number().int().positive(),
  operatorId: z.string().min(1),
  kind: z.enum(OP_KINDS),
  studentNo: z.string().min(1),
  stepId: z.string().min(1),
  args: z.object({ note: z.string().max(500).default('') }),
  /** The step-state version the operator saw; a stale base reveals a concurrent change. */
  base: z.object({ version: z.number().int().min(0) }),
  clientTime: z.string(),
});
export type Op = z.infer<typeof opSchema>;

/** What became of an op. Every op is stored with its outcome; none is dropped. */
export const OP_OUTCOMES = ['applied', 'conflict', 'rejected'] as const;
export type OpOutcome = (typeof OP_OUTCOMES)[number];
