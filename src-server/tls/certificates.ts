import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AdminError } from '../admin/admin-error';

/** What `--tls-cert` / `--tls-key` point at, read and checked to belong together. */
export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch {
    throw new AdminError(`无法读取${what}文件：${path}`);
  }
}

function certificateOf(pem: Buffer, path: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw new AdminError(`${path} 不是 PEM 格式的证书（应以 -----BEGIN CERTIFICATE----- 开头）`);
  }
}

/** The certificate and key, refused with the reason when either is unreadable or they do not match. */
export function readTlsFiles(certPath: string, keyPath: string): TlsFiles {
  const cert = readPem(certPath, '证书');
  const key = readPem(keyPath, '私钥');
  const x509 = certificateOf(cert, certPath);
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new AdminError(`${keyPath} 不是可用的 PEM 私钥（不能是加密的私钥）`);
  }
  if (!x509.checkPrivateKey(privateKey)) throw new AdminError(`私钥 ${keyPath} 与证书 ${certPath} 不配套`);
  if (Date.parse(x509.validTo) < Date.now()) throw new AdminError(`证书 ${certPath} 已于 ${x509.validTo} 过期`);
  return { cert, key };
}

/** SHA-256 of the certificate as counters show it at setup: colon-separated upper-case hex. */
export function certificateFingerprint(certPath: string): { fingerprint: string; subjectAltName: string; validTo: string } {
  const x509 = certificateOf(readPem(certPath, '证书'), certPath);
  return { fingerprint: x509.fingerprint256, subjectAltName: x509.subjectAltName ?? '', validTo: x509.validTo };
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** The certificate's subjectAltName for an address (IP:) or a host name (DNS:); anything else is refused. */
export function subjectAltNameFor(host: string): string {
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare)) return `IP:${bare}`;
  if (HOST_NAME.test(bare)) return `DNS:${bare}`;
  throw new AdminError(`「${host}」既不是 IP 地址也不是主机名（如 10.0.0.5 或 lixiao.example.edu.cn）`);
}

/** Days a self-signed certificate lasts: one clearance season and some, under the 825 days clients accept. */
export const SELF_SIGNED_DAYS = 825;

/**
 * A key (EC P-256) and a self-signed certificate for `host`, made by the openssl binary, for a
 * campus without its own PKI: counters pin its fingerprint at setup. Existing files are not replaced.
 */
export async function writeSelfSigned(host: string, outDir: string): Promise<{ certPath: string; keyPath: string; fingerprint: string }> {
  const san = subjectAltNameFor(host);
  const certPath = join(outDir, 'server-cert.pem');
  const keyPath = join(outDir, 'server-key.pem');
  for (const path of [certPath, keyPath]) if (existsSync(path)) throw new AdminError(`${path} 已存在，未覆盖（换证书会让各柜台停止同步，需逐台重新核对指纹）`);
  mkdirSync(outDir, { recursive: true });
  const args = [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyPath, '-out', certPath, '-days', String(SELF_SIGNED_DAYS), '-sha256',
    '-subj', `/CN=${host.replace(/[/=\\]/g, '')}/O=离校办理台`, '-utf8',
    '-addext', `subjectAltName=${san}`,
    '-addext', 'basicConstraints=critical,CA:FALSE',
    '-addext', 'keyUsage=critical,digitalSignature',
    '-addext', 'extendedKeyUsage=serverAuth',
  ];
  try {
    await promisify(execFile)('openssl', args);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new AdminError('找不到 openssl 程序，请先安装 OpenSSL（Debian/Ubuntu: apt install openssl）');
    throw new AdminError(`openssl 生成证书失败：${(e as { stderr?: string }).stderr ?? (e as Error).message}`);
  }
  chmodSync(keyPath, 0o600);
  return { certPath, keyPath, fingerprint: certificateFingerprint(certPath).fingerprint };
}
