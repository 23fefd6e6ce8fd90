import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { projectRoot } from '../../scripts/electron-app';
import type { ChaseSummary } from '../../src-shared/contract/report-api';
import { DEMO_PASSWORD } from '../../src-server/demo/seed-demo';
import { connectCounter } from '../../src-main/sync/connect';
import { describeLoad } from './stats';

/**
 * Issue 22: the reports and the memory of the counter at 20,000 and 50,000 students, measured on
 * the real parts: the server on PGlite and the counter back end each in its own process, the
 * counter signed in against the server, every call over the browser host's HTTP API as the
 * renderer makes it. Memory is read from /proc (VmRSS, VmHWM = the peak) and from the counter
 * itself (heap, after a full garbage collection), after a scripted session and over ten repeats.
 */

const MB = 2 ** 20;
const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;

interface Child {
  proc: ChildProcess;
  /** The next JSON line the child prints. */
  next(): Promise<Record<string, unknown>>;
  send(line: string): void;
  exited: Promise<void>;
}

/**
 * The two processes run as plain Node on a bundle of their TypeScript (esbuild, which tsx brings
 * along), not under tsx: its loader thread and transformed sources would add some 50 MB to every
 * figure. npm packages stay outside the bundle, loaded from node_modules as the app loads them.
 */
async function bundle(script: string): Promise<string> {
  const outfile = join(projectRoot, 'out/bench', script.replace(/\.ts$/, '.mjs'));
  await build({ entryPoints: [join(import.meta.dirname, script)], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile, logLevel: 'warning' });
  return outfile;
}

function startChild(script: string, args: string[], nodeArgs: string[] = []): Child {
  const proc = spawn(process.execPath, [...nodeArgs, script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: ((line: Record<string, unknown>) => void)[] = [];
  const ready: Record<string, unknown>[] = [];
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    if (!line.startsWith('{')) return;
    const value = JSON.parse(line) as Record<string, unknown>;
    const taker = waiting.shift();
    if (taker) taker(value);
    else ready.push(value);
  });
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  return {
    proc,
    next: () =>
      new Promise((resolve, reject) => {
        const value = ready.shift();
        if (value) return resolve(value);
        waiting.push(resolve);
        void exited.then(() => reject(new Error(`${script} exited`)));
      }),
    send: (line) => proc.stdin!.write(`${line}\n`),
    exited,
  };
}

/** VmRSS (now) and VmHWM (the peak so far) of a process, in bytes. */
function procMemory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

interface Counter {
  port: number;
  token: string;
}

async function call<T = unknown>(counter: Counter, method: string, input: unknown): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${counter.port}/api/call/${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${counter.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(input),
  });
  const body = (await res.json()) as { ok: true; value: T } | { ok: false; error: { message: string } };
  if (!body.ok) throw new Error(`${method}: ${body.error.message}`);
  return body.value;
}

async function time<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await work();
  return { value, ms: performance.now() - t0 };
}

/** Classes from the front of the summary until `students` students: what one request holds. */
function firstClasses(summary: ChaseSummary, from: number, students: number): { classes: { college: string; className: string }[]; next: number } {
  const classes: { college: string; className: string }[] = [];
  let n = 0;
  let i = from;
  for (; i < summary.classes.length && (n < students || classes.length === 0) && classes.length < 100; i++) {
    classes.push({ college: summary.classes[i]!.college, className: summary.classes[i]!.className });
    n += summary.classes[i]!.students;
  }
  return { classes, next: i };
}

interface SessionFigures {
  signIn: number;
  stats: number;
  chaseFirstScreen: number;
  chaseWholeByPages: number;
  chaseXlsx: number;
  chaseXlsxBytes: number;
  dailyXlsx: number;
  chaseStudents: number;
}

/** Sign in, stats, search, a class batch, the daily report and its workbook, the chase list (first screen, then every page as the printout reads it) and its workbook. */
async function session(counter: Counter, operatorNo: string, round: number): Promise<SessionFigures> {
  const tz = { timeZone: 'Asia/Shanghai' };
  const signIn = await time(() => call(counter, 'session.signIn', { operatorNo, password: DEMO_PASSWORD }));
  const stats = await time(() => call(counter, 'stats.checkpoint', {}));
  for (const name of ['王', '李娜', '张伟', '刘']) await call(counter, 'students.search', { name, limit: 100 });
  const chaseFirst = await time(async () => {
    const summary = await call<ChaseSummary>(counter, 'reports.chaseSummary', tz);
    await call(counter, 'reports.chasePage', { ...tz, classes: firstClasses(summary, 0, 40).classes });
    return summary;
  });
  const summary = chaseFirst.value;
  const someClass = summary.classes[(round * 37) % summary.classes.length]!;
  const classmates = await call<{ rows: { studentNo: string }[] }>(counter, 'students.search', { college: someClass.college, className: someClass.className, limit: 60 });
  await call(counter, 'batch.apply', { items: classmates.rows.map((r) => ({ studentNo: r.studentNo, stepId: 'return-student-card' })) });
  await call(counter, 'reports.daily', tz);
  const dailyXlsx = await time(() => call(counter, 'reports.dailyXlsx', tz));
  const whole = await time(async () => {
    let n = 0;
    for (let at = 0; at < summary.classes.length; ) {
      const { classes, next } = firstClasses(summary, at, 1500);
      n += (await call<{ students: unknown[] }>(counter, 'reports.chasePage', { ...tz, classes })).students.length;
      at = next;
    }
    return n;
  });
  const chaseXlsx = await time(() => call<{ base64: string }>(counter, 'reports.chaseXlsx', tz));
  return {
    signIn: signIn.ms,
    stats: stats.ms,
    chaseFirstScreen: chaseFirst.ms,
    chaseWholeByPages: whole.ms,
    chaseXlsx: chaseXlsx.ms,
    chaseXlsxBytes: Math.round((chaseXlsx.value.base64.length * 3) / 4),
    dailyXlsx: dailyXlsx.ms,
    chaseStudents: whole.value,
  };
}

