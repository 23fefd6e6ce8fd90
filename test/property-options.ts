import type { Parameters } from 'fast-check';

/**
 * The options of every fast-check property in the suite, from one place.
 *
 * - `runs`: the default run count of `npm test`; `FC_RUNS` raises it for a deep run (`npm run soak`).
 * - `FC_SEED` and `FC_PATH` replay a counterexample that a run printed.
 * - In CI (`CI` set) and in a soak, a failure ends the run at once with its seed, path and
 *   counterexample: shrinking a case whose every step is a real transaction can take longer than
 *   the test's timeout, and a timeout prints neither.
 */
export function propertyOptions<T>(runs: number): Parameters<T> {
  const env = process.env;
  const options: Parameters<T> = { numRuns: env['FC_RUNS'] ? positive('FC_RUNS', env['FC_RUNS']) : runs };
  if (env['FC_SEED']) options.seed = integer('FC_SEED', env['FC_SEED']);
  if (env['FC_PATH']) options.path = env['FC_PATH'];
  if (env['CI'] || env['FC_END_ON_FAILURE']) options.endOnFailure = true;
  return options;
}

/** The timeout a property test needs at `runs` runs, given what one run may take on a 2-core machine. */
export function propertyTimeout(runs: number, msPerRun: number): number {
  const planned = propertyOptions(runs).numRuns ?? runs;
  // Four times the expected time: the CI issue's budget is a quarter of the timeout.
  return Math.max(30_000, planned * msPerRun * 4);
}

function positive(name: string, value: string): number {
  const n = integer(name, value);
  if (n < 1) throw new Error(`${name} must be at least 1, got ${value}`);
  return n;
}

function integer(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`${name} must be an integer, got ${value}`);
  return n;
}
