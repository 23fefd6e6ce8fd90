import { benchCounter } from './counter-bench';
import { benchIdCard } from './id-card-bench';
import { benchIntegration, type IntegrationFigures } from './integration-bench';
import { benchPasswords } from './password-bench';
import { benchPouchSync } from './pouch-bench';
import { benchReplicaFiles } from './replica-files-bench';
import { benchReports, type ReportFigures } from './report-bench';
import { benchOurSync, type SyncFigures } from './sync-bench';
import { benchStudentPage } from './student-bench';
import { describeLoad, describeMachine, seconds } from './stats';
import { syncWorkload } from './sync-workload';

/**
 * `npm run bench`: prints figures and the machine they ran on. Needs `npm run build` first (the
 * counter section drives the built renderer). `npm run bench -- counter`, `-- files`, `-- sync`, `-- reports`, `-- id-card`,
 * `-- integration`, `-- passwords` or `-- student` runs one.
 */
const sections = process.argv.slice(2);
const wants = (name: string) => sections.length === 0 || sections.includes(name);

function compare(ours: SyncFigures, pouch: SyncFigures): void {
  const rows: [string, keyof SyncFigures, number | null][] = [
    ['first download into an empty replica', 'firstDownload', 5000],
    ['10,000 offline operations pushed', 'push', 2000],
    ['  with the round that settles them', 'pushRound', null],
    ['second counter pulls them', 'secondCounterPull', null],
    ['sync with nothing to do', 'noOpSync', null],
  ];
  console.log(`\n  ${''.padEnd(40)} ${'ours'.padStart(9)} ${'PouchDB'.padStart(9)} ${'ratio'.padStart(8)}`);
  for (const [label, key, goalMs] of rows) {
    const a = ours[key] as number;
    const b = pouch[key] as number;
    const goal = goalMs === null ? '' : `  goal < ${seconds(goalMs)}: ${a < goalMs ? 'met' : 'NOT met'}`;
    console.log(`  ${label.padEnd(40)} ${seconds(a).padStart(9)} ${seconds(b).padStart(9)} ${`${(b / a).toFixed(1)}x`.padStart(8)}${goal}`);
  }
  const ratio = pouch.firstDownload / ours.firstDownload;
  console.log(`  first download at least 10x faster than PouchDB: ${ratio >= 10 ? 'met' : 'NOT met'} (${ratio.toFixed(1)}x)`);
}

console.log(`machine: ${describeMachine()}`);
console.log(`date: ${new Date().toISOString()}`);
console.log(`before: ${describeLoad()}\n`);
if (wants('counter')) {
  console.log('== counter (issue 3), 20,000 students ==');
  await benchCounter();
}
if (wants('files')) {
  console.log('\n== replica files (issue 14): integrity check, backup, rescue file; 20,000 students ==');
  await benchReplicaFiles();
}
if (wants('sync')) {
  const workload = syncWorkload();
  console.log(`\n== sync (issue 4), ${workload.students.length} students × 20 steps, ${workload.ops.length} offline operations ==`);
  console.log('-- ours: Fastify server on PostgreSQL 127.0.0.1:5432 (own process), SQLite replicas --');
  const ours = await benchOurSync(workload);
  console.log(`-- PouchDB: express-pouchdb on LevelDB (own process), PouchDB replicas on LevelDB -- (${describeLoad()})`);
  const pouch = await benchPouchSync(workload);
  compare(ours, pouch);
}
if (wants('reports')) {
  const figures: ReportFigures[] = [];
  for (const size of [20_000, 50_000]) {
    console.log(`\n== reports and memory (issue 22), ${size} students: server on PGlite and counter back end in their own processes ==`);
    figures.push(await benchReports(size));
  }
  console.log('\n  side by side                                     20,000     50,000');
  const row = (label: string, pick: (f: ReportFigures) => string) => console.log(`  ${label.padEnd(44)} ${figures.map(pick).map((v) => v.padStart(10)).join(' ')}`);
  const ms = (x: number) => `${x.toFixed(0)} ms`;
  const mb = (x: number) => `${(x / 2 ** 20).toFixed(0)} MB`;
  row('first statistics call', (f) => ms(f.first.stats));
  row('chase list first screen', (f) => ms(f.first.chaseFirstScreen));
  row('chase list, all pages', (f) => ms(f.first.chaseWholeByPages));
  row('reports.chaseXlsx', (f) => ms(f.first.chaseXlsx));
  row('reports.dailyXlsx', (f) => ms(f.first.dailyXlsx));
  row('counter RSS after the session', (f) => mb(f.afterFirst.rss));
  row('counter heap after the session (after GC)', (f) => mb(f.afterFirst.heapAfterGc));
  row('counter largest RSS over ten sessions', (f) => mb(Math.max(...f.repeats.map((m) => m.rss))));
  row('counter peak RSS (VmHWM)', (f) => mb(f.repeats.at(-1)!.peak));
  row('heap after GC, session 2 → 10', (f) => `${((f.repeats.at(-1)!.heapAfterGc - f.repeats[1]!.heapAfterGc) / 2 ** 20).toFixed(1)} MB`);
  row('server (PGlite) RSS after the sessions', (f) => mb(f.server.end.rss));
}
if (wants('id-card')) {
  console.log(`\n== 身份证号 stored less (issue 14): a desk's lookup and a stolen replica's rebuild, 20,000 students ==`);
  benchIdCard();
}
if (wants('integration')) {
  console.log('\n== integration feeds (issue 20), 20,000 students: one bulk request beside single calls ==');
  const figures: IntegrationFigures[] = [];
  for (const backend of ['pglite', 'postgres'] as const) figures.push(await benchIntegration(backend, 20_000));
  console.log(`\n  ${''.padEnd(34)} ${'bulk'.padStart(9)} ${'singles'.padStart(9)} ${'ratio'.padStart(8)}`);
  for (const f of figures) {
    const ratio = f.singlesMs / f.bulkMs;
    const goal = f.backend === 'pglite' ? `  goal ≤ 3 s: ${f.bulkMs <= 3000 ? 'met' : 'NOT met'};` : '';
    console.log(
      `  ${`${f.items} items on ${f.backend}`.padEnd(34)} ${seconds(f.bulkMs).padStart(9)} ${seconds(f.singlesMs).padStart(9)} ${`${ratio.toFixed(0)}x`.padStart(8)}${goal}  goal ≥ 50x: ${ratio >= 50 ? 'met' : 'NOT met'}`,
    );
  }
}
if (wants('passwords')) {
  console.log('\n== password checks (issue 13): scrypt at the production and the old cost ==');
  await benchPasswords();
}
if (wants('student')) {
  console.log('\n== student page (issue 12): 2,000 students refreshing their status at once, server on PGlite ==');
  await benchStudentPage();
}
console.log(`\nafter: ${describeLoad()}`);
