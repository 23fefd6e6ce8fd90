import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRoster } from '../../src-shared/demo/roster';
import { parseBatchDefinitionText } from '../../src-shared/domain/batch-definition';
import { createReplica, type Replica } from '../../src-main/db';
import { createCounterService, type CounterService } from '../../src-main/counter/service';
import { startBrowserHost, type BrowserHost } from '../../src-main/host/browser-host';

const batch = parseBatchDefinitionText(readFileSync(join(__dirname, '../../resources/demo-batch.json'), 'utf8'));
const { students, initial } = generateRoster(batch, { seed: 3, size: 200 });

let replica: Replica;
let service: CounterService;
let host: BrowserHost;
let base: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lixiao-host-'));
  const rendererDir = join(dir, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>离校办理台</title><script type="module" src="/assets/app.js"></script>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'not for the browser');
  replica = createReplica(join(dir, 'counter.db'), batch, students, initial, {
    deviceId: 'counter-1',
    operator: { id: 'op-1', name: '王老师' },
    grants: [{ checkpointId: 'dorm', colleges: 'all' }],
  });
  service = createCounterService(replica);
  host = await startBrowserHost({ service, rendererDir });
  base = `http://127.0.0.1:${host.port}`;
});
afterAll(async () => {
  await host.close();
  replica.close();
});

function call(method: string, body: string, token: string | null = host.token): Promise<Response> {
  return fetch(`${base}/api/call/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token === null ? {} : { Authorization: `Bearer ${token}` }) },
    body,
  });
}

/** A raw request, for what fetch will not send: a foreign Host header, an unnormalised path. */
function raw(path: string, headers: Record<string, string> = {}, { method = 'GET', body }: { method?: string; body?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, headers, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

describe('browser host', () => {
  it('gives a loopback URL carrying a fresh random token', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${host.token}`);
    expect(host.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('serves the renderer with a strict Content-Security-Policy', async () => {
    const res = await fetch(`${base}/?token=${host.token}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy') ?? '';
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "connect-src 'self'",
      "font-src 'self' data:",
      "img-src 'self' data: blob:",
      "media-src 'self' blob: mediastream:",
      "style-src 'self' 'unsafe-inline'",
    ]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain('unsafe-eval');
    expect(await res.text()).toContain('离校办理台');
    const js = await fetch(`${base}/assets/app.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
  });

  it('never serves files outside the renderer folder, nor to a foreign Host', async () => {
    expect((await raw('/..%2fsecret.txt')).status).toBe(404);
    expect((await raw('/../secret.txt')).status).toBe(404);
    const rebound = await raw('/', { Host: `evil.example:${host.port}` });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('turns a foreign Host away from the API too, even with the right token, before anything runs', async () => {
    const foreign = { Host: `evil.example:${host.port}`, Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' };
    const target = service.call('students.search', { current: 'notDone', limit: 1 }).rows[0]!.studentNo;
    const outbox = () => replica.sqlite.prepare('select count(*) as n from outbox').get();
    const before = outbox();
    const write = await raw('/api/call/steps.apply', foreign, { method: 'POST', body: JSON.stringify({ studentNo: target, stepId: 'dorm-clearance', action: 'pass' }) });
    expect(write.status).toBe(403);
    expect(JSON.parse(write.body)).toEqual({ ok: false, error: { code: 'forbidden', message: '拒绝访问：请通过 127.0.0.1 打开离校办理台' } });
    expect(outbox()).toEqual(before);
    const read = await raw('/api/call/session.get', foreign, { method: 'POST', body: '{}' });
    expect(read.status).toBe(403);
    const events = await raw(`/api/events?token=${host.token}`, { Host: `evil.example:${host.port}` });
    expect(events.status).toBe(403);
    expect(JSON.parse(events.body)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('requires the token on every API call', async () => {
    // The same length reaches the constant-time comparison itself.
    const sameLength = host.token.slice(0, -1) + (host.token.at(-1) === 'A' ? 'B' : 'A');
    for (const token of [null, 'wrong-token', sameLength]) {
      const res = await call('session.get', '{}', token);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        ok: false,
        error: { code: 'unauthorized', message: '访问令牌无效，请使用离校办理台启动时显示的网址打开' },
      });
    }
  });

  it('answers a call round trip with the service result', async () => {
    const res = await call('session.get', '{}');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, value: service.call('session.get', {}) });
    const s = students[0];
    const lookup = (await (await call('students.lookup', JSON.stringify({ text: s?.studentNo }))).json()) as {
      ok: true;
      value: { students: { studentNo: string }[] };
    };
    expect(lookup.value.students.map((x) => x.studentNo)).toEqual([s?.studentNo]);
  });

  it('reports domain errors with HTTP 200 and transport errors with their status, all in Chinese', async () => {
    const notFound = await call('students.detail', JSON.stringify({ studentNo: '0000000000' }));
    expect(notFound.status).toBe(200);
    expect(await notFound.json()).toEqual({ ok: false, error: { code: 'not_found', message: '未找到学生：0000000000' } });

    const badJson = await call('students.detail', '{"studentNo": ');
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toEqual({ ok: false, error: { code: 'bad_input', message: '请求内容不是有效的 JSON' } });

    const unknown = await call('students.delete', '{}');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ ok: false, error: { code: 'not_found', message: '未知的接口：students.delete' } });

    const huge = await call('students.lookup', JSON.stringify({ text: 'x'.repeat(1024 * 1024 + 1) }));
    expect(huge.status).toBe(413);
    expect(await huge.json()).toEqual({ ok: false, error: { code: 'bad_input', message: '请求内容过大（超过 1 MB）' } });

    const get = await fetch(`${base}/api/call/session.get`, { headers: { Authorization: `Bearer ${host.token}` } });
    expect(get.status).toBe(405);
  });

  it('pushes a change event over server-sent events after a change', async () => {
    const sameLength = host.token.slice(0, -1) + (host.token.at(-1) === 'A' ? 'B' : 'A');
    // As many characters as the token but more bytes: refused, not a crash in the comparison.
    const wideChar = encodeURIComponent(host.token.slice(0, -1) + '离');
    for (const query of ['', '?token=wrong', `?token=${sameLength}`, `?token=${wideChar}`]) {
      const refused = await fetch(`${base}/api/events${query}`);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    }
    const controller = new AbortController();
    const res = await fetch(`${base}/api/events?token=${host.token}`, { signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let received = decoder.decode((await reader.read()).value);
    expect(received).toContain(': connected');

    const target = service.call('students.search', { current: 'notDone', limit: 1 }).rows[0]?.studentNo ?? '';
    const applied = await call('steps.apply', JSON.stringify({ studentNo: target, stepId: 'dorm-clearance', action: 'pass' }));
    expect(((await applied.json()) as { ok: boolean }).ok).toBe(true);

    while (!/data: .*\n\n/.test(received)) received += decoder.decode((await reader.read()).value);
    const line = received.split('\n').find((l) => l.startsWith('data: ')) ?? '';
    expect(JSON.parse(line.slice('data: '.length))).toEqual({ type: 'changed', studentNos: [target], source: 'local' });
    controller.abort();
  });

  it('refuses to listen on anything but the loopback interface', async () => {
    await expect(startBrowserHost({ service, rendererDir: '.', host: '0.0.0.0' })).rejects.toThrow(
      '浏览器模式只能监听本机地址（127.0.0.1），不能监听 0.0.0.0',
    );
  });
});
