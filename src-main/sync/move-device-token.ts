import { deleteMeta, readMeta } from '../db/meta';
import type { Replica } from '../db/open';
import type { DeviceTokenStore } from './device-token-store';

/**
 * Replicas downloaded before the token store kept the device token in `meta`. On open it moves
 * to the store: stored first, then deleted, so a stop in between leaves it in both places (and
 * the next open finishes the move), never in neither. secure_delete zeroes the freed bytes and
 * the checkpoint empties the WAL, so the token is gone from the files, not only from the table.
 */
export async function moveDeviceTokenOutOfReplica(replica: Replica, tokens: DeviceTokenStore): Promise<void> {
  const { sqlite } = replica;
  const token = readMeta(sqlite, 'deviceToken');
  if (token === null) return;
  await tokens.write(replica.path, token);
  const secureDelete = sqlite.pragma('secure_delete', { simple: true }) as number;
  sqlite.pragma('secure_delete = ON');
  try {
    deleteMeta(sqlite, 'deviceToken');
  } finally {
    sqlite.pragma(`secure_delete = ${secureDelete}`);
  }
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
}
