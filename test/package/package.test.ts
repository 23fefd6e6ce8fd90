import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { extractFile, listPackage, statFile } from '@electron/asar';
import { FuseState, FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { Arch, build, Platform } from 'electron-builder';
import { load } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { launchSettings } from '../../src-main/electron/launch-settings';
import { writeFakeElectronDist } from './fake-electron';
import { importedPackages, packedPackages, runtimeClosure } from './runtime-closure';

/**
 * electron-builder packs the built app (out/) for Linux with the repository's electron-builder.yml,
 * its `dir` target (the unpacked app every installer wraps). The Electron binary cannot be
 * downloaded here, so a named fake stands in for it (fake-electron.ts), and better-sqlite3 is
 * not rebuilt for Electron (that needs Electron's headers from the internet; the release
 * workflow does it). Everything else is the real packaging: files, asar, unpacking, fuses.
 */
const root = resolve(import.meta.dirname, '../..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const electronVersion = (JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')) as { version: string }).version;
const nameOf = (path: string) => path.split('node_modules/').pop()!;

async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) found.push(...(await filesUnder(dir, rel)));
    else found.push(rel);
  }
  return found;
}

async function sizeOf(path: string): Promise<number> {
  if (!statSync(path).isDirectory()) return statSync(path).size;
  let total = 0;
  for (const entry of await readdir(path)) total += await sizeOf(join(path, entry));
  return total;
}

describe('the packaged counter (electron-builder, linux dir target, fake Electron)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'lixiao-package-'));
  const appDir = join(tmp, 'dist', 'linux-unpacked');
  const asarPath = join(appDir, 'resources', 'app.asar');
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('builds, with the built main, preload and renderer in app.asar and nothing else of the repository', async () => {
    for (const built of ['out/main/index.js', 'out/main/backend-worker.js', 'out/preload/index.cjs', 'out/renderer/index.html']) {
      if (!existsSync(join(root, built))) throw new Error(`缺少 ${built}：请先运行 npm run build`);
    }
    await build({
      projectDir: root,
      targets: Platform.LINUX.createTarget('dir', Arch.x64),
      publish: 'never',
      config: {
        electronDist: writeFakeElectronDist(join(tmp, 'fake-electron-dist'), electronVersion),
        electronVersion,
        npmRebuild: false,
        directories: { output: join(tmp, 'dist') },
      },
    });
    const files = listPackage(asarPath, { isPack: false }).map((f) => f.replace(/\\/g, '/'));
    for (const built of ['/out/main/index.js', '/out/main/backend-worker.js', '/out/preload/index.cjs', '/out/renderer/index.html']) expect(files).toContain(built);
    const own = files.filter((f) => !f.startsWith('/node_modules'));
    expect(own.filter((f) => !f.startsWith('/out') && f !== '/package.json')).toEqual([]);
    expect(own.filter((f) => f.endsWith('.map'))).toEqual([]);
    const packedManifest = JSON.parse(extractFile(asarPath, 'package.json').toString()) as { version: string; main: string };
    expect(packedManifest).toMatchObject({ version: manifest.version, main: 'out/main/index.js' });
  });

  it('holds exactly the packages the built main process and worker import, no devDependency and nothing of the server', () => {
    const packed = new Set([...packedPackages(listPackage(asarPath, { isPack: false }))].map(nameOf));
    const needed = new Set([...runtimeClosure(root, importedPackages(join(root, 'out/main')))].map(nameOf));
    expect(needed).toContain('electron-updater');
    expect([...needed].filter((n) => !packed.has(n) && !n.startsWith('@types/'))).toEqual([]);
    expect([...packed].filter((n) => !needed.has(n))).toEqual([]);
    const devOnly = Object.keys(manifest.devDependencies).filter((n) => !needed.has(n));
    expect(devOnly.filter((n) => packed.has(n))).toEqual([]);
    for (const serverOrRenderer of ['fastify', '@electric-sql/pglite', 'pg', 'react', 'react-dom', '@fontsource/noto-sans-sc']) expect(packed).not.toContain(serverOrRenderer);
  });

  it('unpacks better-sqlite3 (its native module, no build leftovers) where the packaged worker loads it from', async () => {
    const binding = launchSettings({ isPackaged: true, env: {}, argv: [], userData: tmp, resourcesPath: join(appDir, 'resources') }).nativeBinding!;
    expect(existsSync(binding)).toBe(true);
    expect(statFile(asarPath, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node', false)).toMatchObject({ unpacked: true });
    expect(listPackage(asarPath, { isPack: false }).filter((f) => /better-sqlite3[/\\](deps|src)[/\\]/.test(f))).toEqual([]);
    // electron-builder unpacks the whole module that holds native code; nothing else is unpacked.
    const unpacked = await filesUnder(join(appDir, 'resources', 'app.asar.unpacked'));
    expect(unpacked).toContain('node_modules/better-sqlite3/build/Release/better_sqlite3.node');
    expect(unpacked.filter((f) => !f.startsWith('node_modules/better-sqlite3/') || f.endsWith('.a') || f.includes('/obj'))).toEqual([]);
  });

  it('flips the fuses in the Electron binary', async () => {
    const wire = await getCurrentFuseWire(join(appDir, 'lixiao-counter'));
    expect({
      runAsNode: wire[FuseV1Options.RunAsNode],
      nodeOptions: wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable],
      inspect: wire[FuseV1Options.EnableNodeCliInspectArguments],
      cookieEncryption: wire[FuseV1Options.EnableCookieEncryption],
      onlyAsar: wire[FuseV1Options.OnlyLoadAppFromAsar],
      asarIntegrity: wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation],
      fileProtocolPrivileges: wire[FuseV1Options.GrantFileProtocolExtraPrivileges],
    }).toEqual({
      runAsNode: FuseState.DISABLE,
      nodeOptions: FuseState.DISABLE,
      inspect: FuseState.DISABLE,
      cookieEncryption: FuseState.ENABLE,
      onlyAsar: FuseState.ENABLE,
      asarIntegrity: FuseState.ENABLE,
      fileProtocolPrivileges: FuseState.DISABLE,
    });
  });

  it('configures electron-updater for a generic feed, and says how big the package is', async () => {
    const updateConfig = load(readFileSync(join(appDir, 'resources', 'app-update.yml'), 'utf8')) as { provider: string };
    expect(updateConfig.provider).toBe('generic');
    const asarMb = statSync(asarPath).size / 1024 / 1024;
    const unpackedMb = (await sizeOf(join(appDir, 'resources', 'app.asar.unpacked'))) / 1024 / 1024;
    console.log(`[package] app.asar ${asarMb.toFixed(1)} MB, app.asar.unpacked ${unpackedMb.toFixed(1)} MB (without the Electron runtime)`);
    // About 61 MB today (the renderer's CJK print font, exceljs, drizzle-orm); PGlite alone would add 27 MB.
    expect(asarMb).toBeLessThan(75);
  });
});
