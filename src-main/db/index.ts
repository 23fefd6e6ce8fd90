export { createReplica, type CreateReplicaOptions } from './create';
export { storedIdHash } from './id-hash';
export { latestVersion, migrate } from './migrate';
export { openReplica, type Replica, type ReplicaDb } from './open';
export { ReplicaError } from './replica-error';
export { readSession, writeSession, type ReplicaSession, type ReplicaSessionInput } from './session-store';
