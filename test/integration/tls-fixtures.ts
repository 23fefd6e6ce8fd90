import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Real certificates made by the openssl binary, as a campus would have them. */
export interface CertificateFiles {
  certPath: string;
  keyPath: string;
  cert: Buffer;
  key: Buffer;
  fingerprint: string;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'pipe' });
}

function filesOf(certPath: string, keyPath: string): CertificateFiles {
  const cert = readFileSync(certPath);
  return { certPath, keyPath, cert, key: readFileSync(keyPath), fingerprint: new X509Certificate(cert).fingerprint256 };
}

/** A campus CA (its certificate is what a counter is given as the CA file). */
export function makeCa(dir: string, name: string): CertificateFiles {
  const certPath = join(dir, `${name}-ca.pem`);
  const keyPath = join(dir, `${name}-ca-key.pem`);
  openssl([
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyPath, '-out', certPath,
    '-days', '30', '-subj', `/CN=${name} Campus CA`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return filesOf(certPath, keyPath);
}

/** A server certificate for `san` (e.g. "IP:127.0.0.1") issued by the CA. */
export function issueFromCa(dir: string, ca: CertificateFiles, name: string, san: string): CertificateFiles {
  const keyPath = join(dir, `${name}-key.pem`);
  const csrPath = join(dir, `${name}.csr`);
  const certPath = join(dir, `${name}-cert.pem`);
  const extPath = join(dir, `${name}.ext`);
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyPath, '-out', csrPath, '-subj', `/CN=${name}`]);
  writeFileSync(extPath, `subjectAltName=${san}\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n`);
  openssl(['x509', '-req', '-in', csrPath, '-CA', ca.certPath, '-CAkey', ca.keyPath, '-CAcreateserial', '-out', certPath, '-days', '30', '-extfile', extPath]);
  return filesOf(certPath, keyPath);
}
