import { readFileSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRescueFile, type RescueFile, type RescueUpload } from '../../src-shared/contract/rescue';
import { uploadRescue } from '../../src-server/apply/rescue-upload';
import type { DamagedReplicaDto, RescueUploadedDto, RescueWrittenDto } from '../../src-shared/contract/sync-api';
import { syncText } from '../../src-shared/i18n/sync.zh-CN';
import { createCounterService } from '../../src-main/counter/service';
import { CounterRuntime } from '../../src-main/sync/counter-runtime';
import { importRescueFile } from '../../src-server/admin/rescue-import';
import { runCli } from '../../src-server/cli';
import { stepStates } from '../../src-server/db/schema';
import type { Backend } from '../../src-server/testing/throwaway-database';
import { damagePage } from './replica-files';
import { eventually, SyncWorld, type Counter } from './sync-world';

const mode = (path: string) => statSync(path).mode & 0o777;

/**
 * A counter whose server is gone (its cable pulled) keeps ops nobody else has. Its rescue file,
 * written by the operator and again by the counter itself once its replica turns out damaged,
 * is uploaded through the admin CLI and through another counter, more than once: the server
 * holds each op once, applied, and the other counters see the result.
 */
export function replicaRescue(backend: Backend): void {
  describe(`rescue files (${backend})`, () => {
    const world = new SyncWorld(backend);
    let a: Counter;
    let b: Counter;
    let written: RescueWrittenDto;
    let damaged: DamagedReplicaDto;
    let runtime: CounterRuntime | null = null;

    beforeAll(async () => {
      await world.start();
      const aRelay = await world.ownRelay();
      a = await world.counter('T-DORM', {}, aRelay);
      b = await world.counter('T-DORM');
      a.do([{ kind: 'pass', studentNo: '2023000004', stepId: 'dorm-clearance', note: '' }]);
      await a.client.sync();
      await aRelay.down();
      a.do([
        { kind: 'pass', studentNo: '2023000001', stepId: 'dorm-clearance', note: '=HYPERLINK("x")' },
        { kind: 'reject', studentNo: '2023000002', stepId: 'dorm-clearance', note: '床位未清' },
        { kind: 'pass', studentNo: '2023000003', stepId: 'dorm-clearance', note: '' },
      ]);
    });

    afterAll(async () => {
      await runtime?.close();
      await world.stop();
    });

    it('the operator writes the unsent ops to a user-only rescue file', async () => {
      written = await createCounterService(a.replica).call('sync.writeRescue', {});
      expect(written.ops).toBe(3);
      expect(written.complete).toBe(true);
      expect(mode(written.path)).toBe(0o600);
      expect(mode(dirname(written.path))).toBe(0o700);
      const rescue = parseRescueFile(readFileSync(written.path, 'utf8'));
      expect(rescue.deviceId).toBe(a.deviceId);
      expect(rescue.ops.map((op) => op.deviceSeq)).toEqual([2, 3, 4]);
    });

    it('a damaged replica is refused with what to do next, after its unsent ops were rescued', async () => {
      await a.client.stop();
      a.replica.close();
      const before = readFileSync(a.replica.path);
      damagePage(a.replica.path, 'students_name');
      const damagedBytes = readFileSync(a.replica.path);
      expect(damagedBytes.equals(before)).toBe(false);

      runtime = new CounterRuntime({ path: a.replica.path });
      await runtime.ready;
      const state = await runtime.dispatch('setup.state', {});
      if (!state.ok) throw new Error(state.error.message);
      damaged = (state.value as { damaged: DamagedReplicaDto }).damaged;
      expect(damaged.path).toBe(a.replica.path);
      expect(damaged.detail).toMatch(/students_name/);
      expect(damaged.rescueError).toBeNull();
      expect(damaged.rescue).toMatchObject({ ops: 3, complete: true });
      expect(damaged.rescue!.path).not.toBe(written.path);
      expect(parseRescueFile(readFileSync(damaged.rescue!.path, 'utf8')).ops).toEqual(parseRescueFile(readFileSync(written.path, 'utf8')).ops);

      const search = await runtime.dispatch('students.search', { text: '学生' });
      expect(search).toEqual({ ok: false, error: { code: 'refused', message: syncText.damaged.refused(a.replica.path) } });
      // Nothing was written to the damaged file: what a specialist could still recover stays there.
      expect(readFileSync(a.replica.path).equals(damagedBytes)).toBe(true);
    });

    it('uploaded by the admin CLI and by another counter, again and again: every op stored once and applied', async () => {
      // Rows a damaged replica could not give (seq 2): the ops after them wait, nothing is stored out of order.
      const full = parseRescueFile(readFileSync(written.path, 'utf8'));
      const gapped = await importRescue(world, { ...full, ops: full.ops.filter((op) => op.deviceSeq !== 2), complete: false });
      expect(gapped).toMatchObject({ stored: 0, duplicates: 0, missingSeq: 2, waiting: 2 });
      expect(syncText.rescue.uploaded(gapped)[1]).toMatch(/第 2 号操作服务器没有/);
      expect((await world.serverOps(a.deviceId)).length).toBe(1);

      const lines: string[] = [];
      const first = await importThroughAdmin(backend, world, damaged.rescue!.path, lines);
      expect(first).toMatchObject({ stored: 3, duplicates: 0, missingSeq: null });
      expect(lines).toEqual([expect.stringMatching(new RegExp(`^柜台 ${a.deviceId}（柜台1）的救援文件：新上传 3 个操作，0 个此前已上传`))]);

      const service = createCounterService(b.replica, { sync: b.client });
      const content = readFileSync(written.path, 'utf8');
      const again: RescueUploadedDto = await service.call('sync.uploadRescue', { fileName: basename(written.path), content });
      expect(again).toMatchObject({ deviceId: a.deviceId, stored: 0, duplicates: 3, rejected: 0, missingSeq: null });
      const third = await importThroughAdmin(backend, world, written.path, []);
      expect(third).toMatchObject({ stored: 0, duplicates: 3 });

      const stored = await world.serverOps(a.deviceId);
      expect(stored.map((op) => op.deviceSeq)).toEqual([1, 2, 3, 4]);
      expect(new Set(stored.map((op) => op.opId)).size).toBe(4);
      const rows = await world.server.database.db.select().from(stepStates);
      const dorm = (no: string) => rows.find((r) => r.studentNo === no && r.stepId === 'dorm-clearance');
      expect(dorm('2023000001')).toMatchObject({ status: 'passed', note: '=HYPERLINK("x")' });
      expect(dorm('2023000002')).toMatchObject({ status: 'rejected', note: '床位未清' });
      expect(dorm('2023000003')).toMatchObject({ status: 'passed' });
      await eventually(async () => {
        await b.client.sync();
        expect(b.state('2023000003', 'dorm-clearance').status).toBe('passed');
      });
    });

    it('a file that is not a rescue file is refused in Chinese and uploads nothing', async () => {
      const service = createCounterService(b.replica, { sync: b.client });
      await expect(service.call('sync.uploadRescue', { fileName: 'x.json', content: '{"format":"other"}' })).rejects.toThrow(/无法读取救援文件 x\.json：救援文件内容有误/);
      await expect(service.call('sync.uploadRescue', { fileName: 'x.json', content: 'PK\u0003\u0004' })).rejects.toThrow(/不是 JSON 格式/);
      expect((await world.serverOps(a.deviceId)).length).toBe(4);
    });
  });
}

