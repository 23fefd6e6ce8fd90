import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium } from '@playwright/test';
import { createCounterService } from '../../src-main/counter/service';
import { applyMany } from '../../src-main/counter/mutate';
import { currentSession } from '../../src-main/counter/session';
import { createReplica } from '../../src-main/db';
import { demoSession, loadDemoBatch } from '../../src-main/demo/demo-replica';
import { startBrowserHost } from '../../src-main/host/browser-host';
import { generateRoster } from '../../src-shared/demo/roster';
import { projectRoot } from '../../scripts/electron-app';
import { report, timeEach } from './stats';

/**
 * A reader's burst as the page sees it: keydown events on window, which the app-wide wedge
 * listener takes. Dispatched inside the page, because Playwright's keystrokes are CDP round
 * trips that a loaded machine spreads further apart than any reader, and the detector then
 * rightly refuses them as typing. Times the Enter to the frame after the card shows the 学号.
 * Plain JavaScript in a string: tsx would wrap a function's inner names in a helper that the
 * page does not have.
 */
const SCAN_IN_PAGE = `async (code) => {
  const key = (k) => window.dispatchEvent(new KeyboardEvent('keydown', {
    key: k, code: /^[0-9]$/.test(k) ? 'Digit' + k : k === 'Enter' ? 'Enter' : 'Key' + k.toUpperCase(), bubbles: true, cancelable: true,
  }));
  const shown = () => (document.querySelector('.info-no')?.textContent ?? '').includes(code);
  for (const c of code) key(c);
  const t0 = performance.now();
  key('Enter');
  await new Promise((resolve, reject) => {
    const observer = new MutationObserver(() => {
      if (!shown()) return;
      observer.disconnect();
      clearTimeout(timer);
      resolve();
    });
    const timer = setTimeout(() => { observer.disconnect(); reject(new Error('no card for ' + code + ' within 10 s')); }, 10000);
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await new Promise((r) => requestAnimationFrame(r));
  return performance.now() - t0;
}`;

/** Issue 3's speed goals on a 20,000-student replica: back-end calls and scan-to-card in Chromium. */
export async function benchCounter(size = 20_000): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lixiao-bench-'));
  try {
    const batch = loadDemoBatch();
    let t0 = performance.now();
    const { students, initial } = generateRoster(batch, { seed: 7, size });
    console.log(`roster generated: ${size} students in ${(performance.now() - t0).toFixed(0)} ms`);
    t0 = performance.now();
    const replica = createReplica(join(dir, 'counter.db'), batch, students, initial, demoSession(batch));
    console.log(`replica created: ${size} students × ${students.length ? batch.checkpoints.flatMap((c) => c.steps).length : 0} steps in ${(performance.now() - t0).toFixed(0)} ms`);
    const service = createCounterService(replica);

    const sample = Array.from({ length: 500 }, (_, i) => students[(i * 7919) % students.length]!);
    for (const s of sample.slice(0, 20)) service.call('students.lookup', { text: s.studentNo });
    report('学号 lookup (students.lookup)', timeEach(sample, (s) => service.call('students.lookup', { text: s.studentNo })), 1);
    report('exact 身份证号 lookup (students.lookup)', timeEach(sample, (s) => service.call('students.lookup', { text: s.idCard })), 1);
    report('name search, partial (students.search)', timeEach(sample.slice(0, 200), (s) => service.call('students.search', { name: s.name.slice(1) })), 20);
    report('student detail (students.detail)', timeEach(sample, (s) => service.call('students.detail', { studentNo: s.studentNo })));
    report(
      'work queue page (prereq done, current not)',
      timeEach(sample.slice(0, 50), () => service.call('students.search', { prereq: 'done', current: 'notDone', limit: 100 })),
    );

    t0 = performance.now();
    service.call('stats.checkpoint', {});
    report('statistics, first call (reads every student)', [performance.now() - t0]);

    // The 60-student class: the demo's classes hold ~40, so classmates are taken in class order.
    const byClass = [...students].sort((x, y) => x.className.localeCompare(y.className) || x.studentNo.localeCompare(y.studentNo));
    const batches = Array.from({ length: 20 }, (_, i) => byClass.slice(i * 60, i * 60 + 60));
    const statsAfterClass: number[] = [];
    let passed = 0;
    const classBatches = batches.map((members) => {
      const t = performance.now();
      const result = service.call('batch.apply', { items: members.map((s) => ({ studentNo: s.studentNo, stepId: 'return-student-card' })) });
      const applied = performance.now();
      passed += result.passed.length;
      service.call('stats.checkpoint', {});
      statsAfterClass.push(performance.now() - applied);
      return applied - t;
    });
    report('class batch, 60 students (batch.apply)', classBatches, 30);
    console.log(`  (${passed} of ${batches.length * 60} rows passed; the others were refused by the shared rules)`);

    const session = currentSession(replica);
    const statsAfterChange = sample.slice(0, 100).map((s) => {
      applyMany(replica, session, [{ kind: 'pass', studentNo: s.studentNo, stepId: 'electricity' }], { onRefusal: 'skip' });
      const t = performance.now();
      service.call('stats.checkpoint', {});
      return performance.now() - t;
    });
    report('statistics refresh after a change', statsAfterChange, 10);
    report('statistics refresh after a class batch', statsAfterClass, 10);

    // A copy: a build started elsewhere meanwhile rewrites out/renderer under a loading page.
    const rendererDir = join(dir, 'renderer');
    cpSync(join(projectRoot, 'out/renderer'), rendererDir, { recursive: true });
    const host = await startBrowserHost({ service, rendererDir });
    const browser = await chromium.launch({
      executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
      await page.goto(host.url);
      await page.locator('.operator-name').waitFor({ timeout: 120_000 });
      const scans: number[] = [];
      for (const s of sample.slice(0, 60)) {
        scans.push(await page.evaluate<number>(`(${SCAN_IN_PAGE})(${JSON.stringify(s.studentNo)})`));
        await page.waitForTimeout(50);
      }
      report('scan (Enter) to rendered card, Chromium', scans.slice(5), 50);
    } finally {
      await browser.close();
      await host.close();
      replica.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
