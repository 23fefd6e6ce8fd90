import { existsSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import Database from 'better-sqlite3';

/**
 * Imported into a counter process before its code (`node --import`): once the file named by
 * LIXIAO_PAUSE_FILE holds a number n, the n-th outbox row written after that stops the process
 * inside its write transaction, with "paused in transaction" on stdout, until it is killed.
 * A class batch is one synchronous transaction of a few milliseconds: without this, no kill
 * could be aimed inside it. The file is removed when it fires, so a restart runs freely.
 */
const armFile = process.env['LIXIAO_PAUSE_FILE'];
if (!armFile) throw new Error('outbox-pause needs LIXIAO_PAUSE_FILE');

const probe = new Database(':memory:');
const statement = Object.getPrototypeOf(probe.prepare('select 1')) as { run: (...args: unknown[]) => unknown };
probe.close();

const run = statement.run;
let written = 0;
statement.run = function (this: { source: string }, ...args: unknown[]) {
  const result = run.apply(this, args);
  if (this.source.trimStart().startsWith('insert into outbox') && existsSync(armFile)) {
    written += 1;
    if (written === Number(readFileSync(armFile, 'utf8'))) {
      unlinkSync(armFile);
      writeSync(1, 'paused in transaction\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    }
  }
  return result;
};
