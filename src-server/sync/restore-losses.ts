import { and, asc, eq, inArray, notExists, sql } from 'drizzle-orm';
import type { RestoreLoss } from '../../src-shared/contract/sync';
import type { Db, Executor } from '../db/database';
import { apiKeys, ops, restoreLosses, serverHistory } from '../db/schema';

/**
 * What a restore dropped, as counters report it (POST /api/sync/restore-report): each lost op
 * once per history, whoever reports it first. An op the server holds again — its counter resent
 * it, or it was never lost (a newer change replaced it on the counter's row) — is not a loss:
 * it is left out when stored and again when listed, since counters resend their own ops after
 * the report of another counter.
 */

/** Who made a change, from the row's updatedBy: an integration key, the roster import, or an operator. */
function sourceOf(by: string, keyIds: ReadonlySet<string>): { kind: 'operator' | 'integration' | 'roster'; source: string } {
  if (by === 'roster') return { kind: 'roster', source: 'roster' };
  if (keyIds.has(by)) return { kind: 'integration', source: by };
  return { kind: 'operator', source: by };
}

export class UnknownHistory extends Error {
  constructor(id: string) {
    super(`服务器没有编号为 ${id} 的历史，无法记录恢复中丢失的办理记录；请先同步再报告`);
    this.name = 'UnknownHistory';
  }
}

/** Stores a counter's report; returns the losses the server really lacks, as reported. */
export async function storeRestoreReport(db: Db, deviceId: string, historyId: string, losses: readonly RestoreLoss[]): Promise<RestoreLoss[]> {
  return db.transaction(async (tx) => {
    const [history] = await tx.select({ id: serverHistory.id }).from(serverHistory).where(eq(serverHistory.id, historyId));
    if (!history) throw new UnknownHistory(historyId);
    const held = new Set<string>();
    const ids = [...new Set(losses.map((l) => l.opId))];
    for (let i = 0; i < ids.length; i += 5000) {
      const rows = await tx.select({ opId: ops.opId }).from(ops).where(inArray(ops.opId, ids.slice(i, i + 5000)));
      for (const r of rows) held.add(r.opId);
    }
    const lost = losses.filter((l) => !held.has(l.opId));
    const keyIds = new Set((await tx.select({ id: apiKeys.id }).from(apiKeys)).map((k) => k.id));
    for (let i = 0; i < lost.length; i += 1000) {
      const rows = lost.slice(i, i + 1000).map((l) => {
        const { kind, source } = sourceOf(l.by, keyIds);
        return {
          historyId,
          opId: l.opId,
          sourceKind: kind,
          source,
          sourceName: l.byName,
          studentNo: l.studentNo,
          stepId: l.stepId,
          change: l.change,
          note: l.note,
          changedAt: l.at,
          reportedBy: deviceId,
        };
      });
      await tx.insert(restoreLosses).values(rows).onConflictDoNothing();
    }
    return lost;
  });
}

export interface ListedLoss {
  historyId: string;
  backupOf: string | null;
  restoredAt: string | null;
  sourceKind: 'operator' | 'integration' | 'roster';
  source: string;
  sourceName: string;
  studentNo: string;
  stepId: string;
  change: string;
  note: string;
  changedAt: string;
  reportedBy: string;
}

/** Every loss still missing, per history (newest first), then by source and time. */
export async function listRestoreLosses(db: Executor): Promise<ListedLoss[]> {
  const rows = await db
    .select({
      historyId: restoreLosses.historyId,
      backupOf: serverHistory.backupOf,
      restoredAt: serverHistory.restoredAt,
      sourceKind: restoreLosses.sourceKind,
      source: restoreLosses.source,
      sourceName: restoreLosses.sourceName,
      studentNo: restoreLosses.studentNo,
      stepId: restoreLosses.stepId,
      change: restoreLosses.change,
      note: restoreLosses.note,
      changedAt: restoreLosses.changedAt,
      reportedBy: restoreLosses.reportedBy,
    })
    .from(restoreLosses)
    .innerJoin(serverHistory, eq(serverHistory.id, restoreLosses.historyId))
    .where(notExists(db.select({ one: sql`1` }).from(ops).where(and(eq(ops.opId, restoreLosses.opId)))))
    .orderBy(sql`${serverHistory.createdAt} desc`, asc(restoreLosses.sourceKind), asc(restoreLosses.source), asc(restoreLosses.changedAt), asc(restoreLosses.studentNo));
  return rows.map((r) => ({
    ...r,
    backupOf: r.backupOf && new Date(r.backupOf).toISOString(),
    restoredAt: r.restoredAt && new Date(r.restoredAt).toISOString(),
  }));
}
