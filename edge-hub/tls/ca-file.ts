import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '../../common/errors.ts';
import { certFingerprint } from '../../protocol/index.ts';

/** The files of the hub's own CA and server certificate, under `<data>/tls/`. */
export const TLS_DIR = 'tls';
export const TLS_FILES = { caCert: 'ca.pem', caKey: 'ca.key', cert: 'hub.pem', key: 'hub.key' } as const;

const PEM_CERT = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/** The certificates of a PEM text, in order. */
export function pemCertificates(pem: string): X509Certificate[] {
  return (pem.match(PEM_CERT) ?? []).map((block) => new X509Certificate(block));
}

/** The hub's own CA file in a data dir. */
export function hubCaFile(dataDir: string): string {
  return join(dataDir, TLS_DIR, TLS_FILES.caCert);
}

/**
 * The fingerprint pairing codes carry for a CA file: of its first certificate (the CA devices trust; with
 * an operator's certificate and no CA file, the server certificate itself).
 */
export function caFileFingerprint(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ValidationError('tls_ca_missing', `${file} does not exist`);
    }
    throw err;
  }
  const first = pemCertificates(pem)[0];
  if (first === undefined) throw new ValidationError('bad_tls_ca', `${file} holds no certificate`);
  return certFingerprint(first.raw);
}
