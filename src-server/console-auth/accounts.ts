import { eq } from 'drizzle-orm';
import type { ConsoleAccount } from '../../src-shared/contract/console-api';
import type { LeaderScope } from '../../src-shared/domain/console-roles';
import type { Executor } from '../db/database';
import { consoleRoles, operators } from '../db/schema';
import { AdminError } from '../admin/admin-error';

/** An operator as the console sees them: 管理员 or 领导查询 by role row, else 操作员. Null when unknown or disabled. */
export async function loadConsoleAccount(exec: Executor, operatorNo: string): Promise<ConsoleAccount | null> {
  const [row] = await exec
    .select({ operatorNo: operators.operatorNo, name: operators.name, disabled: operators.disabled, role: consoleRoles.role, scope: consoleRoles.scope })
    .from(operators)
    .leftJoin(consoleRoles, eq(consoleRoles.operatorNo, operators.operatorNo))
    .where(eq(operators.operatorNo, operatorNo));
  if (!row || row.disabled) return null;
  return { operatorNo: row.operatorNo, name: row.name, role: row.role ?? 'operator', scope: row.scope ?? { kind: 'school' } };
}

/**
 * Makes an operator a console 管理员 or 领导查询 (with its scope), or back to a plain 操作员.
 * Used by the CLI (`console-role`) and the demo seed; the first admin has to come from there.
 */
export async function setConsoleRole(exec: Executor, operatorNo: string, role: 'admin' | 'leader' | 'operator', scope: LeaderScope = { kind: 'school' }): Promise<void> {
  const [op] = await exec.select({ no: operators.operatorNo }).from(operators).where(eq(operators.operatorNo, operatorNo));
  if (!op) throw new AdminError(`没有工号为 "${operatorNo}" 的操作员，请先用 add-operator 添加`);
  if (role === 'operator') {
    await exec.delete(consoleRoles).where(eq(consoleRoles.operatorNo, operatorNo));
    return;
  }
  const stored = role === 'admin' ? ({ kind: 'school' } as const) : scope;
  await exec.insert(consoleRoles).values({ operatorNo, role, scope: stored }).onConflictDoUpdate({ target: consoleRoles.operatorNo, set: { role, scope: stored } });
}
