import { benchCounter } from './counter-bench';
import { benchPouchSync } from './pouch-bench';
import { benchOurSync, type SyncFigures } from './sync-bench';
import { describeLoad, describeMachine, seconds } from './stats';
import { syncWorkload } from './sync-workload';

/**
 * `npm run bench`: prints figures and the machine they ran on. Needs `npm run build` first (the
 * counter section drives the built renderer). `npm run bench -- counter` or `-- sync` runs one.
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
if (wants('sync')) {
  const workload = syncWorkload();
  console.log(`\n== sync (issue 4), ${workload.students.length} students × 20 steps, ${workload.ops.length} offline operations ==`);
  console.log('-- ours: Fastify server on PostgreSQL 127.0.0.1:5432 (own process), SQLite replicas --');
  const ours = await benchOurSync(workload);
  console.log(`-- PouchDB: express-pouchdb on LevelDB (own process), PouchDB replicas on LevelDB -- (${describeLoad()})`);
  const pouch = await benchPouchSync(workload);
  compare(ours, pouch);
}
console.log(`\nafter: ${describeLoad()}`);
