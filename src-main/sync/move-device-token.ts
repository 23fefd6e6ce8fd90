import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { deleteMeta, readMeta, writeMeta, type MetaKey } from '../db/meta';
import { MIGRATIONS } from '../db/migrations';
import { electronSqliteBinding, type Replica } from '../db/open';
import { preMigrationBackupPath } from '../db/replica-backups';
import type { DeviceTokenStore, ReplicaSecretStore } from './device-token-store';

/**
 * A secret older replicas kept in `meta`, moved to its store on open: stored first, then
 * deleted, so a stop in between leaves it in both places (and the next open finishes the
 * move), never in neither. secure_delete zeroes the freed bytes and the checkpoint empties the
 * WAL, so the secret is gone from the files, not only from the table. `onDelete` runs in the
 * deletion's transaction.
 */
async function moveSecretOutOfReplica(replica: Replica, key: MetaKey, store: ReplicaSecretStore, onDelete: () => void = () => undefined): Promise<void> {
  const { sqlite } = replica;
  const secret = readMeta(sqlite, key);
  if (secret === null) return;
  await store.write(replica.path, secret);
  const secureDelete = sqlite.pragma('secure_delete', { simple: true }) as number;
  sqlite.pragma('secure_delete = ON');
  try {
    sqlite.transaction(() => {
      deleteMeta(sqlite, key);
      onDelete();
    })();
  } finally {
    sqlite.pragma(`secure_delete = ${secureDelete}`);
  }
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
}

export async function moveDeviceTokenOutOfReplica(replica: Replica, tokens: DeviceTokenStore): Promise<void> {
  await moveSecretOutOfReplica(replica, 'deviceToken', tokens);
}

/** The replica version whose migration leaves only the last 4, one hash digit and the last 6 of a 身份证号. */
const STORE_LESS_VERSION = MIGRATIONS.find((m) => m.name === '0005_id_card_store_less')!.version;

/**
 * Replicas before that version kept the key behind the 身份证号 hashes in `meta`, beside the
 * region codes and full digests that let a copied file give every number away. Its migration
 * rewrote the rows; this moves the key out, then VACUUM rewrites the file so no freed page
 * still holds an old mask or digest. The copy kept before that migration (replica-backups.ts)
 * holds all of it, so it gets the same treatment: it stays a usable copy for the old program,
 * without the key (its full-number search then says the key is missing; the last 6 still work).
 */
export async function moveIdKeyOutOfReplica(replica: Replica, idKeys: ReplicaSecretStore): Promise<void> {
  const { sqlite } = replica;
  // Marked with the key's deletion, cleared last: a stop in between scrubs again at the next open.
  await moveSecretOutOfReplica(replica, 'idHashKey', idKeys, () => writeMeta(sqlite, 'idScrubPending', '1'));
  if (readMeta(sqlite, 'idScrubPending') === null) return;
  sqlite.exec('VACUUM');
  for (let version = 1; version < STORE_LESS_VERSION; version++) {
    const copy = preMigrationBackupPath(replica.path, version);
    if (existsSync(copy)) scrubOlderCopy(copy);
  }
  deleteMeta(sqlite, 'idScrubPending');
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
}

const storeLess = MIGRATIONS.find((m) => m.version === STORE_LESS_VERSION)!;

/** The copy keeps its schema version; its rows and meta lose what migration 6 and the move took from the replica. */
function scrubOlderCopy(path: string): void {
  const copy = new Database(path, { nativeBinding: electronSqliteBinding() });
  try {
    copy.pragma('secure_delete = ON');
    copy.transaction(() => {
      // The index the migration drops may be gone already (a copy scrubbed before); the update is what matters.
      for (const statement of storeLess.sql.split('--> statement-breakpoint')) {
        if (!/^\s*DROP INDEX/i.test(statement)) copy.exec(statement);
      }
      copy.prepare("delete from meta where key in ('idHashKey', 'deviceToken')").run();
    })();
    copy.exec('VACUUM');
  } finally {
    copy.close();
  }
}
