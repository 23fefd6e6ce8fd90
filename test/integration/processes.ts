import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import type { ApiResponse } from '../../src-shared/contract/counter-api';
import type { DatabaseTarget } from '../../src-server/db/database';

/** The server and the counter back end as real processes, so the crash tests can SIGKILL them. */

const root = resolve(import.meta.dirname, '../..');

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Waits for a line of the child's stdout that matches; fails if the child exits first. */
function lineOf(child: ChildProcess, pattern: RegExp, what: string, timeoutMs = 60_000): Promise<RegExpExecArray> {
  return new Promise((done, fail) => {
    let out = '';
    let err = '';
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      child.stdout!.off('data', onOut);
      child.stderr!.off('data', onErr);
      child.off('exit', onExit);
      settle();
    };
    const onOut = (chunk: Buffer) => {
      out += chunk.toString();
      const match = pattern.exec(out);
      if (match) finish(() => done(match));
    };
    const onErr = (chunk: Buffer) => (err += chunk.toString());
    const onExit = (code: number | null, signal: string | null) => finish(() => fail(new Error(`${what}: exited (${code ?? signal})\n${err}`)));
    const timer = setTimeout(() => finish(() => fail(new Error(`${what}: not within ${timeoutMs} ms\n${out}\n${err}`))), timeoutMs);
    child.stdout!.on('data', onOut);
    child.stderr!.on('data', onErr);
    child.on('exit', onExit);
  });
}

export interface ServerProcess extends ChildProcess {
  /** Resolves when the server prints a line matching the pattern. */
  prints(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

/** `npm run server` as a real process group, optionally with a fault injector imported first. */
export async function startServerProcess(target: DatabaseTarget, port: number, { preload, env: extra = {} }: ProcessOptions = {}): Promise<ServerProcess> {
  const args = ['--import', 'tsx', ...(preload ? ['--import', preload] : []), 'src-server/cli.ts', 'serve', '--host', '127.0.0.1', '--port', String(port)];
  const env = { ...process.env, ...extra };
  if ('url' in target) env.DATABASE_URL = target.url;
  else {
    delete env.DATABASE_URL;
    args.push('--data-dir', (target as { dataDir: string }).dataDir);
  }
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  await lineOf(child, /服务器已启动/, 'server');
  return Object.assign(child, { prints: (pattern: RegExp, timeoutMs?: number) => lineOf(child, pattern, 'server', timeoutMs) });
}

/** Resolves once the child has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  const gone = exited(child);
  if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, signal);
  return gone;
}

/** SIGKILL to the whole process group, as with a power cut; resolves once the child is gone. */
export function killHard(child: ChildProcess): Promise<void> {
  return signalGroup(child, 'SIGKILL');
}

/** SIGTERM: the back end closes its files and connections before it exits. */
export function stopGently(child: ChildProcess): Promise<void> {
  return signalGroup(child, 'SIGTERM');
}

export interface CounterProcess {
  child: ChildProcess;
  /** One counter API call over the browser host; an `ok: false` answer throws its message. */
  call<T>(method: string, input?: unknown): Promise<T>;
  /** Resolves when the child prints a line matching the pattern. */
  prints(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

export interface ProcessOptions {
  /** A module imported before the process's code (a fault injector), and its environment. */
  preload?: string;
  env?: Record<string, string>;
}

/**
 * `npm run counter -- --db <file>`: the counter back end the app runs (CounterRuntime with its
 * sync client behind the browser host) on a replica file.
 */
export async function startCounterProcess(dbPath: string, { preload, env = {} }: ProcessOptions = {}): Promise<CounterProcess> {
  const args = ['--import', 'tsx', ...(preload ? ['--import', preload] : []), 'scripts/counter.ts', '--db', dbPath];
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const prints = (pattern: RegExp, timeoutMs?: number) => lineOf(child, pattern, 'counter', timeoutMs);
  const [, url] = await prints(/已启动: (\S+)/);
  const address = new URL(url!);
  const token = address.searchParams.get('token')!;
  return {
    child,
    prints,
    call: async <T>(method: string, input: unknown = {}) => {
      const res = await fetch(`${address.origin}/api/call/${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      const body = (await res.json()) as ApiResponse<T>;
      if (!body.ok) throw new Error(`${method}: ${body.error.message}`);
      return body.value;
    },
  };
}
