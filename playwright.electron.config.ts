import { defineConfig } from '@playwright/test';

/** The e2e suite against the real Electron app; only where its binary is installed. */
export default defineConfig({
  testDir: 'test/e2e',
  testMatch: ['**/electron*.spec.ts'],
  outputDir: 'test-results/electron-artifacts',
  timeout: 120_000,
  workers: 1,
  reporter: [['list']],
});
