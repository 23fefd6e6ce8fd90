import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * The comparison stack's server for `npm run bench`: express-pouchdb (CouchDB's HTTP API over
 * PouchDB on LevelDB), as its own process like our server. Argument: the data directory and
 * the port. Prints "ready" when it listens.
 */
const require = createRequire(import.meta.url);
const PouchDB = require('pouchdb') as PouchStatic;
const expressPouchDB = require('express-pouchdb') as (db: unknown, options: object) => { listen(port: number, host: string, done: () => void): void };

interface PouchStatic {
  defaults(options: { prefix: string }): unknown;
}

const [dir, port] = process.argv.slice(2);
if (!dir || !port) throw new Error('usage: pouch-server.ts <data dir> <port>');
const app = expressPouchDB(PouchDB.defaults({ prefix: `${dir}/` }), {
  mode: 'minimumForPouchDB',
  inMemoryConfig: true,
  logPath: join(dir, 'log.txt'),
});
app.listen(Number(port), '127.0.0.1', () => console.log('ready'));
