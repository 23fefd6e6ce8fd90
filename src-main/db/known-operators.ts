import type Database from 'better-sqlite3';
import { z } from 'zod';
import { grantSchema } from '../../src-shared/contract/sync';
import type { Grant } from '../../src-shared/domain/actions';
// The server's scrypt format, so both sides check passwords alike; it needs node:crypto, which
// keeps it out of src-shared (the renderer imports from there).
import { hashPassword, verifyPassword } from '../../src-server/auth/passwords';
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
});
const knownOperatorsSchema = z.record(z.string(), knownOperatorSchema);
type KnownOperators = z.infer<typeof knownOperatorsSchema>;

export interface KnownOperator {
  operator: { id: string; name: string };
  grants: Grant[];
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
export function rememberOperator(sqlite: Database.Database, known: KnownOperator, passwordHash: string, at: string): void {
  const all = readAll(sqlite);
  all[known.operator.id] = { name: known.operator.name, grants: known.grants, passwordHash, signedInAt: at };
  writeMeta(sqlite, 'knownOperators', JSON.stringify(all));
}

export type OfflineCheck = { ok: true; known: KnownOperator } | { ok: false; reason: 'unknown' | 'wrong_password' };

/** Checks a password against the hash of the operator's last sign-in on this counter. */
export async function checkKnownOperator(sqlite: Database.Database, operatorNo: string, password: string): Promise<OfflineCheck> {
  const entry = readAll(sqlite)[operatorNo];
  if (!entry) return { ok: false, reason: 'unknown' };
  if (!(await verifyPassword(password, entry.passwordHash))) return { ok: false, reason: 'wrong_password' };
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
