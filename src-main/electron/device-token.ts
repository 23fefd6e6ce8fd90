import type { SafeStorage } from 'electron';
import { encryptedTokenStore, fileTokenStore, type DeviceTokenStore } from '../sync/device-token-store';

/**
 * The device token encrypted with the OS's key (Keychain, DPAPI, libsecret/KWallet), so the
 * token file is of no use on another machine or account. Without a keyring (Linux; Electron
 * would then encrypt with a fixed key, 'basic_text') it stays in the plain file, mode 0600, and
 * the log says so. A plain token left by a Node process (`npm run demo`) is encrypted now.
 */
export type TokenSafeStorage = Pick<SafeStorage, 'isEncryptionAvailable' | 'getSelectedStorageBackend' | 'encryptString' | 'decryptString'>;

export async function electronTokenStore(safeStorage: TokenSafeStorage, replicaPath: string): Promise<DeviceTokenStore> {
  const osKey = safeStorage.isEncryptionAvailable() && !(process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text');
  if (!osKey) {
    console.warn('系统未提供密钥环（safeStorage 不可用）：本柜台的登记凭据以仅本用户可读的文件保存在数据文件旁，未加密');
    return fileTokenStore;
  }
  const store = encryptedTokenStore(
    { encrypt: (token) => safeStorage.encryptString(token), decrypt: (bytes) => safeStorage.decryptString(bytes) },
    (file, e) => console.warn(`无法解密本柜台的登记凭据 ${file}（可能来自另一台电脑或另一个用户）：${e.message}`),
  );
  const plain = fileTokenStore.read(replicaPath);
  if (plain !== null) await store.write(replicaPath, plain);
  return store;
}
