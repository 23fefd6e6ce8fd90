import { eq, inArray } from 'drizzle-orm';
import type { Executor } from '../db/database';
import { grants, operators } from '../db/schema';
import type { OperatorScope } from '../apply/apply-op';
import { verifyNobody, verifyPassword } from './passwords';

/** The operators with these 工号, each with their grants. */
export async function loadOperatorScopes(exec: Executor, operatorNos: string[]): Promise<Map<string, OperatorScope>> {
  const result = new Map<string, OperatorScope>();
  if (operatorNos.length === 0) return result;
  const rows = await exec.select().from(operators).where(inArray(operators.operatorNo, operatorNos));
  const grantRows = await exec.select().from(grants).where(inArray(grants.operatorNo, operatorNos));
  for (const row of rows) result.set(row.operatorNo, { operatorNo: row.operatorNo, name: row.name, grants: [], disabled: row.disabled });
  for (const g of grantRows) result.get(g.operatorNo)?.grants.push({ checkpointId: g.checkpointId, colleges: g.colleges });
  return result;
}

/** The operator when 工号 and password match; null otherwise (in the same time either way). */
export async function checkCredentials(exec: Executor, operatorNo: string, password: string): Promise<OperatorScope | null> {
  const [row] = await exec.select().from(operators).where(eq(operators.operatorNo, operatorNo));
  if (!row) return verifyNobody(password).then(() => null);
  if (!(await verifyPassword(password, row.passwordHash))) return null;
  return (await loadOperatorScopes(exec, [operatorNo])).get(operatorNo) ?? null;
}

