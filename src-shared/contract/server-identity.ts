import { z } from 'zod';
import { operatorNoField } from './text-rule';

/**
 * How a counter tells that an address reaches its own server (docs/sync-protocol.md, "Moving a
 * counter to a new address"). The server's id is the id of the history it began with: it stays
 * through restarts and through a restore from its own backup (which brings that history back),
 * and no other database has it.
 */

export const serverIdentitySchema = z.object({ id: z.string().min(1).max(100) });
export type ServerIdentity = z.infer<typeof serverIdentitySchema>;

/** GET /api/health: no credentials, nothing about students. */
export const healthResponseSchema = z.object({
  ok: z.literal(true),
  seq: z.number().int(),
  server: serverIdentitySchema,
});
export type HealthResponse = z.infer<typeof healthResponseSchema>;

/**
 * POST /api/server-move, with the device's token, sent to the new address: a supervisor allows
 * this counter to use it. Nothing changes on the server (besides the sign-in limits and the
 * console log); the answer confirms the server that holds this device's registration.
 */
export const serverMoveRequestSchema = z
  .object({
    operatorNo: operatorNoField,
    password: z.string().min(1, { error: '请输入密码' }).max(200, { error: '密码过长' }),
    /** The address as the counter will use it, for the console log. */
    serverUrl: z.string().max(200),
  })
  .strict();
export const serverMoveResponseSchema = z.object({
  server: serverIdentitySchema,
  operator: z.object({ id: z.string(), name: z.string() }),
});
export type ServerMoveResponse = z.infer<typeof serverMoveResponseSchema>;
