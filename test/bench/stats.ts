import { cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';

/** Percentiles and timing for benchmarks: figures are printed, never asserted. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? NaN;
}

export function timeEach<T>(items: readonly T[], fn: (item: T) => unknown): number[] {
  return items.map((item) => {
    const t0 = performance.now();
    fn(item);
    return performance.now() - t0;
  });
}

export function describeMachine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
}

/** On a shared machine the load decides the tail: print it next to the figures. */
export function describeLoad(): string {
  return `load average ${loadavg().map((l) => l.toFixed(2)).join(' / ')} (1 / 5 / 15 min) on ${cpus().length} cores`;
}

const verdict = (ms: number, goalMs: number) => (ms < goalMs ? 'met' : 'NOT met');

/**
 * One line per measurement. The goal is judged on p95 as the issue asks, and on p50 too: on a
 * machine shared with other work the p95 measures the neighbours as much as the code.
 */
export function report(name: string, samples: number[], goalMs?: number): void {
  const p50 = percentile(samples, 50);
  const p95 = percentile(samples, 95);
  const goal = goalMs === undefined ? '' : `  goal < ${goalMs} ms: p95 ${verdict(p95, goalMs)}, p50 ${verdict(p50, goalMs)}`;
  console.log(`${name.padEnd(48)} n=${String(samples.length).padStart(5)}  p50 ${p50.toFixed(3).padStart(8)} ms  p95 ${p95.toFixed(3).padStart(8)} ms${goal}`);
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Runs one step of a benchmark and prints its wall time. */
export async function timed<T>(label: string, work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await work();
  const ms = performance.now() - t0;
  console.log(`  ${label.padEnd(58)} ${seconds(ms).padStart(9)}`);
  return { value, ms };
}
