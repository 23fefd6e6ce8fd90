import { cpus, totalmem } from 'node:os';
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

export function report(name: string, samples: number[], goalMs?: number): void {
  const p50 = percentile(samples, 50);
  const p95 = percentile(samples, 95);
  const goal = goalMs === undefined ? '' : `  goal p95 < ${goalMs} ms: ${p95 < goalMs ? 'met' : 'NOT met'}`;
  console.log(`${name.padEnd(46)} n=${String(samples.length).padStart(5)}  p50 ${p50.toFixed(3).padStart(8)} ms  p95 ${p95.toFixed(3).padStart(8)} ms${goal}`);
}
