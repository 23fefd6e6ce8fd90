import { existsSync } from 'node:fs';
import { syncText } from '../../src-shared/i18n/sync.zh-CN';
import { passwordRecord, rememberOperator } from '../db/known-operators';
import type { Replica } from '../db/open';
import { ReplicaError } from '../db/replica-error';
import { readSession } from '../db/session-store';
import { fileTokenStore, type DeviceTokenStore, type ReplicaSecretStore } from './device-token-store';
import { SyncHttp } from './server-http';
import { learnServerIdentity } from './server-identity';
import { setupTrust, type CertificateChoice } from './setup-trust';
import { downloadReplica, type SnapshotProgress } from './snapshot-loader';

export interface ConnectCounterInput {
  serverUrl: string;
  /** Needed for HTTPS: the fingerprint the operator compared, or the campus CA file. */
  certificate?: CertificateChoice;
  operatorNo: string;
  password: string;
  /** Shown in the server's device list. */
  counterName: string;
  batchId: string;
  /** The one-time code an administrator issued for this counter. */
  registrationCode: string;
  /** The checkpoint the counter starts on; the first granted one when omitted. */
  checkpointId?: string;
  /** Where the replica file goes; it must not exist yet. */
  path: string;
  /** Where the device token goes; a file next to the replica when omitted. */
  tokens?: DeviceTokenStore;
  /** Where the 身份证号 hash key goes; a file next to the replica when omitted. */
  idKeys?: ReplicaSecretStore;
  onProgress?: (progress: SnapshotProgress) => void;
  signal?: AbortSignal;
}

/**
 * A new counter: registers the device with the operator's 工号 and password and a one-time
 * registration code, then downloads
 * the snapshot into a new replica. Used by the setup screen, the demo and the tests. The
 * registering operator is remembered like any later sign-in, so they can sign back in offline.
 * The device token is stored before the download, so a replica never appears without it; it is
 * removed again when the download fails.
 */
export async function connectCounter(input: ConnectCounterInput): Promise<Replica> {
  // The token is stored under the replica's path: an existing replica's token must not be replaced.
  if (existsSync(input.path)) throw new ReplicaError(syncText.replicaExists(input.path));
  const tokens = input.tokens ?? fileTokenStore;
  const { origin, trust } = setupTrust(input.serverUrl, input.certificate ?? {});
  const api = new SyncHttp(origin, null, { trust });
  const device = await api.registerDevice({
    operatorNo: input.operatorNo,
    password: input.password,
    name: input.counterName,
    batchId: input.batchId,
    registrationCode: input.registrationCode,
  });
  await tokens.write(input.path, device.token);
  let replica: Replica;
  try {
    replica = await downloadReplica({
      api: api.withToken(device.token),
      path: input.path,
      session: {
        deviceId: device.deviceId,
        operator: device.operator,
        grants: device.grants,
        serverSession: device.session,
        ...(input.checkpointId ? { checkpointId: input.checkpointId } : {}),
      },
      onProgress: input.onProgress,
      signal: input.signal,
      ...(input.idKeys ? { idKeys: input.idKeys } : {}),
    });
  } catch (e) {
    // A token without its replica is of no use. Should removing fail as well, the next
    // registration replaces it; the download's error is the one to report.
    await tokens.remove(input.path).catch(() => undefined);
    throw e;
  }
  await learnServerIdentity(replica.sqlite, api);
  const passwordHash = await passwordRecord(input.password);
  const { grants } = readSession(replica.sqlite, replica.batch);
  rememberOperator(replica.sqlite, { operator: device.operator, grants }, { passwordHash, passwordVersion: device.passwordVersion }, new Date().toISOString());
  return replica;
}
