import { writeSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/**
 * Imported into a server process before its code (`node --import`): the n-th transaction that
 * stores ops (n from LIXIAO_PAUSE_AT_PUSH) stops before its COMMIT, every row of the push written,
 * with "paused in push transaction" on stdout, until the process is killed. A push commits within
 * milliseconds: without this, no kill could be aimed inside one. Patched at the two drivers'
 * public surfaces (pg's Client.query, PGlite's transaction), since the server's own modules are
 * not reachable from here.
 */
const pauseAt = Number(process.env['LIXIAO_PAUSE_AT_PUSH']);
if (!Number.isSafeInteger(pauseAt) || pauseAt < 1) throw new Error('push-pause needs LIXIAO_PAUSE_AT_PUSH >= 1');

const storesOps = (text: string) => /^\s*insert into "ops"/i.test(text);
const textOf = (query: unknown) => (typeof query === 'string' ? query : ((query as { text?: string } | null)?.text ?? ''));
let committing = 0;

/** Called where a transaction that stored ops is about to commit: the n-th never does. */
function beforeCommit(): Promise<void> | undefined {
  committing += 1;
  if (committing !== pauseAt) return undefined;
  writeSync(1, 'paused in push transaction\n');
  return new Promise(() => {});
}

type Query = (this: pg.Client & { storedOps?: boolean }, ...args: unknown[]) => unknown;
const query = pg.Client.prototype.query as unknown as Query;
(pg.Client.prototype as unknown as { query: Query }).query = function (...args) {
  const text = textOf(args[0]);
  if (storesOps(text)) this.storedOps = true;
  if (/^\s*commit\s*$/i.test(text) && this.storedOps) {
    this.storedOps = false;
    const paused = beforeCommit();
    if (paused) return paused;
  }
  return query.apply(this, args);
};

type Tx = Parameters<Parameters<PGlite['transaction']>[0]>[0];
const transaction = PGlite.prototype.transaction;
PGlite.prototype.transaction = function <T>(this: PGlite, callback: (tx: Tx) => Promise<T>): Promise<T> {
  return transaction.call(this, async (tx: Tx) => {
    let stored = false;
    const watched: Tx = Object.create(tx, {
      query: { value: (text: string, ...rest: unknown[]) => ((stored ||= storesOps(text)), (tx.query as (...a: unknown[]) => unknown)(text, ...rest)) },
    });
    const result = await callback(watched);
    if (stored) await beforeCommit();
    return result;
  }) as Promise<T>;
};
