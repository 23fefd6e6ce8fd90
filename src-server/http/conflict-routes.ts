import { and, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { inScope } from '../../src-shared/domain/actions';
import { resolveConflictRequestSchema, type ConflictRow } from '../../src-shared/contract/sync';
import { conflicts, students } from '../db/schema';
import { conflictRow } from '../sync/rows';
import { lockWrites, nextSeq } from '../sync/seq';
import { position } from '../sync/history';
import type { ServerContext } from './context';
import { requireDevice } from './device-auth-hook';
import { HttpError, parseInput } from './http-error';

const params = z.object({ id: z.coerce.number({ error: '冲突编号必须是数字' }).int().positive({ error: '冲突编号必须是正整数' }) });

export function registerConflictRoutes(app: FastifyInstance, ctx: ServerContext): void {
  /** A supervisor of the step's checkpoint marks a conflict as dealt with; the change syncs. */
  app.post('/api/conflicts/:id/resolve', async (request): Promise<ConflictRow> => {
    const device = await requireDevice(ctx.db, request);
    const { id } = parseInput(params, request.params, '地址');
    const { operatorNo } = parseInput(resolveConflictRequestSchema, request.body, '请求');
    const operator = device.operators.get(operatorNo);
    if (!operator) throw new HttpError(403, 'forbidden', `操作员 ${operatorNo} 没有在此设备上登录`);
    const batch = await ctx.batches.get(ctx.db, device.batchId);
    if (!batch) throw new Error(`device ${device.id} belongs to missing batch ${device.batchId}`);
    const { row, at } = await ctx.db.transaction(async (tx) => {
      await lockWrites(tx);
      const [conflict] = await tx.select().from(conflicts).where(and(eq(conflicts.id, id), eq(conflicts.batchId, batch.id)));
      if (!conflict) throw new HttpError(404, 'not_found', `没有编号为 ${id} 的冲突记录`);
      if (conflict.resolved) throw new HttpError(409, 'conflict', `该冲突已由 ${conflict.resolvedBy} 于 ${conflict.resolvedAt} 处理`);
      const [student] = await tx
        .select({ college: students.college })
        .from(students)
        .where(and(eq(students.batchId, batch.id), eq(students.studentNo, conflict.studentNo)));
      const { checkpoint } = batch.index.step(conflict.stepId);
      const grant = operator.grants.find((g) => g.checkpointId === checkpoint.id);
      if (!student || !grant || !inScope(grant, checkpoint, student)) {
        throw new HttpError(403, 'forbidden', `只有「${checkpoint.name}」负责该学生的操作员可以处理此冲突`);
      }
      const [updated] = await tx
        .update(conflicts)
        .set({ resolved: true, resolvedBy: operator.name, resolvedAt: new Date().toISOString(), seq: await nextSeq(tx) })
        .where(eq(conflicts.id, id))
        .returning();
      return { row: updated!, at: await position(tx) };
    });
    ctx.notifier.committed(at);
    return conflictRow(row);
  });
}
