import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

// Playwright cannot download its own browsers here; Debian's Chromium stands in.
const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
// The demos the specs start inherit it: scrypt at 2^14 instead of the production 2^17 (see vitest.config.ts).
process.env['LIXIAO_SCRYPT_LOG2N'] ??= '14';

export default defineConfig({
  testDir: 'test/e2e',
  testIgnore: ['**/electron*.spec.ts'],
  outputDir: 'test-results/artifacts',
  // Generous: CI is a busy 2-core machine where a page load can take seconds.
  timeout: 120_000,
  expect: { timeout: 20_000 },
  // Two spec files at a time (each has its own demo host, data folder and ports): on the 2-core CI
  // machine this passed under a load of 16, and it is what keeps `npm test` inside its 15 minutes.
  workers: 2,
  // No retries: a retry that passes hides a one-off failure, and a one-off failure is a finding.
  retries: 0,
  fullyParallel: false,
  reporter: [['list']],
  use: {
    viewport: { width: 1366, height: 768 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      ...(existsSync(chromiumPath) ? { executablePath: chromiumPath } : {}),
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    },
  },
});
