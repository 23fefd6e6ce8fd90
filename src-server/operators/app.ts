import { and, eq, ilike, or } from 'drizzle-orm';
import type { OperatorView } from '../../src-shared/contract/console-api';
import type { Executor } from '../db/database';
import { consoleRoles, grants, operators, students } from '../db/schema';
import { addOperator, grantCheckpoint } from '../admin/operators';
import { AdminError } from '../admin/admin-error';
import { listBatches } from '../admin/batches';
import { hashPassword } from '../auth/passwords';
import { storeNewPassword } from '../auth/operators';
import { HttpError } from '../http/http-error';
import { endSessionsOf } from '../console-auth/sessions';
import { recordConsoleChange } from '../console/console-log';
import { signedIn, type ConsoleContext, type HandlerMap } from '../console/handler-map';

type OperatorMethods =
  | 'operators.list'
  | 'operators.create'
  | 'operators.setDisabled'
  | 'operators.resetPassword'
  | 'operators.grant'
  | 'operators.revokeGrant';

/** Checkpoint names by id over every batch (a checkpoint id means the same desk in each). */
async function checkpointNames(exec: Executor): Promise<Map<string, { name: string; scope: 'school' | 'college' }>> {
  const names = new Map<string, { name: string; scope: 'school' | 'college' }>();
  for (const b of await listBatches(exec)) for (const c of b.definition.checkpoints) if (!names.has(c.id)) names.set(c.id, { name: c.name, scope: c.scope });
  return names;
}

async function readOperators(exec: Executor, query?: string, only?: string): Promise<OperatorView[]> {
  const text = query?.trim();
  const filters = [
    text ? or(ilike(operators.operatorNo, `%${text}%`), ilike(operators.name, `%${text}%`)) : undefined,
    only !== undefined ? eq(operators.operatorNo, only) : undefined,
  ];
  const rows = await exec
    .select({ operatorNo: operators.operatorNo, name: operators.name, disabled: operators.disabled, createdAt: operators.createdAt, role: consoleRoles.role })
    .from(operators)
    .leftJoin(consoleRoles, eq(consoleRoles.operatorNo, operators.operatorNo))
    .where(and(...filters))
    .orderBy(operators.operatorNo)
    .limit(500);
  const names = await checkpointNames(exec);
  const grantRows = await exec.select().from(grants);
  const byOperator = new Map<string, OperatorView['grants']>();
  for (const g of grantRows) {
    const list = byOperator.get(g.operatorNo) ?? [];
    list.push({ checkpointId: g.checkpointId, checkpointName: names.get(g.checkpointId)?.name ?? g.checkpointId, colleges: g.colleges });
    byOperator.set(g.operatorNo, list);
  }
  return rows.map((r) => ({
    operatorNo: r.operatorNo,
    name: r.name,
    disabled: r.disabled,
    role: r.role ?? 'operator',
    createdAt: r.createdAt,
    grants: byOperator.get(r.operatorNo) ?? [],
  }));
}

async function oneOperator(exec: Executor, operatorNo: string): Promise<OperatorView> {
  const [found] = await readOperators(exec, undefined, operatorNo);
  if (!found) throw new HttpError(404, 'not_found', `没有工号为 "${operatorNo}" 的操作员`);
  return found;
}

/** Turns the shared admin functions' refusals into 400s with their Chinese message. */
async function asRequest<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof AdminError) throw new HttpError(400, 'bad_request', [e.message, ...e.problems].join('；'));
    throw e;
  }
}

function collegesText(colleges: 'all' | string[]): string {
  return colleges === 'all' ? '全部学院' : colleges.join('、');
}