async function importRescue(world: SyncWorld, rescue: RescueFile): Promise<RescueUpload> {
  return uploadRescue(world.server.database.db, world.server.batches, rescue, { kind: 'admin' });
}

/**
 * `npm run admin -- import-rescue FILE`: on PostgreSQL the CLI itself, on the test's in-memory
 * PGlite (which only this process can reach) the function the CLI command runs.
 */
async function importThroughAdmin(backend: Backend, world: SyncWorld, path: string, lines: string[]): Promise<RescueUploadedDto> {
  if (backend === 'pglite') return importRescueFile(world.server.database.db, path, (l) => lines.push(l));
  const saved = process.env.DATABASE_URL;
  process.env.DATABASE_URL = world.server.database.url!;
  const errors: string[] = [];
  try {
    const code = await runCli(['import-rescue', path], (l) => lines.push(l), (l) => errors.push(l));
    expect(errors).toEqual([]);
    expect(code).toBe(0);
  } finally {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
  }
  const summary = /新上传 (\d+) 个操作，(\d+) 个此前已上传/.exec(lines.at(-1) ?? lines[0] ?? '');
  return { deviceId: '', deviceName: '', stored: Number(summary?.[1]), duplicates: Number(summary?.[2]), rejected: 0, conflicts: 0, missingSeq: null, waiting: 0 };
}
