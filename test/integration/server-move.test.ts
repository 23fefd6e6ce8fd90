import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { count, eq } from 'drizzle-orm';
import { readMeta } from '../../src-main/db/meta';
import { createCounterService, type CounterService } from '../../src-main/counter/service';
import { readServerTrust } from '../../src-main/sync/server-trust';
import { serverOf } from '../../src-main/sync/sync-client';
import { unsentCount } from '../../src-main/db/outbox';
import { setConsoleRole } from '../../src-server/console-auth/accounts';
import { addOperator } from '../../src-server/admin/operators';
import { consoleLog, ops, signInFailures } from '../../src-server/db/schema';
import { buildServerApp } from '../../src-server/http/app';
import { PASSWORD, seedSmallWorld } from '../../src-server/testing/fixtures';
import { startTestServer, type TestServer } from '../../src-server/testing/test-server';
import { BACKENDS, openThrowawayDatabase } from '../../src-server/testing/throwaway-database';
import { restoreBackup, writeBackup } from '../../src-server/admin/backup';
import { serverIdentity } from '../../src-server/sync/server-identity';
import { readTlsFiles, writeSelfSigned } from '../../src-server/tls/certificates';
import { SyncWorld, eventually, localView, type Counter } from './sync-world';

/**
 * 柜台设置's server move (issue 16) on a real server, PGlite and PostgreSQL, and real replica
 * files: the counter reaches its server through one relay (the old address), the relay dies,
 * the same server answers at another (a second relay, or HTTPS in front of the same database).
 */

const ADMIN = 'A-MOVE';

function meta(counter: Counter) {
  return { serverUrl: readMeta(counter.replica.sqlite, 'serverUrl'), trust: readServerTrust(counter.replica.sqlite), unsent: unsentCount(counter.replica.sqlite) };
}

