import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src-server/cli';
import { startServer, type RunningServer } from '../../src-server/serve';
import { readReleaseFolder } from '../../src-server/updates/release-folder';
import { CHUNK_SIZE, publishRelease, withdrawRelease } from '../../src-server/updates/release-store';
import { openThrowawayDatabase, type Backend, type ThrowawayDatabase } from '../../src-server/testing/throwaway-database';

/**
 * The update feed end to end: electron-builder-shaped release folders published with the admin
 * CLI, then served by a freshly started server (so the release outlived the CLI's process),
 * read as electron-updater reads it: channel file, whole installer, single and multiple ranges.
 * PGlite is single-process, so there the server is stopped while the CLI writes (docs/server.md);
 * further refusals go through the running server's own database handle. One file per engine
 * (server-updates-pglite / -postgres): a fresh PGlite data folder alone takes a while.
 */

const sha512 = (bytes: Buffer) => createHash('sha512').update(bytes).digest('base64');

interface Release {
  dir: string;
  appImage: Buffer;
  exe: Buffer;
  appImageName: string;
  exeName: string;
}

/** What `npm run dist` leaves in dist/ for Linux and Windows, with real bytes and hashes. */
function writeRelease(root: string, version: string, size = 2 * CHUNK_SIZE + 12_345): Release {
  const dir = join(root, `dist-${version}`);
  mkdirSync(dir, { recursive: true });
  const appImage = randomBytes(size);
  const exe = randomBytes(300_000);
  const appImageName = `lixiao-counter-${version}-linux-x86_64.AppImage`;
  const exeName = `lixiao-counter-${version}-win-x64.exe`;
  writeFileSync(join(dir, appImageName), appImage);
  writeFileSync(join(dir, exeName), exe);
  writeFileSync(join(dir, `${exeName}.blockmap`), randomBytes(2_000));
  const channel = (name: string, bytes: Buffer) =>
    `version: ${version}\nfiles:\n  - url: ${name}\n    sha512: ${sha512(bytes)}\n    size: ${bytes.length}\npath: ${name}\nsha512: ${sha512(bytes)}\nreleaseDate: '2026-06-01T08:00:00.000Z'\n`;
  writeFileSync(join(dir, 'latest-linux.yml'), channel(appImageName, appImage));
  writeFileSync(join(dir, 'latest.yml'), channel(exeName, exe));
  writeFileSync(join(dir, 'builder-debug.yml'), 'x: 1\n');
  return { dir, appImage, exe, appImageName, exeName };
}

/** Splits a multipart/byteranges body into its parts' Content-Range and bytes. */
function parseMultipart(body: Buffer, boundary: string): { range: string; bytes: Buffer }[] {
  const parts: { range: string; bytes: Buffer }[] = [];
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const next = body.indexOf(delimiter, at + delimiter.length);
    if (next < 0) break;
    const part = body.subarray(at + delimiter.length + 2, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, headerEnd).toString();
    parts.push({ range: /Content-Range: (.*)/.exec(headers)![1]!.trim(), bytes: part.subarray(headerEnd + 4) });
    at = next;
  }
  return parts;
}

