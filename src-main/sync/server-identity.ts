import type Database from 'better-sqlite3';
import { readMeta, writeMeta } from '../db/meta';
import { SyncError, type SyncHttp } from './server-http';

/**
 * Remembers the server's identity the first time it is heard (setup, or the first sync round of
 * a replica made before identities existed). An older server without one is left unknown: sync
 * goes on, only a move of the address waits for it.
 */
export async function learnServerIdentity(sqlite: Database.Database, api: SyncHttp): Promise<void> {
  if (readMeta(sqlite, 'serverIdentity') !== null) return;
  let id: string;
  try {
    id = (await api.health()).server.id;
  } catch (e) {
    if (e instanceof SyncError) return;
    throw e;
  }
  writeMeta(sqlite, 'serverIdentity', id);
}
