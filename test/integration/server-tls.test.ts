import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { count, eq } from 'drizzle-orm';
import { readSession } from '../../src-main/db';
import { readMeta, writeMeta } from '../../src-main/db/meta';
import type { Replica } from '../../src-main/db/open';
import { applyOps } from '../../src-main/counter/mutate';
import { connectCounter } from '../../src-main/sync/connect';
import { CounterRuntime } from '../../src-main/sync/counter-runtime';
import { probeServer } from '../../src-main/sync/setup-trust';
import { readServerTrust, serverOrigin } from '../../src-main/sync/server-trust';
import { serverOf, SyncClient } from '../../src-main/sync/sync-client';
import { runCli } from '../../src-server/cli';
import { devices, ops } from '../../src-server/db/schema';
import { buildServerApp } from '../../src-server/http/app';
import { PASSWORD, registrationCode, seedSmallWorld } from '../../src-server/testing/fixtures';
import { BACKENDS, openThrowawayDatabase, type ThrowawayDatabase } from '../../src-server/testing/throwaway-database';
import { BatchCache } from '../../src-server/sync/batch-cache';
import { readTlsFiles, writeSelfSigned } from '../../src-server/tls/certificates';
import { issueFromCa, makeCa, type CertificateFiles } from './tls-fixtures';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, (l) => out.push(l), (l) => err.push(l));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('TLS certificates from the admin CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lixiao-tls-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('tls-self-signed writes a key and a certificate for an address or a host name; tls-fingerprint reads out its SHA-256', async () => {
    const made = await cli(['tls-self-signed', '--host', '10.0.0.5', '--out', join(dir, 'ip')]);
    expect(made.code).toBe(0);
    const x509 = new X509Certificate(readTlsFiles(join(dir, 'ip', 'server-cert.pem'), join(dir, 'ip', 'server-key.pem')).cert);
    expect(x509.subjectAltName).toBe('IP Address:10.0.0.5');
    expect(x509.checkIP('10.0.0.5')).toBe('10.0.0.5');
    expect(statSync(join(dir, 'ip', 'server-key.pem')).mode & 0o077).toBe(0);
    expect(made.out).toContain(`证书 SHA-256 指纹：${x509.fingerprint256}`);

    const read = await cli(['tls-fingerprint', '--tls-cert', join(dir, 'ip', 'server-cert.pem')]);
    expect(read).toMatchObject({ code: 0 });
    expect(read.out).toContain(`SHA-256 指纹：${x509.fingerprint256}`);
    expect(read.out).toContain('IP Address:10.0.0.5');

    expect((await cli(['tls-self-signed', '--host', 'lixiao.example.edu.cn', '--out', join(dir, 'dns')])).code).toBe(0);
    const dns = new X509Certificate(readTlsFiles(join(dir, 'dns', 'server-cert.pem'), join(dir, 'dns', 'server-key.pem')).cert);
    expect(dns.checkHost('lixiao.example.edu.cn')).toBe('lixiao.example.edu.cn');
  });

  it('refuses what would go wrong: no host, a bad host, overwriting, a key of another certificate, half of the TLS options', async () => {
    expect(await cli(['tls-self-signed', '--out', join(dir, 'none')])).toMatchObject({ code: 2, err: expect.stringContaining('请用 --host') });
    expect(await cli(['tls-self-signed', '--host', 'bad host!', '--out', join(dir, 'bad')])).toMatchObject({ code: 1, err: expect.stringContaining('既不是 IP 地址也不是主机名') });
    await cli(['tls-self-signed', '--host', '10.0.0.6', '--out', join(dir, 'again')]);
    expect(await cli(['tls-self-signed', '--host', '10.0.0.6', '--out', join(dir, 'again')])).toMatchObject({ code: 1, err: expect.stringContaining('已存在，未覆盖') });
    expect(() => readTlsFiles(join(dir, 'ip', 'server-cert.pem'), join(dir, 'again', 'server-key.pem'))).toThrow(/不配套/);
    expect(() => readTlsFiles(join(dir, 'ip', 'missing.pem'), join(dir, 'ip', 'server-key.pem'))).toThrow(/无法读取证书文件/);
    expect(await cli(['serve', '--tls-cert', join(dir, 'ip', 'server-cert.pem')])).toMatchObject({ code: 2, err: expect.stringContaining('要一起给出') });
    expect(await cli(['tls-fingerprint', '--tls-cert', join(dir, 'nowhere.pem')])).toMatchObject({ code: 1, err: expect.stringContaining('无法读取证书文件') });
  });
});

