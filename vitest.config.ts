import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The slowest tests and files at the end of every run, so that drift shows before CI fails.
    reporters: ['default', './test/slowest-reporter.ts'],
  },
});
