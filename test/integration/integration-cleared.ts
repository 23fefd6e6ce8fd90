import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, eq } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { clearedListResponseSchema, errorResponseSchema, registerDeviceResponseSchema } from '../../src-shared/contract/sync';
import { createApiKey } from '../../src-server/admin/devices';
import { createBatch } from '../../src-server/admin/batches';
import { addOperator, grantCheckpoint } from '../../src-server/admin/operators';
import { storeRoster } from '../../src-server/admin/roster-store';
import { ops, stepStates } from '../../src-server/db/schema';
import { demoBatchDefinition, PASSWORD, registrationCode, student } from '../../src-server/testing/fixtures';
import { startTestServer, type TestServer } from '../../src-server/testing/test-server';
import type { Backend } from '../../src-server/testing/throwaway-database';
import { gbkEncoder } from '../fixtures/gbk';

const STUDENTS = Array.from({ length: 40 }, (_, i) => `2023${String(i + 1).padStart(6, '0')}`);
const STEP = 'dorm-clearance';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** One engine per test file, so each file stays inside its budget. */
export function integrationCleared(backend: Backend): void {
  describe(`full lists (PUT …/cleared) on ${backend}`, () => {
    let server: TestServer;
    let batchId: string;
    let plainKey: string;
    let authoritativeKey: string;

    beforeAll(async () => {
      server = await startTestServer(backend);
      const db = server.database.db;
      batchId = (await createBatch(db, demoBatchDefinition())).id;
      await storeRoster(db, server.batches, batchId, STUDENTS.map((no) => student(no, '计算机学院')));
      plainKey = await createApiKey(db, 'card-office', '一卡通系统', batchId, [STEP]);
      authoritativeKey = await createApiKey(db, 'library', '图书馆系统', batchId, [STEP], [STEP]);
      await addOperator(db, 'T-DORM', '宿管员', PASSWORD);
      await grantCheckpoint(db, 'T-DORM', 'dorm', []);
    });
    afterAll(async () => {
      await server?.close();
    });

    async function put(key: string, body: string | Uint8Array, contentType = 'application/json', query = '', stepId = STEP) {
      const res = await fetch(`${server.url}/api/integration/steps/${stepId}/cleared${query}`, {
        method: 'PUT',
        headers: { 'x-api-key': key, 'content-type': contentType },
        body: typeof body === 'string' ? body : Buffer.from(body),
      });
      return { status: res.status, json: (await res.json()) as unknown };
    }
    const putList = (key: string, studentNos: string[], query = '') => put(key, JSON.stringify({ studentNos }), 'application/json', query);
    const answerOf = (r: { json: unknown }) => clearedListResponseSchema.parse(r.json);
    const errorOf = (r: { json: unknown }) => errorResponseSchema.parse(r.json).error;
    async function passedSet(): Promise<Set<string>> {
      const rows = await server.database.db
        .select({ no: stepStates.studentNo })
        .from(stepStates)
        .where(and(eq(stepStates.stepId, STEP), eq(stepStates.status, 'passed')));
      return new Set(rows.map((r) => r.no));
    }
    async function opCount(): Promise<number> {
      const [row] = await server.database.db.select({ n: count() }).from(ops);
      return row!.n;
    }

    it('passes the listed students, never revokes for a key that is not authoritative, and the same list twice changes nothing', async () => {
      const first = answerOf(await putList(plainKey, STUDENTS.slice(0, 3)));
      expect(first).toMatchObject({ listed: 3, passedBefore: 0, toPass: STUDENTS.slice(0, 3), toRevoke: [], applied: { total: 3, applied: 3 } });
      const before = await opCount();
      const again = answerOf(await putList(plainKey, STUDENTS.slice(0, 3)));
      expect(again).toMatchObject({ toPass: [], toRevoke: [], applied: { total: 0 } });
      expect(await opCount()).toBe(before);
      // Students missing from its list keep their passes: the key is not authoritative.
      const shorter = answerOf(await putList(plainKey, STUDENTS.slice(0, 1)));
      expect(shorter.toRevoke).toEqual([]);
      expect(await passedSet()).toEqual(new Set(STUDENTS.slice(0, 3)));
    });

    it('revokes only its own passes missing from the list, never an operator’s, within the share or with confirm', async () => {
      // The library's system clears students 4..23; an operator at the desk passes student 24.
      const listed = STUDENTS.slice(3, 23);
      expect(answerOf(await putList(authoritativeKey, listed)).applied).toMatchObject({ applied: 20 });
      const device = registerDeviceResponseSchema.parse(
        await (
          await fetch(`${server.url}/api/devices`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ operatorNo: 'T-DORM', password: PASSWORD, name: '宿管柜台', batchId, registrationCode: await registrationCode(server.database.db) }),
          })
        ).json(),
      );
      const push = await fetch(`${server.url}/api/sync/push`, {
        method: 'POST',
        headers: { authorization: `Bearer ${device.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          ops: [
            {
              opId: uuidv7(),
              deviceId: device.deviceId,
              deviceSeq: 1,
              operatorId: 'T-DORM',
              kind: 'pass',
              studentNo: STUDENTS[23],
              stepId: STEP,
              args: { note: '' },
              base: { version: 0 },
              clientTime: new Date().toISOString(),
            },
          ],
        }),
      });
      expect(push.status).toBe(200);
      const passedBefore = (await passedSet()).size;
      expect(passedBefore).toBe(3 + 20 + 1);

      // Two of its own gone from the list (within 10% of 24), and the operator's student never listed.
      const within = answerOf(await putList(authoritativeKey, listed.slice(2)));
      expect(within).toMatchObject({ passedBefore, toPass: [], toRevoke: listed.slice(0, 2), applied: { applied: 2 } });
      const passed = await passedSet();
      expect(passed.has(STUDENTS[23]!)).toBe(true);
      expect(listed.slice(0, 2).some((no) => passed.has(no))).toBe(false);

      // A list that would take back more than the share: a dry run shows it, writing nothing …
      const short = listed.slice(2, 7);
      const ops0 = await opCount();
      const dry = answerOf(await putList(authoritativeKey, short, '?dryRun=1'));
      expect(dry).toMatchObject({ dryRun: true, toRevoke: listed.slice(7), applied: null });
      expect(await opCount()).toBe(ops0);
      // … the real one is refused with the numbers, and goes through when confirm repeats the count.
      const refused = await putList(authoritativeKey, short);
      expect(refused.status).toBe(409);
      expect(errorOf(refused).message).toContain(`名单将撤销 ${dry.toRevoke.length} 个通过`);
      expect(await opCount()).toBe(ops0);
      expect((await putList(authoritativeKey, short, '?confirm=3')).status).toBe(409);
      const confirmed = answerOf(await putList(authoritativeKey, short, `?confirm=${dry.toRevoke.length}`));
      expect(confirmed.applied).toMatchObject({ applied: dry.toRevoke.length });
      expect((await passedSet()).has(STUDENTS[23]!)).toBe(true);

      const empty = await putList(authoritativeKey, []);
      expect(empty.status).toBe(400);
      expect(errorOf(empty).message).toContain('名单是空的');
    });

    it('reads CSV in GBK and text xlsx, and refuses numeric cells, unknown and repeated 学号 and foreign steps, writing nothing', async () => {
      const csv = gbkEncoder()(`学号\r\n${STUDENTS[30]}\r\n${STUDENTS[31]}\r\n`);
      expect(answerOf(await put(plainKey, csv, 'text/csv')).toPass).toEqual([STUDENTS[30], STUDENTS[31]]);

      const workbook = new ExcelJS.Workbook();
      const sheet = workbook.addWorksheet('名单');
      sheet.addRow(['学号']);
      sheet.addRow([STUDENTS[32]]);
      const textXlsx = new Uint8Array(await workbook.xlsx.writeBuffer());
      expect(answerOf(await put(plainKey, textXlsx, XLSX)).toPass).toEqual([STUDENTS[32]]);
      sheet.addRow([Number(STUDENTS[33])]);
      const numeric = await put(plainKey, new Uint8Array(await workbook.xlsx.writeBuffer()), XLSX);
      expect(numeric.status).toBe(400);
      expect(errorOf(numeric).issues).toEqual([{ path: '第 3 行', message: '学号是数字单元格（Excel 会去掉开头的 0），请把学号列设为文本后重新导出' }]);

      const ops0 = await opCount();
      const unknown = await putList(plainKey, [STUDENTS[34]!, '2099000001']);
      expect(unknown.status).toBe(400);
      expect(errorOf(unknown).issues).toEqual([{ path: 'studentNos.1', message: '学号 2099000001 不在本批次' }]);
      const repeated = await putList(plainKey, [STUDENTS[35]!, STUDENTS[35]!]);
      expect(errorOf(repeated).issues).toEqual([{ path: 'studentNos.1', message: `学号 ${STUDENTS[35]} 与第 0 个重复` }]);
      const foreign = await put(plainKey, JSON.stringify({ studentNos: [STUDENTS[36]] }), 'application/json', '', 'repay-debt');
      expect(foreign.status).toBe(403);
      const bad = await put(plainKey, JSON.stringify({ studentNos: [STUDENTS[36]] }), 'application/json', '?dryRun=yes');
      expect(errorOf(bad).message).toContain('dryRun 只能是 0 或 1');
      expect(await opCount()).toBe(ops0);
      expect((await passedSet()).has(STUDENTS[34]!)).toBe(false);
    });
  });
}
