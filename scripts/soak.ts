/**
 * `npm run soak`: every fast-check property of the suite, deep (FC_RUNS, default 500) and with a
 * fresh seed per file and engine, stopping at the first counterexample (endOnFailure) so that a
 * failure prints its seed, path and case instead of shrinking into a timeout. Exits non-zero on
 * any counterexample. `npm run soak -- 1000` runs 1,000 per property; `-- 200 server-model` one file.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { BACKENDS } from '../src-server/testing/throwaway-database';

const root = join(import.meta.dirname, '..');
const [runsArg, only] = process.argv.slice(2);
const runs = runsArg ?? process.env['FC_RUNS'] ?? '500';
if (!/^[1-9]\d*$/.test(runs)) {
  console.error(`soak: the run count must be a positive integer, got ${runs}`);
  process.exit(2);
}

// A property lives in a test file, or in a module that per-engine test files share (sync-model.ts
// behind sync-model-pglite/-postgres.test.ts): both kinds of test file are soaked.
const sources = tsFiles(join(root, 'test')).filter((f) => readFileSync(f, 'utf8').includes('fc.assert('));
const files = tsFiles(join(root, 'test'))
  .filter((f) => f.endsWith('.test.ts'))
  .filter((f) => sources.includes(f) || sources.some((m) => importsSibling(f, m)))
  .filter((f) => !only || f.includes(only));
if (files.length === 0) {
  console.error(`soak: no property test file matches ${only}`);
  process.exit(2);
}

const results: { file: string; engine: string; seed: number; ok: boolean; seconds: number }[] = [];
for (const file of files) {
  // A file that runs its properties once per database engine gets a seed of its own for each.
  const engines = readFileSync(file, 'utf8').includes('describe.each(BACKENDS)') ? BACKENDS : [null];
  for (const engine of engines) {
    const seed = Math.floor(Math.random() * 2 ** 31);
    const name = relative(root, file);
    console.log(`\nsoak: ${name}${engine ? ` on ${engine}` : ''}: FC_RUNS=${runs} FC_SEED=${seed}`);
    const started = Date.now();
    const run = spawnSync('npx', ['vitest', 'run', name, ...(engine ? ['--testNamePattern', ` on ${engine}`] : [])], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, FC_RUNS: runs, FC_SEED: String(seed), FC_END_ON_FAILURE: '1' },
    });
    results.push({ file: name, engine: engine ?? '-', seed, ok: run.status === 0, seconds: (Date.now() - started) / 1000 });
  }
}

console.log(`\nsoak: ${runs} runs per property`);
for (const r of results) console.log(`  ${r.ok ? 'ok  ' : 'FAIL'} ${r.file} (${r.engine}) seed ${r.seed}, ${r.seconds.toFixed(0)} s`);
if (results.some((r) => !r.ok)) {
  console.log('soak: a counterexample was found; replay it with FC_SEED (and FC_PATH from its report)');
  process.exit(1);
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** Whether a test file imports a module beside it (`from './sync-model'`). */
function importsSibling(file: string, module: string): boolean {
  if (dirname(file) !== dirname(module)) return false;
  return readFileSync(file, 'utf8').includes(`from './${basename(module, '.ts')}'`);
}