export function describeUpdateFeed(backend: Backend): void {
  describe(`counter update feed on ${backend}`, () => {
    const root = mkdtempSync(join(tmpdir(), 'lixiao-updates-'));
    const savedUrl = process.env.DATABASE_URL;
    let pg: ThrowawayDatabase | null = null;
    let dbArgs: string[] = [];
    let server: RunningServer | null = null;
    const v1 = writeRelease(root, '1.1.0');
    const v2 = writeRelease(root, '1.2.0');

    beforeAll(async () => {
      if (backend === 'postgres') {
        pg = await openThrowawayDatabase('postgres');
        process.env.DATABASE_URL = pg.url!;
      } else {
        delete process.env.DATABASE_URL;
        dbArgs = ['--data-dir', join(root, 'data')];
      }
      await restartServer();
    });
    afterAll(async () => {
      await server?.close();
      if (savedUrl === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = savedUrl;
      await pg?.close();
      rmSync(root, { recursive: true, force: true });
    });

    async function cli(...args: string[]) {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli([...dbArgs, ...args], (l) => out.push(l), (l) => err.push(l));
      return { code, out: out.join('\n'), err: err.join('\n') };
    }

    /** A server started after the CLI has closed the database, as an IT office would run them. */
    async function restartServer(): Promise<void> {
      await server?.close();
      server = await startServer(pg ? { url: pg.url! } : { dataDir: join(root, 'data') }, { host: '127.0.0.1', port: 0, logger: false });
    }

    /**
     * An admin command that writes. PostgreSQL serves the server and the CLI at once; PGlite is
     * single-process, so there the server stops meanwhile and starts again (unless `last`).
     */
    async function admin(args: string[], { last = false } = {}) {
      if (backend === 'postgres') return cli(...args);
      await server?.close();
      server = null;
      const result = await cli(...args);
      if (!last) await restartServer();
      return result;
    }

    const get = async (path: string, headers: Record<string, string> = {}) => {
      const response = await fetch(`${server!.url}${path}`, { headers });
      return { response, body: Buffer.from(await response.arrayBuffer()) };
    };

    it('refuses a folder whose installer does not match the sha512 in its yml, and stores nothing', async () => {
      const bad = writeRelease(root, '1.0.9');
      const corrupt = Buffer.from(bad.appImage);
      corrupt[1000] = corrupt[1000]! ^ 0xff;
      writeFileSync(join(bad.dir, bad.appImageName), corrupt);
      const result = await cli('publish-update', bad.dir);
      expect(result.code).toBe(1);
      expect(result.err).toContain(`${bad.appImageName} 的 sha512 与 latest-linux.yml 记录的不一致`);
    });

    it('refuses a folder without channel files and a truncated installer, in Chinese', async () => {
      const empty = join(root, 'empty');
      mkdirSync(empty);
      expect((await cli('publish-update', empty)).err).toContain('中没有 latest*.yml 更新信息文件');
      const short = writeRelease(root, '1.0.8');
      writeFileSync(join(short.dir, short.exeName), short.exe.subarray(0, 1000));
      expect((await cli('publish-update', short.dir)).err).toContain(`${short.exeName} 的大小（1000 字节）与 latest.yml 记录的 300000 字节不符`);
      expect((await cli('publish-update', join(root, 'nowhere'))).err).toContain('找不到文件夹');
    });

    it('publishes a release, and a restarted server serves its channel files and installers', async () => {
      const published = await admin(['publish-update', v1.dir]);
      expect(published.code).toBe(0);
      expect(published.out).toContain('已发布版本 1.1.0：5 个文件');
      expect(published.out).toContain('未发布（更新信息中没有列出）：builder-debug.yml');

      const channel = await get('/updates/latest-linux.yml');
      expect(channel.response.status).toBe(200);
      expect(channel.response.headers.get('cache-control')).toBe('no-cache');
      const info = load(channel.body.toString()) as { version: string; files: { url: string; sha512: string }[]; stagingPercentage?: number };
      expect(info.version).toBe('1.1.0');
      expect(info.files[0]!.url).toBe(v1.appImageName);
      expect(info.stagingPercentage).toBeUndefined();

      const whole = await get(`/updates/${v1.appImageName}`);
      expect(whole.response.status).toBe(200);
      expect(whole.response.headers.get('accept-ranges')).toBe('bytes');
      expect(Number(whole.response.headers.get('content-length'))).toBe(v1.appImage.length);
      expect(sha512(whole.body)).toBe(info.files[0]!.sha512);

      const blockmap = await get(`/updates/${v1.exeName}.blockmap`);
      expect(blockmap.body.equals(readFileSync(join(v1.dir, `${v1.exeName}.blockmap`)))).toBe(true);
      const missing = await get('/updates/nothing-here.exe');
      expect(missing.response.status).toBe(404);
      expect(JSON.parse(missing.body.toString())).toMatchObject({ error: { message: '没有这个更新文件：nothing-here.exe' } });
    });

    it('answers a range across a chunk boundary with 206 and exactly those bytes', async () => {
      const start = CHUNK_SIZE - 100;
      const end = CHUNK_SIZE + 99;
      const { response, body } = await get(`/updates/${v1.appImageName}`, { range: `bytes=${start}-${end}` });
      expect(response.status).toBe(206);
      expect(response.headers.get('content-range')).toBe(`bytes ${start}-${end}/${v1.appImage.length}`);
      expect(body.equals(v1.appImage.subarray(start, end + 1))).toBe(true);

      const tail = await get(`/updates/${v1.appImageName}`, { range: 'bytes=-500' });
      expect(tail.response.status).toBe(206);
      expect(tail.body.equals(v1.appImage.subarray(v1.appImage.length - 500))).toBe(true);

      const past = await get(`/updates/${v1.appImageName}`, { range: `bytes=${v1.appImage.length + 10}-` });
      expect(past.response.status).toBe(416);
      expect(past.response.headers.get('content-range')).toBe(`bytes */${v1.appImage.length}`);
    });

    it('answers electron-updater\'s multi-range request (differential download) as multipart/byteranges', async () => {
      const ranges = [
        [0, 99],
        [CHUNK_SIZE * 2, CHUNK_SIZE * 2 + 4_999],
        [v1.appImage.length - 10, v1.appImage.length - 1],
      ] as const;
      const { response, body } = await get(`/updates/${v1.appImageName}`, { range: `bytes=${ranges.map(([a, b]) => `${a}-${b}`).join(', ')}` });
      expect(response.status).toBe(206);
      const boundary = /boundary=(\S+)/.exec(response.headers.get('content-type')!)![1]!;
      expect(Number(response.headers.get('content-length'))).toBe(body.length);
      const parts = parseMultipart(body, boundary);
      expect(parts.map((p) => p.range)).toEqual(ranges.map(([a, b]) => `bytes ${a}-${b}/${v1.appImage.length}`));
      parts.forEach((part, i) => expect(part.bytes.equals(v1.appImage.subarray(ranges[i]![0], ranges[i]![1] + 1))).toBe(true));
    });

    it('stages a newer release to a share of counters, then to all, and refuses a version that is not higher', async () => {
      const staged = await admin(['publish-update', v2.dir, '--stage', '20']);
      expect(staged.code).toBe(0);
      expect(staged.out).toContain('先推送给约 20% 的柜台');
      let info = load((await get('/updates/latest.yml')).body.toString()) as { version: string; stagingPercentage?: number };
      expect(info).toMatchObject({ version: '1.2.0', stagingPercentage: 20 });

      expect((await admin(['updates', 'stage', '1.2.0', '100'])).out).toContain('现推送给全部柜台');
      info = load((await get('/updates/latest.yml')).body.toString()) as { version: string; stagingPercentage?: number };
      expect(info.version).toBe('1.2.0');
      expect(info.stagingPercentage).toBeUndefined();

      expect((await cli('updates', 'stage', '1.2.0', '0')).err).toContain('推送比例必须是 1 到 100 之间的整数');
      const db = server!.database.db;
      const lower = writeRelease(root, '1.1.5');
      await expect(publishRelease(db, await readReleaseFolder(lower.dir))).rejects.toThrow('版本 1.1.5 不高于正在提供的 1.2.0');
      await expect(publishRelease(db, await readReleaseFolder(v2.dir))).rejects.toThrow('版本 1.2.0 已发布过');
    });

    it('withdraws a release: the feed falls back to the previous one, its installer is gone, the list says so', async () => {
      const withdrawn = await admin(['updates', 'withdraw', '1.2.0']);
      expect(withdrawn.code).toBe(0);
      expect(withdrawn.out).toContain('已撤回版本 1.2.0');
      const info = load((await get('/updates/latest-linux.yml')).body.toString()) as { version: string };
      expect(info.version).toBe('1.1.0');
      expect((await get(`/updates/${v2.appImageName}`)).response.status).toBe(404);
      expect((await get(`/updates/${v1.appImageName}`)).response.status).toBe(200);

      const db = server!.database.db;
      await expect(withdrawRelease(db, '1.2.0')).rejects.toThrow('版本 1.2.0 已于');
      await expect(withdrawRelease(db, '9.9.9')).rejects.toThrow('没有发布过版本 9.9.9');
      await expect(publishRelease(db, await readReleaseFolder(v2.dir))).rejects.toThrow('曾发布并已撤回，不能再用同一版本号发布');

      // The refused 1.0.9 (wrong sha512) and 1.1.5 (not higher) left nothing behind.
      const list = (await admin(['updates', 'list'], { last: true })).out;
      expect(list.split('\n').filter((l) => !l.startsWith(' '))).toEqual([
        expect.stringMatching(/^1\.2\.0 {2}发布于 .* {2}已撤回/),
        expect.stringMatching(/^1\.1\.0 {2}发布于 .* {2}推送给全部柜台$/),
      ]);
    });
  });
}