/** 人员: operators and their grants. Each change and its 操作日志 line commit together. */
export function operatorsApp(ctx: ConsoleContext): HandlerMap<OperatorMethods> {
  const { db } = ctx.server;
  return {
    'operators.list': async (input) => {
      const names = await checkpointNames(db);
      const colleges = new Set<string>();
      for (const row of await db.selectDistinct({ college: students.college }).from(students)) colleges.add(row.college);
      return {
        operators: await readOperators(db, input.query),
        checkpoints: [...names.entries()].map(([id, c]) => ({ id, ...c })),
        colleges: [...colleges].sort((a, b) => a.localeCompare(b, 'zh-CN')),
      };
    },

    'operators.create': async (input, call) => {
      const by = signedIn(call).operatorNo;
      const [existing] = await db.select({ no: operators.operatorNo }).from(operators).where(eq(operators.operatorNo, input.operatorNo));
      if (existing) throw new HttpError(409, 'conflict', `工号 ${input.operatorNo} 已存在，请在列表中找到此人修改`);
      // write: operators + console_log, one transaction
      return db.transaction(async (tx) => {
        await asRequest(() => addOperator(tx, input.operatorNo, input.name, input.password));
        await recordConsoleChange(tx, by, '添加操作员', `${input.operatorNo} ${input.name}`);
        return oneOperator(tx, input.operatorNo);
      });
    },

    'operators.setDisabled': async (input, call) => {
      const by = signedIn(call).operatorNo;
      if (input.operatorNo === by && input.disabled) throw new HttpError(400, 'bad_request', '不能停用自己的账号');
      // write: operators.disabled + console_sessions (signed out) + console_log, one transaction
      return db.transaction(async (tx) => {
        const updated = await tx.update(operators).set({ disabled: input.disabled }).where(eq(operators.operatorNo, input.operatorNo)).returning({ name: operators.name });
        if (updated.length === 0) throw new HttpError(404, 'not_found', `没有工号为 "${input.operatorNo}" 的操作员`);
        if (input.disabled) await endSessionsOf(tx, input.operatorNo);
        await recordConsoleChange(tx, by, input.disabled ? '停用操作员' : '启用操作员', `${input.operatorNo} ${updated[0]!.name}`);
        return oneOperator(tx, input.operatorNo);
      });
    },

    'operators.resetPassword': async (input, call) => {
      const by = signedIn(call).operatorNo;
      const passwordHash = await hashPassword(input.password);
      // write: operators.password_hash + console_sessions (signed out) + console_log, one transaction
      await db.transaction(async (tx) => {
        const updated = await storeNewPassword(tx, input.operatorNo, passwordHash);
        if (!updated) throw new HttpError(404, 'not_found', `没有工号为 "${input.operatorNo}" 的操作员`);
        await endSessionsOf(tx, input.operatorNo);
        await recordConsoleChange(tx, by, '重置密码', `${input.operatorNo} ${updated.name}`);
      });
      return { ok: true };
    },

    'operators.grant': async (input, call) => {
      const by = signedIn(call).operatorNo;
      // write: grants + console_log, one transaction
      return db.transaction(async (tx) => {
        const colleges = await asRequest(() => grantCheckpoint(tx, input.operatorNo, input.checkpointId, input.colleges));
        const name = (await checkpointNames(tx)).get(input.checkpointId)?.name ?? input.checkpointId;
        await recordConsoleChange(tx, by, '授权离校点', `${input.operatorNo}：${name}（${collegesText(colleges)}）`);
        return oneOperator(tx, input.operatorNo);
      });
    },

    'operators.revokeGrant': async (input, call) => {
      const by = signedIn(call).operatorNo;
      // write: grants (row removed) + console_log, one transaction
      return db.transaction(async (tx) => {
        const removed = await tx
          .delete(grants)
          .where(and(eq(grants.operatorNo, input.operatorNo), eq(grants.checkpointId, input.checkpointId)))
          .returning({ colleges: grants.colleges });
        if (removed.length === 0) throw new HttpError(404, 'not_found', `${input.operatorNo} 没有离校点 "${input.checkpointId}" 的授权`);
        const name = (await checkpointNames(tx)).get(input.checkpointId)?.name ?? input.checkpointId;
        await recordConsoleChange(tx, by, '收回授权', `${input.operatorNo}：${name}`);
        return oneOperator(tx, input.operatorNo);
      });
    },
  };
}
