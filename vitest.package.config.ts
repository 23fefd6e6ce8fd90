import { defineConfig } from 'vitest/config';

/**
 * The packaging test (test/package): electron-builder over the built app, so it runs after
 * `electron-vite build` in `npm run test:e2e`, not with the unit and integration tests.
 */
export default defineConfig({
  test: {
    include: ['test/package/**/*.test.ts'],
    // One electron-builder run packs about 60 MB: 60 s on a quiet 2-core machine, 120 s on a busy one.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
    reporters: ['default', './test/slowest-reporter.ts'],
  },
});