interface CounterMemory {
  rss: number;
  heapUsed: number;
  rssAfterGc: number;
  heapAfterGc: number;
  peak: number;
}

async function counterMemory(child: Child): Promise<CounterMemory> {
  child.send('memory');
  const m = (await child.next()) as unknown as Omit<CounterMemory, 'peak'>;
  return { ...m, peak: procMemory(child.proc.pid!).peak };
}

export interface ReportFigures {
  size: number;
  first: SessionFigures;
  afterFirst: CounterMemory;
  repeats: CounterMemory[];
  server: { seeded: { rss: number; peak: number }; afterDownload: { rss: number; peak: number }; end: { rss: number; peak: number } };
}

const ms = (x: number) => `${x.toFixed(0).padStart(6)} ms`;
const line = (label: string, value: string, goal = '') => console.log(`  ${label.padEnd(58)} ${value.padStart(10)}${goal ? `  ${goal}` : ''}`);

export async function benchReports(size: number): Promise<ReportFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'lixiao-report-bench-'));
  const server = startChild(await bundle('report-server.ts'), [join(dir, 'server'), String(size)]);
  let counter: Child | null = null;
  try {
    let t0 = performance.now();
    const world = (await server.next()) as { url: string; batchId: string; operatorNo: string; checkpointId: string; registrationCode: string };
    const seeded = procMemory(server.proc.pid!);
    line(`server on PGlite seeded with ${size} students`, `${((performance.now() - t0) / 1000).toFixed(1)} s`);
    t0 = performance.now();
    const path = join(dir, 'counter.db');
    const replica = await connectCounter({
      serverUrl: world.url,
      operatorNo: world.operatorNo,
      password: DEMO_PASSWORD,
      counterName: '报表测速柜台',
      batchId: world.batchId,
      checkpointId: world.checkpointId,
      path,
      registrationCode: world.registrationCode,
    });
    replica.close();
    const afterDownload = procMemory(server.proc.pid!);
    line('counter registered, first download', `${((performance.now() - t0) / 1000).toFixed(1)} s`);

    counter = startChild(await bundle('report-counter.ts'), [path], ['--expose-gc']);
    const host = (await counter.next()) as unknown as Counter;
    const first = await session(host, world.operatorNo, 0);
    const afterFirst = await counterMemory(counter);
    line('sign in (session.signIn, against the server)', ms(first.signIn));
    line('first statistics call (stats.checkpoint)', ms(first.stats), `goal ≤ 150 ms: ${first.stats <= 150 ? 'met' : 'NOT met'}`);
    line(`chase list first screen (summary + first page), ${first.chaseStudents} rows`, ms(first.chaseFirstScreen), `goal ≤ 200 ms: ${first.chaseFirstScreen <= 200 ? 'met' : 'NOT met'}`);
    line('chase list, every page as the printout reads it', ms(first.chaseWholeByPages));
    line(`reports.chaseXlsx (${mb(first.chaseXlsxBytes)} file)`, ms(first.chaseXlsx), `goal ≤ 2000 ms: ${first.chaseXlsx <= 2000 ? 'met' : 'NOT met'}`);
    line('reports.dailyXlsx', ms(first.dailyXlsx));
    line('counter back end after the session: RSS / heap', `${mb(afterFirst.rss)} / ${mb(afterFirst.heapUsed)}`, `goal RSS ≤ 250 MB: ${afterFirst.rss <= 250 * MB ? 'met' : 'NOT met'}`);
    line('  after a full GC: RSS / heap; peak RSS (VmHWM)', `${mb(afterFirst.rssAfterGc)} / ${mb(afterFirst.heapAfterGc)}; ${mb(afterFirst.peak)}`);

    const repeats: CounterMemory[] = [afterFirst];
    for (let round = 1; round < 10; round++) {
      await session(host, world.operatorNo, round);
      repeats.push(await counterMemory(counter));
    }
    console.log(`  ten sessions, after each: RSS / heap after a full GC (MB)`);
    console.log(`    ${repeats.map((m) => `${(m.rss / MB).toFixed(0)}/${(m.heapAfterGc / MB).toFixed(0)}`).join('  ')}`);
    const growth = repeats.at(-1)!.heapAfterGc - repeats[1]!.heapAfterGc;
    const rssMax = Math.max(...repeats.map((m) => m.rss));
    line('  heap after GC, session 2 → 10 (leak check)', `${growth >= 0 ? '+' : ''}${(growth / MB).toFixed(1)} MB`, `goal no growth (< 2 MB): ${growth < 2 * MB ? 'met' : 'NOT met'}`);
    line('  largest RSS after a session; peak RSS (VmHWM)', `${mb(rssMax)}; ${mb(repeats.at(-1)!.peak)}`, `goal ≤ 250 MB: ${rssMax <= 250 * MB ? 'met' : 'NOT met'}`);
    const end = procMemory(server.proc.pid!);
    line('server (PGlite) RSS: seeded / after the download / after the sessions', `${mb(seeded.rss)} / ${mb(afterDownload.rss)} / ${mb(end.rss)}`);
    line('  server peak RSS (VmHWM)', mb(end.peak));
    console.log(`  (${describeLoad()})`);
    return { size, first, afterFirst, repeats, server: { seeded, afterDownload, end } };
  } finally {
    if (counter) {
      counter.send('close');
      await counter.exited;
    }
    server.send('close');
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}
