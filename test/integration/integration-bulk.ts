import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq, like } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import {
  errorResponseSchema,
  INTEGRATION_BULK_MAX_ITEMS,
  integrationBulkWriteResponseSchema,
  type IntegrationWriteRequest,
} from '../../src-shared/contract/sync';
import { createApiKey, revokeApiKey } from '../../src-server/admin/devices';
import { createBatch } from '../../src-server/admin/batches';
import { storeRoster } from '../../src-server/admin/roster-store';
import { INTEGRATION_CHUNK } from '../../src-server/apply/integration-writes';
import { ops, stepStates } from '../../src-server/db/schema';
import { demoBatchDefinition, student } from '../../src-server/testing/fixtures';
import { startTestServer, type TestServer } from '../../src-server/testing/test-server';
import type { Backend } from '../../src-server/testing/throwaway-database';

const STUDENTS = Array.from({ length: 300 }, (_, i) => `2023${String(i + 1).padStart(6, '0')}`);

/** One engine per test file, so each file stays inside its 60 s budget on a busy 2-core machine. */
export function integrationBulk(backend: Backend): void {
  describe(`integration bulk writes on ${backend}`, () => {
    let server: TestServer;
    let batchId: string;
    let key: string;

    beforeAll(async () => {
      server = await startTestServer(backend);
      const def = await createBatch(server.database.db, demoBatchDefinition());
      batchId = def.id;
      await storeRoster(server.database.db, server.batches, batchId, STUDENTS.map((no) => student(no, '计算机学院')));
      key = await createApiKey(server.database.db, 'library', '图书馆系统', batchId, ['return-books']);
    });
    afterAll(async () => {
      await server?.close();
    });

    async function send(body: string, contentType = 'application/json', apiKey = key) {
      const res = await fetch(`${server.url}/api/integration/steps`, {
        method: 'POST',
        headers: { 'x-api-key': apiKey, 'content-type': contentType },
        body,
      });
      const text = await res.text();
      return { status: res.status, json: JSON.parse(text) as unknown };
    }
    const bulk = (items: unknown[], apiKey = key) => send(JSON.stringify({ items }), 'application/json', apiKey);
    const item = (studentNo: string, status: IntegrationWriteRequest['status'], stepId = 'return-books'): IntegrationWriteRequest => ({
      opId: uuidv7(),
      studentNo,
      stepId,
      status,
    });
    async function storedOpCount(): Promise<number> {
      const [row] = await server.database.db.select({ n: count() }).from(ops);
      return row!.n;
    }
    it('applies every item through the apply path, answers each in order, and a resend changes nothing', async () => {
      const items = [
        ...STUDENTS.map((no) => item(no, 'passed')),
        item(STUDENTS[0]!, 'passed', 'repay-debt'),
        item('2099999999', 'passed'),
      ];
      const before = await storedOpCount();
      const first = await bulk(items);
      expect(first.status).toBe(200);
      const answer = integrationBulkWriteResponseSchema.parse(first.json);
      expect(answer.counts).toEqual({ total: 302, applied: 300, conflict: 0, rejected: 2, duplicates: 0 });
      expect(answer.results.map((r) => r.opId)).toEqual(items.map((i) => i.opId));
      expect(answer.results[300]).toMatchObject({ outcome: 'rejected', reason: '此接口密钥无权写入环节「缴还欠款」' });
      expect(answer.results[301]!.outcome).toBe('rejected');
      // Every item is one op of the key's own sequence, refused ones kept too.
      expect(await storedOpCount()).toBe(before + 302);
      expect(answer.results.map((r) => r.deviceSeq)).toEqual(items.map((_, i) => i + 1));
      const passed = await server.database.db
        .select({ n: count() })
        .from(stepStates)
        .where(eq(stepStates.stepId, 'return-books'));
      expect(passed[0]!.n).toBe(300);

      const again = integrationBulkWriteResponseSchema.parse((await bulk(items)).json);
      expect(again.counts).toEqual({ total: 302, applied: 300, conflict: 0, rejected: 2, duplicates: 302 });
      expect(again.results.map((r) => r.seq)).toEqual(answer.results.map((r) => r.seq));
      expect(await storedOpCount()).toBe(before + 302);
      const rows = await server.database.db.select().from(stepStates).where(eq(stepStates.studentNo, STUDENTS[0]!));
      expect(rows.filter((r) => r.stepId === 'return-books').map((r) => r.lastOpId)).toEqual([items[0]!.opId]);
    });

    it(`applies a body larger than one transaction (${INTEGRATION_CHUNK} items) in order, as NDJSON too`, async () => {
      // Alternating pending and passed over the same students: the final state shows the order held.
      const rounds = Math.ceil((2 * INTEGRATION_CHUNK + 500) / STUDENTS.length);
      const items = Array.from({ length: rounds }, (_, round) => STUDENTS.map((no) => item(no, round % 2 === 0 ? 'pending' : 'passed'))).flat();
      const ndjson = items.map((i) => JSON.stringify(i)).join('\n') + '\n';
      const res = await send(ndjson, 'application/x-ndjson');
      expect(res.status).toBe(200);
      const answer = integrationBulkWriteResponseSchema.parse(res.json);
      expect(answer.counts.total).toBe(items.length);
      expect(answer.counts.rejected).toBe(0);
      const seqs = answer.results.map((r) => r.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      const last = rounds % 2 === 0 ? 'passed' : 'pending';
      const states = await server.database.db.select({ status: stepStates.status }).from(stepStates).where(eq(stepStates.stepId, 'return-books'));
      expect(new Set(states.map((s) => s.status))).toEqual(new Set([last]));
    });

    it('refuses a body with bad items, naming each by index, and applies none of it', async () => {
      const before = await storedOpCount();
      const items: unknown[] = [item(STUDENTS[1]!, 'passed'), { ...item(STUDENTS[2]!, 'passed'), status: 'done' }, item(STUDENTS[3]!, 'passed'), { opId: 'x', studentNo: STUDENTS[4], stepId: 'return-books', status: 'passed' }];
      const res = await bulk(items);
      expect(res.status).toBe(400);
      const error = errorResponseSchema.parse(res.json).error;
      expect(error.issues?.map((i) => i.path)).toEqual(['items.1.status', 'items.3.opId']);
      expect(error.message).toContain('status 必须是 passed、rejected 或 pending');
      expect(await storedOpCount()).toBe(before);

      const twice = item(STUDENTS[5]!, 'passed');
      const repeated = errorResponseSchema.parse((await bulk([twice, item(STUDENTS[6]!, 'passed'), twice])).json).error;
      expect(repeated.issues).toEqual([{ path: 'items.2.opId', message: 'opId 与第 0 条重复，每条须有自己的 opId' }]);

      const badLine = await send(`${JSON.stringify(item(STUDENTS[7]!, 'passed'))}\n{"opId":\n`, 'application/x-ndjson');
      expect(badLine.status).toBe(400);
      expect(errorResponseSchema.parse(badLine.json).error.message).toBe('第 2 行不是有效的 JSON（每行一条写入）');

      const empty = errorResponseSchema.parse((await bulk([])).json).error;
      expect(empty.message).toContain('items 不能为空');
      const tooMany = Array.from({ length: INTEGRATION_BULK_MAX_ITEMS + 1 }, () => ({ opId: uuidv7(), studentNo: STUDENTS[0], stepId: 'return-books', status: 'passed' }));
      const over = await bulk(tooMany);
      expect(over.status).toBe(400);
      expect(errorResponseSchema.parse(over.json).error.message).toContain(`一次最多 ${INTEGRATION_BULK_MAX_ITEMS} 条，请分批提交`);

      const wrongType = await send('studentNo,status', 'text/csv');
      expect(wrongType.status).toBe(415);
      expect(await storedOpCount()).toBe(before);
    });

    it('refuses a body that reuses a stored opId with other content, applying none of it', async () => {
      const stored = item(STUDENTS[8]!, 'passed');
      expect((await bulk([stored])).status).toBe(200);
      const before = await storedOpCount();
      const fresh = item(STUDENTS[9]!, 'passed');
      const res = await bulk([fresh, { ...stored, status: 'pending' }]);
      expect(res.status).toBe(409);
      const error = errorResponseSchema.parse(res.json).error;
      expect(error.issues?.map((i) => i.path)).toEqual(['items.1.opId']);
      expect(await storedOpCount()).toBe(before);
      const [freshOp] = await server.database.db.select().from(ops).where(eq(ops.opId, fresh.opId));
      expect(freshOp).toBeUndefined();
    });

    it('answers a revoked key with 403 and stores nothing of its body', async () => {
      const revokedKey = await createApiKey(server.database.db, 'card', '一卡通系统', batchId, ['return-books']);
      await revokeApiKey(server.database.db, 'card');
      const res = await bulk([item(STUDENTS[10]!, 'passed')], revokedKey);
      expect(res.status).toBe(403);
      expect(errorResponseSchema.parse(res.json).error.message).toBe('此接口密钥已被停用');
      const [row] = await server.database.db.select({ n: count() }).from(ops).where(like(ops.deviceId, 'integration:card%'));
      expect(row!.n).toBe(0);
    });
  });
}
