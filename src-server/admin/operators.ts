import { and, eq } from 'drizzle-orm';
import type { Executor } from '../db/database';
import { grants, operators } from '../db/schema';
import { hashPassword } from '../auth/passwords';
import { storeNewPassword } from '../auth/operators';
import { AdminError } from './admin-error';
import { listBatches } from './batches';
import { MIN_PASSWORD_LENGTH } from '../../src-shared/contract/console-api';

const OPERATOR_NO = /^[0-9A-Za-z_-]{1,32}$/;

/** Adds an operator, or sets the name and password of an existing one. */
export async function addOperator(exec: Executor, operatorNo: string, name: string, password: string): Promise<'added' | 'updated'> {
  if (!OPERATOR_NO.test(operatorNo)) throw new AdminError(`工号 "${operatorNo}" 无效：只能使用字母、数字、下划线和连字符，最多 32 位`);
  if (name.trim() === '') throw new AdminError('姓名不能为空');
  if (password.length < MIN_PASSWORD_LENGTH) throw new AdminError(`密码至少需要 ${MIN_PASSWORD_LENGTH} 位`);
  const passwordHash = await hashPassword(password);
  const [existing] = await exec.select({ no: operators.operatorNo }).from(operators).where(eq(operators.operatorNo, operatorNo));
  if (existing) {
    await exec.update(operators).set({ name: name.trim() }).where(eq(operators.operatorNo, operatorNo));
    await storeNewPassword(exec, operatorNo, passwordHash);
    return 'updated';
  }
  await exec.insert(operators).values({ operatorNo, name: name.trim(), passwordHash });
  return 'added';
}

/**
 * Grants a checkpoint. For a college checkpoint, `colleges` narrows it; granting again with more
 * colleges adds them, and granting without colleges widens it to every college.
 */
export async function grantCheckpoint(exec: Executor, operatorNo: string, checkpointId: string, colleges: string[]): Promise<'all' | string[]> {
  const [op] = await exec.select({ no: operators.operatorNo }).from(operators).where(eq(operators.operatorNo, operatorNo));
  if (!op) throw new AdminError(`没有工号为 "${operatorNo}" 的操作员，请先用 add-operator 添加`);
  const defining = (await listBatches(exec)).flatMap((b) => b.definition.checkpoints.filter((c) => c.id === checkpointId));
  if (defining.length === 0) throw new AdminError(`没有任何批次定义了离校点 "${checkpointId}"`);
  if (colleges.length > 0 && defining.every((c) => c.scope === 'school')) {
    throw new AdminError(`离校点 "${checkpointId}" 是全校离校点，不能按学院授权`);
  }
  const key = and(eq(grants.operatorNo, operatorNo), eq(grants.checkpointId, checkpointId));
  const [existing] = await exec.select().from(grants).where(key);
  let next: 'all' | string[];
  if (colleges.length === 0 || existing?.colleges === 'all') next = 'all';
  else next = [...new Set([...(existing?.colleges ?? []), ...colleges])].sort();
  if (existing) await exec.update(grants).set({ colleges: next }).where(key);
  else await exec.insert(grants).values({ operatorNo, checkpointId, colleges: next });
  return next;
}
