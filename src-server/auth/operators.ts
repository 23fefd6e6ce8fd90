import { eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../db/database';
import { grants, operators } from '../db/schema';
import type { OperatorScope } from '../apply/apply-op';
import { hashPassword, needsRehash, verifyNobody, verifyPassword } from './passwords';

/** The operators with these 工号, each with their grants. */
export async function loadOperatorScopes(exec: Executor, operatorNos: string[]): Promise<Map<string, OperatorScope>> {
  const result = new Map<string, OperatorScope>();
  if (operatorNos.length === 0) return result;
  const rows = await exec.select().from(operators).where(inArray(operators.operatorNo, operatorNos));
  const grantRows = await exec.select().from(grants).where(inArray(grants.operatorNo, operatorNos));
  for (const row of rows) {
    result.set(row.operatorNo, { operatorNo: row.operatorNo, name: row.name, grants: [], disabled: row.disabled, passwordVersion: row.passwordVersion });
  }
  for (const g of grantRows) result.get(g.operatorNo)?.grants.push({ checkpointId: g.checkpointId, colleges: g.colleges });
  return result;
}

/**
 * The operator when 工号 and password match; null otherwise (in the same time either way). A
 * hash of a lower cost than new ones get is replaced on the way, keeping the password version:
 * the password is the same, so counters' cached records stay valid.
 */
export async function checkCredentials(exec: Executor, operatorNo: string, password: string): Promise<OperatorScope | null> {
  const [row] = await exec.select().from(operators).where(eq(operators.operatorNo, operatorNo));
  if (!row) return verifyNobody(password).then(() => null);
  if (!(await verifyPassword(password, row.passwordHash))) return null;
  if (needsRehash(row.passwordHash)) {
    const upgraded = await hashPassword(password);
    // Only if nobody set a new password meanwhile.
    await exec
      .update(operators)
      .set({ passwordHash: upgraded })
      .where(sql`${operators.operatorNo} = ${operatorNo} and ${operators.passwordHash} = ${row.passwordHash}`);
  }
  return (await loadOperatorScopes(exec, [operatorNo])).get(operatorNo) ?? null;
}

/**
 * The one way a new password is stored (CLI, console reset, the operator's own change): the
 * version goes up, so counters drop the old password from their offline sign-in at the next sync.
 * Hash it first (slow), outside any transaction: `hashPassword`. Returns the name, or null for an unknown 工号.
 */
export async function storeNewPassword(exec: Executor, operatorNo: string, passwordHash: string): Promise<{ name: string } | null> {
  const [updated] = await exec
    .update(operators)
    .set({ passwordHash, passwordVersion: sql`${operators.passwordVersion} + 1` })
    .where(eq(operators.operatorNo, operatorNo))
    .returning({ name: operators.name });
  return updated ?? null;
}
