import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Where the Electron binary exists, launch the real app; where it does not (this build
 * machine), callers fall back to the browser host. Electron's own Node has a different ABI
 * from the Node that runs tests, so better-sqlite3 gets a second build just for Electron.
 */
const root = resolve(import.meta.dirname, '..');

export function electronBinary(): string | null {
  // Read the package's own record instead of require('electron'): that tries a download when
  // the binary is missing, which here only prints a stack trace after a network wait.
  const pkg = join(root, 'node_modules/electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

function electronVersion(): string {
  return (JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')) as { version: string }).version;
}

/** Builds better-sqlite3 against Electron's headers once, beside the Node build, and returns the .node path. */
export function ensureElectronSqlite(): string {
  const version = electronVersion();
  const dir = join(root, 'build', `electron-${version}`, 'better-sqlite3');
  const binding = join(dir, 'build', 'Release', 'better_sqlite3.node');
  if (existsSync(binding)) return binding;
  mkdirSync(dir, { recursive: true });
  cpSync(join(root, 'node_modules/better-sqlite3'), dir, { recursive: true, filter: (src) => !src.includes('/build/') });
  const gyp = spawnSync(
    'npx',
    ['--yes', 'node-gyp', 'rebuild', '--release', `--target=${version}`, '--runtime=electron', '--dist-url=https://electronjs.org/headers'],
    { cwd: dir, stdio: 'inherit', env: { ...process.env, npm_config_nodedir: '' } },
  );
  if (gyp.status !== 0 || !existsSync(binding)) {
    throw new Error(`为 Electron ${version} 编译 better-sqlite3 失败；可改用浏览器模式：npm run demo -- --browser`);
  }
  return binding;
}

export function launchElectron(args: string[], env: Record<string, string>): ChildProcess {
  const binary = electronBinary();
  if (!binary) throw new Error('未安装 Electron 程序文件');
  return spawn(binary, [join(root, 'out/main/index.js'), ...args], {
    stdio: 'inherit',
    env: { ...process.env, ...env, LIXIAO_SQLITE_BINDING: ensureElectronSqlite() },
  });
}

/** The counter (electron-vite) and the console (vite, out/console) are built by `npm run build`. */
export function ensureBuilt(): void {
  const built = ['out/renderer/index.html', 'out/main/index.js', 'out/console/index.html'].every((f) => existsSync(join(root, f)));
  if (built) return;
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('构建失败（npm run build），请查看上面的输出');
}

export const projectRoot = root;
