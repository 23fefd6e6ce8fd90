import type { DeviceAccess } from '../../src-shared/contract/sync';
import { followServerOperators } from '../db/known-operators';
import type { Replica } from '../db/open';
import { scopeDiffers } from '../db/roster-scope-store';
import { readSession, writeSession } from '../db/session-store';
import { markResnapshotNeeded } from './roster-merge';

/**
 * What every pull page says of the device, taken in with the page's rows (same transaction):
 *
 * - the cached operator records of offline sign-in follow the server (a changed password or a
 *   disabled operator stops working offline here);
 * - the signed-in operator's grants follow theirs, so the counter stops offering a checkpoint
 *   the server would refuse. A disabled operator, or one left with no checkpoint of this batch,
 *   keeps the session: their ops are refused by the server and shown under 冲突与被拒;
 * - a roster scope other than the replica's asks for a fresh snapshot, which adds the students
 *   now in scope and drops those no longer in it.
 *
 * Returns whether the session changed.
 */
export function followServer(replica: Replica, access: DeviceAccess): boolean {
  const { sqlite, batch } = replica;
  followServerOperators(sqlite, access.operators, batch);
  if (scopeDiffers(sqlite, access.scope)) markResnapshotNeeded(sqlite);
  const session = readSession(sqlite, batch);
  const server = access.operators.find((o) => o.id === session.operator.id);
  if (!server || server.disabled) return false;
  const grants = server.grants.filter((g) => batch.hasCheckpoint(g.checkpointId));
  if (grants.length === 0 || JSON.stringify(grants) === JSON.stringify(session.grants)) return false;
  const checkpointId = grants.some((g) => g.checkpointId === session.checkpointId) ? session.checkpointId : grants[0]!.checkpointId;
  writeSession(sqlite, { ...session, operator: { id: server.id, name: server.name }, grants, checkpointId });
  return true;
}