describe.each(BACKENDS)('moving a counter to a new server address on %s', (backend) => {
  const world = new SyncWorld(backend);
  let stranger: TestServer;
  const apps: FastifyInstance[] = [];

  beforeAll(async () => {
    await world.start();
    const db = world.server.database.db;
    await addOperator(db, ADMIN, '离校办主任', PASSWORD);
    await setConsoleRole(db, ADMIN, 'admin');
    // Another campus's server, set up alike, down to a 管理员 with the same 工号 and password.
    stranger = await startTestServer(backend);
    await seedSmallWorld(stranger.database.db, stranger.batches);
    await addOperator(stranger.database.db, ADMIN, '离校办主任', PASSWORD);
    await setConsoleRole(stranger.database.db, ADMIN, 'admin');
  });
  afterAll(async () => {
    await world.stop();
    for (const app of apps) await app.close();
    await stranger?.close();
  });

  async function moveTo(service: CounterService, input: Record<string, unknown>) {
    return service.dispatch('desk.moveServer', { operatorNo: ADMIN, password: PASSWORD, ...input });
  }

  it('keeps every unsent op and sends each exactly once to the new address', async () => {
    const oldAddress = await world.ownRelay();
    const counter = await world.counter('T-DORM', {}, oldAddress);
    const service = createCounterService(counter.replica, { sync: counter.client });
    expect(readMeta(counter.replica.sqlite, 'serverIdentity')).toMatch(/^[0-9a-f-]{36}$/);

    counter.do([{ kind: 'pass', studentNo: '2023000001', stepId: 'dorm-clearance', note: '一' }]);
    await counter.client.sync();
    // The second op reaches the server, but its answer is cut: the counter still holds it as unsent.
    oldAddress.responseBudget = 0;
    await oldAddress.down();
    await oldAddress.up();
    counter.do([{ kind: 'pass', studentNo: '2023000002', stepId: 'dorm-clearance', note: '二' }]);
    // A pooled connection the relay dropped may fail first, without reaching the server: try until one does.
    await eventually(async () => {
      await expect(counter.client.sync()).rejects.toThrow('无法连接服务器');
      expect((await world.serverOps(counter.deviceId)).map((o) => o.note)).toEqual(['一', '二']);
    });
    // The old address is gone for good; the third op is made offline.
    await oldAddress.down();
    counter.do([{ kind: 'pass', studentNo: '2023000003', stepId: 'dorm-clearance', note: '三' }]);
    expect(meta(counter).unsent).toBe(2);

    const newAddress = await world.ownRelay();
    const moved = await moveTo(service, { serverUrl: newAddress.url });
    expect(moved).toMatchObject({ ok: true, value: { server: { url: newAddress.url, check: 'loopback', identityKnown: true } } });
    expect(meta(counter)).toEqual({ serverUrl: newAddress.url, trust: null, unsent: 0 });

    const stored = await world.serverOps(counter.deviceId);
    expect(stored.map((o) => [o.deviceSeq, o.note, o.outcome])).toEqual([
      [1, '一', 'applied'],
      [2, '二', 'applied'],
      [3, '三', 'applied'],
    ]);
    const server = await world.serverView();
    for (const [key, row] of localView(counter.replica)) expect(row, key).toEqual(server.get(key) ?? { status: 'pending', version: 0, note: '' });
    // A restart reads the new address from the replica.
    expect(serverOf(counter.replica)?.serverUrl).toBe(newAddress.url);
    const [log] = await world.server.database.db.select().from(consoleLog).where(eq(consoleLog.action, '更换柜台服务器地址'));
    expect(log).toMatchObject({ by: ADMIN, detail: expect.stringMatching(new RegExp(`^柜台「柜台\\d+」改用服务器地址 ${newAddress.url}$`)) });
  });

  it('refuses another server before the device token or a password goes there, and refuses without a 管理员', async () => {
    const home = await world.ownRelay();
    const counter = await world.counter('T-DORM', {}, home);
    const service = createCounterService(counter.replica, { sync: counter.client });
    await home.down();
    counter.do([{ kind: 'pass', studentNo: '2023000004', stepId: 'dorm-clearance' }]);
    const before = meta(counter);
    expect(before).toMatchObject({ serverUrl: home.url, unsent: 1 });

    const refused = await moveTo(service, { serverUrl: stranger.url });
    expect(refused).toMatchObject({ ok: false, error: { code: 'refused', message: expect.stringContaining(`${stranger.url} 上是另一台服务器`) } });
    expect(meta(counter)).toEqual(before);
    const strangerDb = stranger.database.db;
    expect((await strangerDb.select({ n: count() }).from(ops))[0]!.n).toBe(0);
    expect(await strangerDb.select().from(signInFailures)).toEqual([]);
    expect(await strangerDb.select().from(consoleLog)).toEqual([]);

    await home.up();
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ operatorNo: 'T-STU' }, 'forbidden', /学工老师（T-STU）不是管理员，不能更换柜台的服务器地址/],
      [{ password: 'wrong-pass' }, 'unauthorized', /工号或密码错误/],
      [{ serverUrl: home.url }, 'refused', /新地址与当前地址相同/],
      [{ serverUrl: 'http://10.20.30.40:8787' }, 'bad_input', /不能用 http:\/\/ 连接/],
      [{ serverUrl: 'ftp://example' }, 'bad_input', /服务器地址「ftp:\/\/example」不正确/],
      [{ serverUrl: '' }, 'bad_input', /服务器地址/],
      [{ operatorNo: '' }, 'bad_input', /工号/],
    ];
    const other = await world.ownRelay();
    for (const [input, code, message] of cases) {
      const answer = await moveTo(service, { serverUrl: other.url, ...input });
      expect(answer, JSON.stringify(input)).toMatchObject({ ok: false, error: { code, message: expect.stringMatching(message) } });
      expect(meta(counter)).toEqual({ ...before, unsent: meta(counter).unsent });
    }
    // Nothing was lost on the way: the op waits, and goes out at the old address, which is back.
    await counter.client.sync();
    expect((await world.serverOps(counter.deviceId)).map((o) => o.studentNo)).toEqual(['2023000004']);
  });

  it('checks the certificate of an HTTPS address as setup does: unconfirmed and wrong fingerprints refused, the compared one pinned', async () => {
    const made = await writeSelfSigned('127.0.0.1', join(world.dir, `tls-${backend}`));
    const files = readTlsFiles(made.certPath, made.keyPath);
    // HTTPS in front of the same database: the same server at a new address.
    const app = await buildServerApp({ db: world.server.database.db, https: { cert: files.cert, key: files.key }, watchIntervalMs: 200 });
    apps.push(app);
    const httpsUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    const counter = await world.counter('T-STU');
    const service = createCounterService(counter.replica, { sync: counter.client });
    counter.do([{ kind: 'pass', studentNo: '2023000001', stepId: 'return-student-card' }]);

    const probe = await service.dispatch('desk.probeServer', { serverUrl: httpsUrl.replace('https://', '') });
    expect(probe).toEqual({ ok: true, value: { serverUrl: httpsUrl, check: 'fingerprint', fingerprint: made.fingerprint } });
    expect(await moveTo(service, { serverUrl: httpsUrl })).toMatchObject({ ok: false, error: { message: expect.stringContaining('尚未核对服务器证书') } });
    const wrongPin = 'AA:'.repeat(31) + 'AA';
    expect(await moveTo(service, { serverUrl: httpsUrl, pin: wrongPin })).toMatchObject({
      ok: false,
      error: { code: 'refused', message: expect.stringContaining(made.fingerprint) },
    });
    expect(meta(counter)).toMatchObject({ serverUrl: world.relay.url, trust: null, unsent: 1 });

    expect(await moveTo(service, { serverUrl: httpsUrl, pin: made.fingerprint })).toMatchObject({
      ok: true,
      value: { server: { url: httpsUrl, check: 'fingerprint', fingerprint: made.fingerprint } },
    });
    expect(meta(counter)).toEqual({ serverUrl: httpsUrl, trust: { kind: 'pinned', fingerprint: made.fingerprint }, unsent: 0 });
    expect((await world.serverOps(counter.deviceId)).map((o) => o.stepId)).toEqual(['return-student-card']);
  });

  it('the identity stays across a restart of the server process and a restore from its backup, and differs between servers', async () => {
    const health = async (url: string) => ((await (await fetch(`${url}/api/health`)).json()) as { server: { id: string } }).server.id;
    const id = await health(world.server.url);
    const again = await buildServerApp({ db: world.server.database.db });
    apps.push(again);
    expect(await health(await again.listen({ host: '127.0.0.1', port: 0 }))).toBe(id);
    expect(await health(stranger.url)).not.toBe(id);
    const file = join(world.dir, `backup-${backend}.ndjson.gz`);
    await writeBackup(world.server.database.db, file);
    const restored = await openThrowawayDatabase(backend);
    try {
      const { history } = await restoreBackup(restored.db, file);
      expect(history).not.toBe(id);
      expect(await serverIdentity(restored.db)).toEqual({ id });
    } finally {
      await restored.close();
    }
  });
});
