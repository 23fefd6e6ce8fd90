import { COST_ENV, hashPassword, verifyPassword } from '../../src-server/auth/passwords';
import { seconds } from './stats';

/**
 * What one password check costs at the production scrypt figure (N=2^17, r=8, p=1) and at the
 * old one (2^14): time per check, and the memory a check holds while it runs. Each check runs
 * alone, as a sign-in does; several sign-ins at once use libuv's threads (4 by default).
 */
export async function benchPasswords(rounds = 7): Promise<void> {
  const saved = process.env[COST_ENV];
  try {
    for (const log2 of [14, 17]) {
      process.env[COST_ENV] = String(log2);
      const hash = await hashPassword('bench-password-1');
      const times: number[] = [];
      let peak = 0;
      for (let i = 0; i < rounds; i++) {
        const rssBefore = process.memoryUsage().rss;
        const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss - rssBefore)), 5);
        const start = performance.now();
        await verifyPassword('bench-password-1', hash);
        times.push(performance.now() - start);
        clearInterval(sampler);
      }
      times.sort((a, b) => a - b);
      const median = times[Math.floor(times.length / 2)]!;
      console.log(
        `  scrypt N=2^${log2}: one check median ${seconds(median)} (fastest ${seconds(times[0]!)}, slowest ${seconds(times.at(-1)!)}), ` +
          `needs ${(128 * 2 ** log2 * 8) / 2 ** 20} MiB; RSS grew by up to ${(peak / 2 ** 20).toFixed(0)} MiB while checking`,
      );
    }
  } finally {
    if (saved === undefined) delete process.env[COST_ENV];
    else process.env[COST_ENV] = saved;
  }
}
