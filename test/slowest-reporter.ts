import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/** The budgets of the CI issue: a test within a quarter of its timeout, a file within a minute. */
const SHARE_OF_TIMEOUT = 0.25;
const FILE_BUDGET_MS = 60_000;
const SHOWN = 10;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Prints the slowest tests and files at the end of every run, marking those past their budget,
 * so that a test drifting towards its timeout shows long before a slow CI minute fails it.
 */
export default class SlowestReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const tests = modules.flatMap((m) =>
      [...m.children.allTests()].map((t) => ({
        name: `${relative(process.cwd(), m.moduleId)} › ${t.fullName}`,
        ms: t.diagnostic()?.duration ?? 0,
        timeout: t.options.timeout ?? 0,
      })),
    );
    const files = modules.map((m) => ({ name: relative(process.cwd(), m.moduleId), ms: m.diagnostic().duration }));
    tests.sort((a, b) => b.ms - a.ms);
    files.sort((a, b) => b.ms - a.ms);
    const lines = ['', `Slowest ${SHOWN} tests (budget: ${SHARE_OF_TIMEOUT * 100}% of the timeout):`];
    for (const t of tests.slice(0, SHOWN)) {
      const over = t.timeout > 0 && t.ms > t.timeout * SHARE_OF_TIMEOUT;
      lines.push(`  ${over ? 'OVER' : '    '} ${seconds(t.ms).padStart(8)} of ${seconds(t.timeout)}  ${t.name}`);
    }
    lines.push(`Slowest ${SHOWN} files (budget: ${seconds(FILE_BUDGET_MS)}):`);
    for (const f of files.slice(0, SHOWN)) lines.push(`  ${f.ms > FILE_BUDGET_MS ? 'OVER' : '    '} ${seconds(f.ms).padStart(8)}  ${f.name}`);
    console.log(lines.join('\n'));
  }
}
