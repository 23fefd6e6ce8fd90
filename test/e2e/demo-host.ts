import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiResponse, Input, Method, Output } from '../../src-shared/contract/counter-api';

const READY_TIMEOUT_MS = 120_000;
const URL_PATTERN = /http:\/\/127\.0\.0\.1:\d+\/\?token=[^\s"'<>]+/;

export interface DemoHost {
  /** The page URL with its token, as the host printed it. */
  url: string;
  origin: string;
  token: string;
  /** The counter API straight over HTTP, to find fitting students and check the screen's claims. */
  call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>>;
  stop(): Promise<void>;
}

/**
 * The real back end for one test file: the demo command on a fresh data directory and a free
 * port. LIXIAO_E2E_HOST_COMMAND may replace the command (same flags are appended).
 */
export async function startDemoHost(size = 300): Promise<DemoHost> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lixiao-e2e-'));
  const flags = ['--browser', '--no-open', '--port', '0', '--data', dataDir, '--size', String(size)];
  const [command, ...args] = (process.env['LIXIAO_E2E_HOST_COMMAND'] ?? 'npx tsx scripts/demo.ts').split(' ');
  const child = spawn(command ?? 'npx', [...args, ...flags], {
    cwd: join(import.meta.dirname, '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group, so stop() also ends what npx and tsx started underneath.
    detached: true,
  });

  const url = await waitForUrl(child);
  const parsed = new URL(url);
  const token = parsed.searchParams.get('token') ?? '';
  const origin = parsed.origin;

  async function call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>> {
    const response = await fetch(`${origin}/api/call/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(input),
    });
    const body = (await response.json()) as ApiResponse<Output<M>>;
    if (!body.ok) throw new Error(`${method}: ${body.error.code} ${body.error.message}`);
    return body.value;
  }

  return {
    url,
    origin,
    token,
    call,
    async stop() {
      await stopProcessGroup(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function waitForUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`demo host printed no URL within ${READY_TIMEOUT_MS} ms:\n${output}`)), READY_TIMEOUT_MS);
    const onExit = (code: number | null) => fail(new Error(`demo host exited with ${code} before it was ready:\n${output}`));
    const fail = (error: Error) => {
      clearTimeout(timer);
      void stopProcessGroup(child);
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = URL_PATTERN.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.off('exit', onExit);
        resolve(match[0]);
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
