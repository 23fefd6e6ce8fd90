import { asc, eq } from 'drizzle-orm';
import type { ServerIdentity } from '../../src-shared/contract/server-identity';
import type { Executor } from '../db/database';
import { serverHistory } from '../db/schema';

/**
 * This server's identity: the history it was created with. A restart keeps it (it is in the
 * database), a restore from this server's backup brings it back (the backup holds every history
 * row; the restore adds a new one after them), and a database created elsewhere has its own.
 */
export async function serverIdentity(db: Executor): Promise<ServerIdentity> {
  const [row] = await db
    .select({ id: serverHistory.id })
    .from(serverHistory)
    .where(eq(serverHistory.cause, 'created'))
    .orderBy(asc(serverHistory.createdAt))
    .limit(1);
  if (!row) throw new Error('server_history has no created row: the database was not migrated');
  return { id: row.id };
}
