import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test, type Page } from '@playwright/test';
import type { ApiResponse, Input, Method, Output } from '../../src-shared/contract/counter-api';

const READY_TIMEOUT_MS = 150_000;
const URL_PATTERN = /http:\/\/127\.0\.0\.1:\d+\/\?token=[^\s"'<>]+/;

export interface DemoHost {
  /** The page URL with its token, as the host printed it. */
  url: string;
  origin: string;
  token: string;
  /** Where the demo keeps its server data and the counter's replica (`counter-1.db`). */
  dataDir: string;
  /** The counter API straight over HTTP, to find fitting students and check the screen's claims. */
  call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>>;
  stop(): Promise<void>;
}

/**
 * The real back end for one test file: the demo command on a fresh data directory and a free
 * port. LIXIAO_E2E_HOST_COMMAND may replace the command (same flags are appended).
 */
export async function startDemoHost(size = 300): Promise<DemoHost> {
  const demo = await runDemo(['--port', '0', '--size', String(size)], (output) => URL_PATTERN.exec(output)?.[0] ?? null);
  const url = demo.ready;
  const parsed = new URL(url);
  const token = parsed.searchParams.get('token') ?? '';
  const origin = parsed.origin;

  return {
    url,
    origin,
    token,
    dataDir: demo.dataDir,
    call: (method, input) => callCounter(url, method, input),
    stop: demo.stop,
  };
}

/**
 * One demo host for the tests of a spec file: started before them, stopped after them. The
 * returned host is usable inside tests and hooks that run after the start.
 */
export function useDemoHost(size = 300): DemoHost {
  let started: DemoHost | null = null;
  const current = () => {
    if (!started) throw new Error('the demo host is started in beforeAll; use it inside tests');
    return started;
  };
  test.beforeAll(async () => {
    started = await startDemoHost(size);
  });
  test.afterAll(async () => {
    await started?.stop();
  });
  return {
    get url() {
      return current().url;
    },
    get origin() {
      return current().origin;
    },
    get token() {
      return current().token;
    },
    get dataDir() {
      return current().dataDir;
    },
    call: (method, input) => current().call(method, input),
    stop: () => current().stop(),
  };
}

/** A screenshot under test-results/, to look at after the run. */
export const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/${name}.png` });

/** The counter API of the counter whose page URL (with its token) the demo printed. */
export async function callCounter<M extends Method>(url: string, method: M, input: Input<M>): Promise<Output<M>> {
  const parsed = new URL(url);
  const response = await fetch(`${parsed.origin}/api/call/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${parsed.searchParams.get('token')}` },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as ApiResponse<Output<M>>;
  if (!body.ok) throw new Error(`${method}: ${body.error.code} ${body.error.message}`);
  return body.value;
}

/** Resolves with what `ready` finds in the demo's output, or rejects (and stops it) on exit or timeout. */
export interface RunningDemo<T> {
  /** What the readiness check found in the demo's output. */
  ready: T;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * The demo command (`--browser --no-open` on a fresh data directory or the one given, plus `flags`), ready when
 * `ready` finds what the test needs in its output. LIXIAO_E2E_HOST_COMMAND may replace the command.
 */
export async function runDemo<T>(flags: string[], ready: (output: string) => T | null, options: { dataDir?: string } = {}): Promise<RunningDemo<T>> {
  // A data directory passed in belongs to the caller (a test re-running the demo on it) and is kept.
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'lixiao-e2e-'));
  const [command, ...args] = (process.env['LIXIAO_E2E_HOST_COMMAND'] ?? 'npx tsx scripts/demo.ts').split(' ');
  const child = spawn(command ?? 'npx', [...args, '--browser', '--no-open', '--data', dataDir, ...flags], {
    cwd: join(import.meta.dirname, '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group, so stop() also ends what npx and tsx started underneath.
    detached: true,
  });
  const found = await waitForOutput(child, ready);
  return {
    ready: found,
    dataDir,
    async stop() {
      await stopProcessGroup(child);
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** `npm run counter -- --db FILE` on a replica the test made, ready when it prints its page URL. */
export async function runCounterScript(db: string): Promise<RunningDemo<string>> {
  const child = spawn('npx', ['tsx', 'scripts/counter.ts', '--db', db, '--port', '0'], {
    cwd: join(import.meta.dirname, '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const url = await waitForOutput(child, (output) => URL_PATTERN.exec(output)?.[0] ?? null);
  return { ready: url, dataDir: dirname(db), stop: () => stopProcessGroup(child) };
}

function waitForOutput<T>(child: ChildProcess, ready: (output: string) => T | null): Promise<T> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`demo printed nothing usable within ${READY_TIMEOUT_MS} ms:\n${output}`)), READY_TIMEOUT_MS);
    const onExit = (code: number | null) => fail(new Error(`demo exited with ${code} before it was ready:\n${output}`));
    const fail = (error: Error) => {
      clearTimeout(timer);
      void stopProcessGroup(child);
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const found = ready(output);
      if (found !== null) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.off('exit', onExit);
        resolve(found);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', onExit);
  });
}

async function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5000));
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * Wedge thresholds for specs whose scans reach the page only through the detector (quick mode,
 * where no search field takes the typed text). Playwright's keys are CDP round trips, and on a
 * loaded 2-core machine one has stalled for over 1.5 s mid-code: a short gap limit or an idle
 * commit then cuts the scan in two. Scans end with Enter here, so the idle commit is off. The
 * default thresholds are covered by the wedge detector's unit tests.
 */
export const WIDE_SCANNER_SETTINGS = { maxGapMs: 5000, maxAverageGapMs: 500, idleCommitMs: 0 };

/** Reader timing as a desk sets it in 柜台设置 (kept in the replica), on the counter behind `host`. */
export async function setScannerTiming(host: Pick<DemoHost, 'call'>, timing: Partial<Output<'desk.settings'>['settings']['scanner']>): Promise<void> {
  const { settings } = await host.call('desk.settings', {});
  await host.call('desk.saveSettings', { ...settings, scanner: { ...settings.scanner, ...timing } });
}
