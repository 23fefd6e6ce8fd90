import { and, eq, inArray } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { CLEARED_LIST_REVOKE_SHARE, type ClearedListResponse, type SyncPosition } from '../../src-shared/contract/sync';
import type { Db, Tx } from '../db/database';
import { ops, stepStates, students } from '../db/schema';
import type { BatchCache } from '../sync/batch-cache';
import { lockWrites } from '../sync/seq';
import { applyIntegrationInputs, integrationDeviceId, type ApiKeyRow } from './integration-writes';
import type { ServerOpInput } from './server-ops';

/** A full list the server will not apply, with the reason and, where it helps, each item at fault. */
export class ClearedListRefused extends Error {
  constructor(
    readonly status: 400 | 403 | 409,
    message: string,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ClearedListRefused';
  }
}

const LOOKUP_CHUNK = 1000;
export const REVOKED_NOTE = '不在对方系统的完整名单中';

/**
 * Applies another system's complete list of cleared students to one of its steps: passes those
 * not yet passed and, on a step the key is authoritative for, revokes the passes this key made
 * that the list no longer holds. A counter operator's pass is never revoked: only rows whose
 * last op is this key's qualify, read under the write lock in the transaction that applies them,
 * so no pass can slip in between. The same list twice finds nothing to do.
 */
export async function applyClearedList(
  db: Db,
  batches: BatchCache,
  client: ApiKeyRow,
  stepId: string,
  studentNos: string[],
  options: { dryRun: boolean; confirm?: number | undefined; receivedAt: string },
  committed: (at: SyncPosition) => void,
): Promise<ClearedListResponse> {
  if (!client.stepIds.includes(stepId)) throw new ClearedListRefused(403, `此接口密钥无权写入环节 ${stepId}`);
  const authoritative = client.authoritativeStepIds.includes(stepId);
  const seen = new Map<string, number>();
  const repeated: { path: string; message: string }[] = [];
  studentNos.forEach((no, i) => {
    const first = seen.get(no);
    if (first === undefined) seen.set(no, i);
    else repeated.push({ path: `studentNos.${i}`, message: `学号 ${no} 与第 ${first} 个重复` });
  });
  if (repeated.length > 0) throw new ClearedListRefused(400, `名单中有 ${repeated.length} 个重复的学号，整个名单未生效`, repeated);
  if (studentNos.length === 0 && authoritative) {
    throw new ClearedListRefused(400, '名单是空的：对权威环节提交空名单会撤销本系统做过的全部通过，已拒绝。如确需撤销，请逐条提交');
  }

  const { answer, at } = await db.transaction(async (tx): Promise<{ answer: ClearedListResponse; at: SyncPosition | null }> => {
    await lockWrites(tx);
    const batch = await batches.get(tx, client.batchId);
    if (!batch) throw new Error(`api key ${client.id} belongs to missing batch ${client.batchId}`);
    const unknown = await notInBatch(tx, client.batchId, studentNos);
    if (unknown.length > 0) {
      throw new ClearedListRefused(
        400,
        `名单中有 ${unknown.length} 个学号不在本批次：${unknown.slice(0, 5).join('、')}${unknown.length > 5 ? ' 等' : ''}；整个名单未生效`,
        unknown.map((no) => ({ path: `studentNos.${seen.get(no)!}`, message: `学号 ${no} 不在本批次` })),
      );
    }
    const rows = await tx
      .select({ studentNo: stepStates.studentNo, status: stepStates.status, by: ops.deviceId })
      .from(stepStates)
      .leftJoin(ops, eq(ops.opId, stepStates.lastOpId))
      .where(and(eq(stepStates.batchId, client.batchId), eq(stepStates.stepId, stepId)));
    const passed = rows.filter((r) => r.status === 'passed');
    const passedNow = new Set(passed.map((r) => r.studentNo));
    const toPass = studentNos.filter((no) => !passedNow.has(no));
    const ownDevice = integrationDeviceId(client);
    const toRevoke = authoritative ? passed.filter((r) => r.by === ownDevice && !seen.has(r.studentNo)).map((r) => r.studentNo) : [];
    const answer = { stepId, dryRun: options.dryRun, listed: studentNos.length, passedBefore: passed.length, toPass, toRevoke, applied: null };
    if (options.dryRun) return { answer, at: null };

    const allowed = Math.floor(CLEARED_LIST_REVOKE_SHARE * passed.length);
    if (toRevoke.length > allowed && options.confirm !== toRevoke.length) {
      throw new ClearedListRefused(
        409,
        `名单将撤销 ${toRevoke.length} 个通过，占该环节现有 ${passed.length} 个通过的 ${percent(toRevoke.length, passed.length)}，` +
          `超过 ${CLEARED_LIST_REVOKE_SHARE * 100}% 的上限，整个名单未生效。核对无误后请带 ?confirm=${toRevoke.length} 重新提交（可先用 ?dryRun=1 查看名单）`,
      );
    }
    const input = (studentNo: string, kind: ServerOpInput['kind'], note: string): ServerOpInput => ({
      opId: uuidv7(),
      studentNo,
      stepId,
      kind,
      note,
      time: options.receivedAt,
    });
    const inputs = [...toPass.map((no) => input(no, 'pass', '')), ...toRevoke.map((no) => input(no, 'revoke', REVOKED_NOTE))];
    const done = await applyIntegrationInputs(tx, batches, client, inputs, false);
    const count = (outcome: string) => done.results.filter((r) => r.outcome === outcome).length;
    const applied = { total: inputs.length, applied: count('applied'), conflict: count('conflict'), rejected: count('rejected'), duplicates: 0 };
    return { answer: { ...answer, applied }, at: done.at };
  });
  if (at) committed(at);
  return answer;
}

async function notInBatch(tx: Tx, batchId: string, studentNos: string[]): Promise<string[]> {
  const known = new Set<string>();
  for (let i = 0; i < studentNos.length; i += LOOKUP_CHUNK) {
    const chunk = studentNos.slice(i, i + LOOKUP_CHUNK);
    const found = await tx
      .select({ studentNo: students.studentNo })
      .from(students)
      .where(and(eq(students.batchId, batchId), inArray(students.studentNo, chunk)));
    for (const f of found) known.add(f.studentNo);
  }
  return studentNos.filter((no) => !known.has(no));
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '100%' : `${((part / whole) * 100).toFixed(1)}%`;
}
