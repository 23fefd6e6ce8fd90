import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // scrypt at 2^14 instead of 2^17 for the hundreds of sign-ins the suite makes; the production
    // cost has its own tests (password-upgrade.test.ts), which restore it.
    env: { LIXIAO_SCRYPT_LOG2N: '14' },
    // The slowest tests and files at the end of every run, so that drift shows before CI fails.
    reporters: ['default', './test/slowest-reporter.ts'],
  },
});
