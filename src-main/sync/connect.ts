import { passwordRecord, rememberOperator } from '../db/known-operators';
import type { Replica } from '../db/open';
import { readSession } from '../db/session-store';
import { SyncHttp, normaliseServerUrl } from './server-http';
import { downloadReplica, type SnapshotProgress } from './snapshot-loader';

export interface ConnectCounterInput {
  serverUrl: string;
  operatorNo: string;
  password: string;
  /** Shown in the server's device list. */
  counterName: string;
  batchId: string;
  /** The checkpoint the counter starts on; the first granted one when omitted. */
  checkpointId?: string;
  /** Where the replica file goes; it must not exist yet. */
  path: string;
  onProgress?: (progress: SnapshotProgress) => void;
  signal?: AbortSignal;
}

/**
 * A new counter: registers the device with the operator's 工号 and password, then downloads
 * the snapshot into a new replica. Used by the setup screen, the demo and the tests. The
 * registering operator is remembered like any later sign-in, so they can sign back in offline.
 */
export async function connectCounter(input: ConnectCounterInput): Promise<Replica> {
  const api = new SyncHttp(normaliseServerUrl(input.serverUrl));
  const device = await api.registerDevice({
    operatorNo: input.operatorNo,
    password: input.password,
    name: input.counterName,
    batchId: input.batchId,
  });
  const replica = await downloadReplica({
    api: api.withToken(device.token),
    token: device.token,
    path: input.path,
    session: {
      deviceId: device.deviceId,
      operator: device.operator,
      grants: device.grants,
      ...(input.checkpointId ? { checkpointId: input.checkpointId } : {}),
    },
    onProgress: input.onProgress,
    signal: input.signal,
  });
  const passwordHash = await passwordRecord(input.password);
  const { grants } = readSession(replica.sqlite, replica.batch);
  rememberOperator(replica.sqlite, { operator: device.operator, grants }, passwordHash, new Date().toISOString());
  return replica;
}
