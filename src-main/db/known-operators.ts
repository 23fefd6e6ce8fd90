import type Database from 'better-sqlite3';
import { z } from 'zod';
import { grantSchema, type DeviceOperator } from '../../src-shared/contract/sync';
import type { Grant } from '../../src-shared/domain/actions';
// The server's scrypt format, so both sides check passwords alike; it needs node:crypto, which
// keeps it out of src-shared (the renderer imports from there).
import { hashPassword, needsRehash, verifyPassword } from '../../src-server/auth/passwords';
import { readMeta, writeMeta } from './meta';

/**
 * Operators who signed in on this counter while the server could be reached, so that at a
 * shift change without network the next operator can still sign in. Only a scrypt hash of the
 * password is kept (the server's format, random salt), with the grants the server named then.
 */

const knownOperatorSchema = z.object({
  name: z.string(),
  grants: z.array(grantSchema),
  passwordHash: z.string(),
  signedInAt: z.string(),
  /** The server's password version at that sign-in; absent in records of older builds, which the next sync drops. */
  passwordVersion: z.number().int().optional(),
});
const knownOperatorsSchema = z.record(z.string(), knownOperatorSchema);
type KnownOperators = z.infer<typeof knownOperatorsSchema>;

export interface KnownOperator {
  operator: { id: string; name: string };
  grants: Grant[];
}

/** What an online sign-in tells of the operator beyond name and grants. */
export interface ConfirmedPassword {
  passwordHash: string;
  passwordVersion: number;
}

function readAll(sqlite: Database.Database): KnownOperators {
  const stored = readMeta(sqlite, 'knownOperators');
  if (!stored) return {};
  // A damaged record only costs offline sign-in, which then needs the network once more.
  try {
    const parsed = knownOperatorsSchema.safeParse(JSON.parse(stored));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** The hash is slow on purpose: compute it before the write transaction that stores it. */
export function passwordRecord(password: string): Promise<string> {
  return hashPassword(password);
}

/** Stores (or refreshes) an operator after a sign-in the server confirmed. Call inside the session's transaction. */
export function rememberOperator(sqlite: Database.Database, known: KnownOperator, password: ConfirmedPassword, at: string): void {
  const all = readAll(sqlite);
  all[known.operator.id] = { name: known.operator.name, grants: known.grants, ...password, signedInAt: at };
  writeMeta(sqlite, 'knownOperators', JSON.stringify(all));
}

/**
 * The server's word on the operators admitted to this device (every pull): names and grants
 * follow it, and an operator who is disabled, no longer admitted, or has a newer password than
 * the one recorded here (or a record without a version) can no longer sign in offline until
 * they sign in online again. Returns whether anything changed. Call inside the pull's transaction.
 */
export function followServerOperators(sqlite: Database.Database, operators: readonly DeviceOperator[], batch: { hasCheckpoint(id: string): boolean }): boolean {
  const all = readAll(sqlite);
  const byId = new Map(operators.map((o) => [o.id, o]));
  let changed = false;
  for (const [id, entry] of Object.entries(all)) {
    const server = byId.get(id);
    if (!server || server.disabled || entry.passwordVersion !== server.passwordVersion) {
      delete all[id];
      changed = true;
      continue;
    }
    const grants = server.grants.filter((g) => batch.hasCheckpoint(g.checkpointId));
    if (entry.name !== server.name || JSON.stringify(entry.grants) !== JSON.stringify(grants)) {
      all[id] = { ...entry, name: server.name, grants };
      changed = true;
    }
  }
  if (changed) writeMeta(sqlite, 'knownOperators', JSON.stringify(all));
  return changed;
}

export type OfflineCheck = { ok: true; known: KnownOperator } | { ok: false; reason: 'unknown' | 'wrong_password' };

/**
 * Checks a password against the hash of the operator's last sign-in on this counter. A hash of
 * a lower cost than new ones get (an older build's) is replaced by one at today's cost.
 */
export async function checkKnownOperator(sqlite: Database.Database, operatorNo: string, password: string): Promise<OfflineCheck> {
  const entry = readAll(sqlite)[operatorNo];
  if (!entry) return { ok: false, reason: 'unknown' };
  if (!(await verifyPassword(password, entry.passwordHash))) return { ok: false, reason: 'wrong_password' };
  if (needsRehash(entry.passwordHash)) {
    const upgraded = await hashPassword(password);
    sqlite
      .transaction(() => {
        // Re-read: a sync may have changed or dropped the record while the hash was computed.
        const all = readAll(sqlite);
        if (all[operatorNo]?.passwordHash !== entry.passwordHash) return;
        all[operatorNo] = { ...all[operatorNo], passwordHash: upgraded };
        writeMeta(sqlite, 'knownOperators', JSON.stringify(all));
      })
      .immediate();
  }
  return { ok: true, known: { operator: { id: operatorNo, name: entry.name }, grants: entry.grants } };
}

/** Every grant of every operator who signed in here: what the server admitted to this device. */
export function knownGrants(sqlite: Database.Database): Grant[] {
  return Object.values(readAll(sqlite)).flatMap((entry) => entry.grants);
}

/** Names of operators who signed in here, for rows written by an earlier shift's pending ops. */
export function knownOperatorName(sqlite: Database.Database): (id: string) => string | undefined {
  const all = readAll(sqlite);
  return (id) => all[id]?.name;
}
