import { mkdtempSync, rmSync } from 'node:fs';
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

    const session = currentSession(replica);
    const classes = [...new Set(students.map((s) => s.className))].slice(0, 20);
    const classBatches = timeEach(classes, (className) => {
      const members = students.filter((s) => s.className === className);
      applyMany(
        replica,
        session,
        members.map((s) => ({ kind: 'pass' as const, studentNo: s.studentNo, stepId: 'return-student-card' })),
        { onRefusal: 'skip' },
      );
    });
    const avgClass = Math.round(students.length / new Set(students.map((s) => s.className)).size);
    report(`class batch, one transaction (~${avgClass} students)`, classBatches, 30);

    const statsAfterChange = sample.slice(0, 100).map((s) => {
      applyMany(replica, session, [{ kind: 'pass', studentNo: s.studentNo, stepId: 'electricity' }], { onRefusal: 'skip' });
      const t = performance.now();
      service.call('stats.checkpoint', {});
      return performance.now() - t;
    });
    report('statistics refresh after a change', statsAfterChange, 10);

    const host = await startBrowserHost({ service, rendererDir: join(projectRoot, 'out/renderer') });
    const browser = await chromium.launch({
      executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
      await page.goto(host.url);
      await page.locator('.operator-name').waitFor();
      const scans: number[] = [];
      for (const s of sample.slice(0, 60)) {
        // A wedge burst arrives as keystrokes a few ms apart; timing starts at the Enter.
        await page.keyboard.type(s.studentNo, { delay: 2 });
        const t = await page.evaluate(() => performance.now());
        await page.keyboard.press('Enter');
        await page.locator('.info-no', { hasText: s.studentNo }).waitFor();
        const shown = await page.evaluate(() => new Promise<number>((r) => requestAnimationFrame(() => r(performance.now()))));
        scans.push(shown - t);
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
