import { defineConfig } from 'vitest/config';

/**
 * The packaging test (test/package): electron-builder over the built app, so it runs after
 * `electron-vite build` in `npm run test:e2e`, not with the unit and integration tests.
 */
export default defineConfig({
  test: {
    include: ['test/package/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    reporters: ['default', './test/slowest-reporter.ts'],
  },
});