describe('plain HTTP only to this machine', () => {
  it('an address without a scheme is HTTPS; http:// to another machine is refused with the reason', () => {
    expect(serverOrigin('10.0.0.5:8787')).toBe('https://10.0.0.5:8787');
    expect(serverOrigin(' lixiao.example.edu.cn/ ')).toBe('https://lixiao.example.edu.cn');
    expect(serverOrigin('http://127.0.0.1:8787')).toBe('http://127.0.0.1:8787');
    expect(serverOrigin('http://localhost:8787')).toBe('http://localhost:8787');
    expect(serverOrigin('http://[::1]:8787')).toBe('http://[::1]:8787');
    for (const refused of ['http://10.0.0.5:8787', 'http://lixiao.example.edu.cn', 'http://127.example.com']) {
      expect(() => serverOrigin(refused)).toThrow(/不能用 http:\/\/ 连接.*请使用 https:\/\//);
    }
    expect(() => serverOrigin('ftp://10.0.0.5')).toThrow(/服务器地址「ftp:\/\/10.0.0.5」不正确/);
  });
});

describe.each(BACKENDS)('HTTPS between counters and the server on %s', (backend) => {
  const dir = mkdtempSync(join(tmpdir(), 'lixiao-tls-'));
  let database: ThrowawayDatabase;
  let batchId = '';
  const apps: FastifyInstance[] = [];
  const replicas: Replica[] = [];
  const clients: SyncClient[] = [];
  let selfSigned: CertificateFiles;
  let rotated: CertificateFiles;
  let ca: CertificateFiles;
  let fromCa: CertificateFiles;
  /** The same server (one database) behind three certificates: the first, the one that replaced it, one from the campus CA. */
  let url = { selfSigned: '', rotated: '', fromCa: '' };
  let n = 0;

  async function serve(files: CertificateFiles): Promise<string> {
    const app = await buildServerApp({ db: database.db, https: { cert: files.cert, key: files.key }, watchIntervalMs: 200 });
    apps.push(app);
    return app.listen({ host: '127.0.0.1', port: 0 });
  }

  async function selfSignedFor(name: string): Promise<CertificateFiles> {
    const made = await writeSelfSigned('127.0.0.1', join(dir, name));
    const files = readTlsFiles(made.certPath, made.keyPath);
    return { ...made, ...files };
  }

  async function connect(serverUrl: string, certificate: { pin?: string; caFile?: string }): Promise<Replica> {
    n += 1;
    const replica = await connectCounter({ serverUrl, certificate, operatorNo: 'T-DORM', password: PASSWORD, counterName: `加密柜台${n}`, batchId, path: join(dir, `counter-${n}.db`), registrationCode: await registrationCode(database.db) });
    replicas.push(replica);
    return replica;
  }

  function client(replica: Replica): SyncClient {
    const c = new SyncClient(replica, serverOf(replica)!, { backoffBaseMs: 60_000 });
    clients.push(c);
    return c;
  }

  function pass(replica: Replica, studentNo: string): void {
    const { refusals } = applyOps(replica, readSession(replica.sqlite, replica.batch), [{ kind: 'pass', studentNo, stepId: 'dorm-clearance' }]);
    expect(refusals).toEqual([]);
  }

  function stepStatus(replica: Replica, studentNo: string): string | undefined {
    const row = replica.sqlite.prepare("select status from step_states where student_no = ? and step_id = 'dorm-clearance'").get(studentNo) as { status: string } | undefined;
    return row?.status;
  }

  async function opsOf(replica: Replica): Promise<string[]> {
    const rows = await database.db.select().from(ops).where(eq(ops.deviceId, readSession(replica.sqlite, replica.batch).deviceId));
    return rows.map((r) => r.studentNo);
  }

  async function deviceCount(): Promise<number> {
    return (await database.db.select({ n: count() }).from(devices))[0]!.n;
  }

  beforeAll(async () => {
    selfSigned = await selfSignedFor('first');
    rotated = await selfSignedFor('rotated');
    ca = makeCa(dir, 'campus');
    fromCa = issueFromCa(dir, ca, 'campus-server', 'IP:127.0.0.1');
    database = await openThrowawayDatabase(backend);
    ({ batchId } = await seedSmallWorld(database.db, new BatchCache()));
    url = { selfSigned: await serve(selfSigned), rotated: await serve(rotated), fromCa: await serve(fromCa) };
  });
  afterAll(async () => {
    for (const c of clients) await c.stop();
    for (const r of replicas) if (r.sqlite.open) r.close();
    for (const app of apps) await app.close();
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS; setup shows the fingerprint the admin reads out, before any password is sent', async () => {
    expect(url.selfSigned).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const health = await probeServer(url.selfSigned.replace('https://', ''));
    expect(health).toEqual({ serverUrl: url.selfSigned, check: 'fingerprint', fingerprint: selfSigned.fingerprint });
    const admin = await cli(['tls-fingerprint', '--tls-cert', selfSigned.certPath]);
    expect(admin.out).toContain(health.fingerprint!);

    const before = await deviceCount();
    await expect(connect(url.selfSigned, {})).rejects.toThrow('本柜台尚未核对服务器证书');
    await expect(connect(url.selfSigned, { pin: 'AB:CD' })).rejects.toThrow('64 位十六进制');
    // The operator confirmed another fingerprint than the server shows: nothing reaches the server, not even the password.
    await expect(connect(url.selfSigned, { pin: rotated.fingerprint })).rejects.toThrow(/证书与本柜台设置时核对的不一致/);
    expect(await deviceCount()).toBe(before);
  });

  it('a pinned counter syncs over HTTPS; a changed certificate stops sync with the reason, sending nothing, until the new one is confirmed', async () => {
    // Typed as an admin might read it out: lower case, no colons.
    const replica = await connect(url.selfSigned, { pin: selfSigned.fingerprint.replace(/:/g, '').toLowerCase() });
    expect(readServerTrust(replica.sqlite)).toEqual({ kind: 'pinned', fingerprint: selfSigned.fingerprint });
    const first = client(replica);
    pass(replica, '2023000001');
    await first.sync();
    expect(await opsOf(replica)).toEqual(['2023000001']);
    expect(first.status()).toMatchObject({ state: 'online', unsent: 0, certificateChanged: null });
    await first.stop();

    // The server now answers with another certificate (here: the same database behind the rotated one).
    writeMeta(replica.sqlite, 'serverUrl', url.rotated);
    const after = client(replica);
    pass(replica, '2023000002');
    await expect(after.sync()).rejects.toThrow(/证书与本柜台设置时核对的不一致，已停止同步/);
    const status = after.status();
    expect(status).toMatchObject({ state: 'error', unsent: 1, certificateChanged: { pinned: selfSigned.fingerprint, presented: rotated.fingerprint } });
    expect(status.lastError).toContain(rotated.fingerprint);
    expect(await opsOf(replica)).toEqual(['2023000001']);

    await expect(after.trustCertificate(selfSigned.fingerprint)).rejects.toThrow(`服务器现在出示的证书指纹是 ${rotated.fingerprint}`);
    expect(readServerTrust(replica.sqlite)).toEqual({ kind: 'pinned', fingerprint: selfSigned.fingerprint });
    await after.trustCertificate(rotated.fingerprint);
    expect(readServerTrust(replica.sqlite)).toEqual({ kind: 'pinned', fingerprint: rotated.fingerprint });
    expect(after.status()).toMatchObject({ state: 'online', unsent: 0, certificateChanged: null });
    expect(await opsOf(replica)).toEqual(['2023000001', '2023000002']);
  });

  it('the counter API re-pins from the sync panel: a malformed fingerprint is refused, the right one syncs', async () => {
    const replica = await connect(url.selfSigned, { pin: selfSigned.fingerprint });
    writeMeta(replica.sqlite, 'serverUrl', url.rotated);
    const path = replica.path;
    replica.close();
    const runtime = new CounterRuntime({ path, sync: { backoffBaseMs: 60_000 } });
    try {
      await runtime.ready;
      await runtime.sync!.sync().catch(() => undefined);
      const status = await runtime.dispatch('sync.status', {});
      expect(status).toMatchObject({ ok: true, value: { state: 'error', certificateChanged: { presented: rotated.fingerprint } } });
      expect(await runtime.dispatch('sync.trustCertificate', { fingerprint: 'not hex' })).toMatchObject({ ok: false, error: { code: 'bad_input', message: expect.stringContaining('64 位十六进制') } });
      expect(await runtime.dispatch('sync.trustCertificate', { fingerprint: rotated.fingerprint })).toMatchObject({ ok: true, value: { state: 'online', certificateChanged: null } });
    } finally {
      await runtime.close();
    }
  });

  it('a campus CA file: the server certificate it issued is verified (chain and address); a certificate it did not issue is refused', async () => {
    expect(await probeServer(url.fromCa, ca.certPath)).toEqual({ serverUrl: url.fromCa, check: 'ca', fingerprint: fromCa.fingerprint });
    await expect(probeServer(url.selfSigned, ca.certPath)).rejects.toThrow(/服务器证书未通过所给 CA 证书的核验（DEPTH_ZERO_SELF_SIGNED_CERT）/);
    await expect(probeServer(url.fromCa, join(dir, 'missing-ca.pem'))).rejects.toThrow('无法读取 CA 证书文件');
    await expect(probeServer(url.fromCa, fromCa.keyPath)).rejects.toThrow('不是 PEM 格式的证书');

    const replica = await connect(url.fromCa, { caFile: ca.certPath });
    expect(readServerTrust(replica.sqlite)).toMatchObject({ kind: 'ca' });
    const c = client(replica);
    pass(replica, '2023000003');
    await c.sync();
    expect(await opsOf(replica)).toEqual(['2023000003']);
    // The server's event stream runs over the same checked connection: another counter's op arrives by nudge.
    c.start();
    const other = await connect(url.fromCa, { caFile: ca.certPath });
    pass(other, '2023000004');
    await client(other).sync();
    await vi.waitFor(() => expect(stepStatus(replica, '2023000004')).toBe('passed'), { timeout: 20_000, interval: 100 });
    await c.stop();

    writeMeta(replica.sqlite, 'serverUrl', url.selfSigned);
    const impostor = client(replica);
    const { refusals } = applyOps(replica, readSession(replica.sqlite, replica.batch), [{ kind: 'revoke', studentNo: '2023000003', stepId: 'dorm-clearance', note: '误点' }]);
    expect(refusals).toEqual([]);
    await expect(impostor.sync()).rejects.toThrow(/证书未通过校园 CA 的核验（DEPTH_ZERO_SELF_SIGNED_CERT）/);
    await expect(impostor.trustCertificate(selfSigned.fingerprint)).rejects.toThrow('按校园 CA 核验服务器证书');
    expect(await opsOf(replica)).toEqual(['2023000003']);
  });

  it('--trust-proxy: sign-in limits count the address the local proxy forwards, and only then', async () => {
    const loginLimits = { freePerAddress: 2, freePerOperatorAtAddress: 100, freePerOperator: 100 };
    // A clock that stands still, so no wait runs out during the test; in the past, so the waits it
    // stores (in the database the other tests share) have run out for them.
    const now = () => new Date('2020-01-01T09:00:00Z');
    const behindProxy = await buildServerApp({ db: database.db, trustProxy: true, loginLimits, now });
    const direct = await buildServerApp({ db: database.db, loginLimits, now });
    apps.push(behindProxy, direct);
    const attempt = async (app: FastifyInstance, forwardedFor: string) =>
      (
        await app.inject({
          method: 'POST',
          url: '/api/login',
          remoteAddress: '127.0.0.1',
          headers: { 'x-forwarded-for': forwardedFor },
          payload: { operatorNo: 'T-LIB', password: 'wrong-password' },
        })
      ).statusCode;
    // Three counters behind nginx: each has its own allowance.
    expect([await attempt(behindProxy, '10.0.0.1'), await attempt(behindProxy, '10.0.0.2'), await attempt(behindProxy, '10.0.0.3')]).toEqual([401, 401, 401]);
    // One counter naming another address in front of nginx's own entry gains nothing: the rightmost hop counts.
    const spoofing = ['10.0.0.9', '1.2.3.4, 10.0.0.9', '5.6.7.8, 10.0.0.9', '9.9.9.9, 10.0.0.9'];
    const spoofed: number[] = [];
    for (const header of spoofing) spoofed.push(await attempt(behindProxy, header));
    expect(spoofed).toEqual([401, 401, 401, 429]);
    // Without --trust-proxy the header is ignored: everything from the socket's address shares one allowance.
    const direct4: number[] = [];
    for (const header of ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']) direct4.push(await attempt(direct, header));
    expect(direct4).toEqual([401, 401, 401, 429]);
  });

  it('an address that is plain HTTP to another machine is refused at setup, and a stored one stops sync with the reason', async () => {
    const before = await deviceCount();
    await expect(connect('http://10.0.0.5:8787', {})).rejects.toThrow(/不能用 http:\/\/ 连接 http:\/\/10\.0\.0\.5:8787/);
    const runtime = new CounterRuntime({ path: join(dir, 'never.db') });
    try {
      expect(await runtime.dispatch('setup.probe', { serverUrl: 'http://192.168.1.2:8787' })).toMatchObject({ ok: false, error: { message: expect.stringContaining('请使用 https://') } });
      expect(await runtime.dispatch('setup.login', { serverUrl: 'http://192.168.1.2:8787', operatorNo: 'T-DORM', password: PASSWORD })).toMatchObject({
        ok: false,
        error: { message: expect.stringContaining('未加密的连接') },
      });
    } finally {
      await runtime.close();
    }
    expect(await deviceCount()).toBe(before);

    // A replica set up before HTTPS was required, pointing at another machine over HTTP.
    const replica = await connect(url.selfSigned, { pin: selfSigned.fingerprint });
    writeMeta(replica.sqlite, 'serverUrl', 'http://10.0.0.5:8787');
    const old = client(replica);
    await expect(old.sync()).rejects.toThrow(/不能用 http:\/\/ 连接/);
    expect(readMeta(replica.sqlite, 'serverUrl')).toBe('http://10.0.0.5:8787');
  });
});
