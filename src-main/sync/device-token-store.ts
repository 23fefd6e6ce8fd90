import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { writePrivateFile } from '../files/private-files';

/**
 * Where a counter keeps a secret of its replica, by replica path: the device token, the key
 * behind the 身份证号 hashes (id-key-store.ts). Never in the replica itself: the replica file is
 * copied for backups and support, and whoever holds the token can push ops as this counter.
 * Reading is synchronous (once, when the replica opens); writing may have to ask another thread
 * (the Electron main process encrypts), so it is asynchronous.
 */
export interface ReplicaSecretStore {
  /** null when no secret is stored for this replica, or it cannot be read back. */
  read(replicaPath: string): string | null;
  write(replicaPath: string, secret: string): Promise<void>;
  remove(replicaPath: string): Promise<void>;
}

export type DeviceTokenStore = ReplicaSecretStore;

/** How the token's bytes are kept in its file: as they are, or encrypted. */
export interface TokenCodec {
  /** Next to the replica: `<replica><suffix>`. */
  suffix: string;
  encode(token: string): Buffer;
  decode(bytes: Buffer): string;
}

/** A secret kept as it is, in `<replica><suffix>`. */
export function plainCodec(suffix: string): TokenCodec {
  return { suffix, encode: (secret) => Buffer.from(secret, 'utf8'), decode: (bytes) => bytes.toString('utf8') };
}

/** A file next to the replica (`<replica><codec.suffix>`), mode 0600, replaced atomically. */
export function tokenFileStore(codec: TokenCodec, onUnreadable: (path: string, e: Error) => void = () => undefined): DeviceTokenStore {
  const fileOf = (replicaPath: string) => replicaPath + codec.suffix;
  return {
    read(replicaPath) {
      const file = fileOf(replicaPath);
      try {
        return codec.decode(readFileSync(file)) || null;
      } catch (e) {
        // Deleted, unreadable, or encrypted on another machine or for another user: as good as
        // missing, which the header reports.
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') onUnreadable(file, e as Error);
        return null;
      }
    },
    write: (replicaPath, token) => writePrivateFile(fileOf(replicaPath), codec.encode(token)),
    remove: (replicaPath) => rm(fileOf(replicaPath), { force: true }),
  };
}

/** The browser host, `npm run demo`, `npm run counter`, the tests; and Electron where the OS offers no encryption. */
export const fileTokenStore: DeviceTokenStore = tokenFileStore(plainCodec('.token'));

/** Encryption by the OS, bound to this machine and user (Electron's safeStorage). */
export interface TokenCipher {
  encrypt(token: string): Buffer;
  decrypt(bytes: Buffer): string;
}

/**
 * A secret encrypted, in `<replica><plain suffix>.enc`. Writing removes the plain file, so a
 * secret a Node process stored (`npm run demo` registers its counters before it starts
 * Electron) is in clear only until the app stores it again.
 */
export function encryptedSecretStore(
  cipher: TokenCipher,
  plainSuffix: string,
  onUnreadable: (path: string, e: Error) => void,
): ReplicaSecretStore {
  const plainStore = tokenFileStore(plainCodec(plainSuffix));
  const encrypted = tokenFileStore({ suffix: `${plainSuffix}.enc`, encode: (t) => cipher.encrypt(t), decode: (b) => cipher.decrypt(b) }, onUnreadable);
  return {
    read: (replicaPath) => encrypted.read(replicaPath),
    async write(replicaPath, secret) {
      await encrypted.write(replicaPath, secret);
      await plainStore.remove(replicaPath);
    },
    async remove(replicaPath) {
      await encrypted.remove(replicaPath);
      await plainStore.remove(replicaPath);
    },
  };
}

/** The device token encrypted, in `<replica>.token.enc`. */
export function encryptedTokenStore(cipher: TokenCipher, onUnreadable: (path: string, e: Error) => void): DeviceTokenStore {
  return encryptedSecretStore(cipher, '.token', onUnreadable);
}
