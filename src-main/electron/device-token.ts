import type { SafeStorage } from 'electron';
import { encryptedSecretStore, fileTokenStore, type DeviceTokenStore, type ReplicaSecretStore } from '../sync/device-token-store';
import { ID_KEY_SUFFIX, fileIdKeyStore } from '../db/id-key-store';

/**
 * The replica's secrets (device token, 身份证号 hash key) encrypted with the OS's key (Keychain,
 * DPAPI, libsecret/KWallet), so their files are of no use on another machine or account.
 * Without a keyring (Linux; Electron would then encrypt with a fixed key, 'basic_text') they
 * stay in plain files, mode 0600, and the log says so. A plain secret left by a Node process
 * (`npm run demo`) is encrypted now.
 */
export type TokenSafeStorage = Pick<SafeStorage, 'isEncryptionAvailable' | 'getSelectedStorageBackend' | 'encryptString' | 'decryptString'>;

interface SecretKind {
  plain: ReplicaSecretStore;
  suffix: string;
  /** What the secret is called in the log, in Chinese. */
  name: string;
}

async function electronSecretStore(safeStorage: TokenSafeStorage, replicaPath: string, kind: SecretKind): Promise<ReplicaSecretStore> {
  const osKey = safeStorage.isEncryptionAvailable() && !(process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text');
  if (!osKey) {
    console.warn(`系统未提供密钥环（safeStorage 不可用）：本柜台的${kind.name}以仅本用户可读的文件保存在数据文件旁，未加密`);
    return kind.plain;
  }
  const store = encryptedSecretStore(
    { encrypt: (secret) => safeStorage.encryptString(secret), decrypt: (bytes) => safeStorage.decryptString(bytes) },
    kind.suffix,
    (file, e) => console.warn(`无法解密本柜台的${kind.name} ${file}（可能来自另一台电脑或另一个用户）：${e.message}`),
  );
  const plain = kind.plain.read(replicaPath);
  if (plain !== null) await store.write(replicaPath, plain);
  return store;
}

export function electronTokenStore(safeStorage: TokenSafeStorage, replicaPath: string): Promise<DeviceTokenStore> {
  return electronSecretStore(safeStorage, replicaPath, { plain: fileTokenStore, suffix: '.token', name: '登记凭据' });
}

/** The key behind the replica's 身份证号 hashes, kept like the device token (docs/local-replica.md). */
export function electronIdKeyStore(safeStorage: TokenSafeStorage, replicaPath: string): Promise<ReplicaSecretStore> {
  return electronSecretStore(safeStorage, replicaPath, { plain: fileIdKeyStore, suffix: ID_KEY_SUFFIX, name: '身份证号查询密钥' });
}
