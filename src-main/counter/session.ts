import { ApiError, type Session } from '../../src-shared/contract/counter-api';
import type { Grant } from '../../src-shared/domain/actions';
import type { Replica } from '../db/open';
import { readSession, writeSession, type ReplicaSession } from '../db/session-store';
import { messages } from './messages';

export function toSessionDto(replica: Replica, session: ReplicaSession): Session {
  const { def } = replica.batch;
  return {
    deviceId: session.deviceId,
    operator: session.operator,
    university: def.university,
    batch: { id: def.id, name: def.name, completionRule: def.completionRule },
    checkpoints: session.grants.map((g) => {
      const cp = replica.batch.checkpoint(g.checkpointId);
      return { id: cp.id, name: cp.name, scope: cp.scope, colleges: g.colleges };
    }),
    checkpointId: session.checkpointId,
  };
}

export function currentSession(replica: Replica): ReplicaSession {
  return readSession(replica.sqlite, replica.batch);
}

export function switchCheckpoint(replica: Replica, checkpointId: string): ReplicaSession {
  const session = currentSession(replica);
  if (!session.grants.some((g) => g.checkpointId === checkpointId)) {
    const name = replica.batch.hasCheckpoint(checkpointId) ? replica.batch.checkpoint(checkpointId).name : checkpointId;
    throw new ApiError('forbidden', messages.checkpointNotGranted(name));
  }
  const next = { ...session, checkpointId };
  writeSession(replica.sqlite, next);
  return next;
}

export function grantFor(session: ReplicaSession, checkpointId: string): Grant | undefined {
  return session.grants.find((g) => g.checkpointId === checkpointId);
}
