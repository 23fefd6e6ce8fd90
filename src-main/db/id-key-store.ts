import { rmSync } from 'node:fs';
import { writePrivateFileSync } from '../files/private-files';
import { plainCodec, tokenFileStore, type ReplicaSecretStore } from '../sync/device-token-store';

/**
 * The key behind students.id_hash, by replica path, kept like the device token: never in the
 * replica file, so a copied replica alone cannot confirm a guessed 身份证号. Node (browser host,
 * demo, tests): `<replica>.idkey`, mode 0600; Electron: `<replica>.idkey.enc`, encrypted with
 * safeStorage (src-main/electron/device-token.ts).
 */
export const ID_KEY_SUFFIX = '.idkey';

export const fileIdKeyStore: ReplicaSecretStore = tokenFileStore(plainCodec(ID_KEY_SUFFIX));

/** For createReplica, which is synchronous: the Node store's file, written the same way. */
export function writeIdKeyFileSync(replicaPath: string, key: string): void {
  writePrivateFileSync(replicaPath + ID_KEY_SUFFIX, Buffer.from(key, 'utf8'));
}

export function removeIdKeyFileSync(replicaPath: string): void {
  rmSync(replicaPath + ID_KEY_SUFFIX, { force: true });
}
