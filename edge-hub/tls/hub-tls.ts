import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensurePrivateDir, writePrivateFile } from '../../common/private-files.ts';
import { ValidationError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { certFingerprint } from '../../protocol/index.ts';
import { hostNames } from './addresses.ts';
import { caFileFingerprint, pemCertificates, TLS_DIR, TLS_FILES } from './ca-file.ts';
import {
  createCa,
  issueServerCertificate,
  reissueReason,
  type KeyedCertificate,
  type ServerNames,
} from './certificates.ts';

/** What the TLS listeners serve, and what devices and integrators trust. */
export interface HubTls {
  /** PEM: the server certificate followed by the rest of its chain (the hub's CA), as sent to clients. */
  cert: string;
  /** PEM private key of the server certificate. */
  key: string;
  /** Absolute path of the CA file clients trust (mosquitto_pub --cafile, a tablet's profile). */
  caFile: string;
  /** certFingerprint of the first certificate in caFile: what pairing codes carry. */
  fingerprint: string;
}

/** The operator's own certificate (`--tls-cert`, `--tls-key`, `--tls-ca`) instead of the hub's CA. */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** The CA clients should trust; the certificate file itself by default. */
  caFile?: string;
}

export interface HubTlsOptions {
  dataDir: string;
  facilityId: string;
  logger: Logger;
  now?: Date;
  /** The names and addresses the server certificate must cover (default: this machine's, hostNames()). */
  names?: ServerNames;
}

function readPem(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * The hub's own TLS material: the CA made once (first start, or `hub init`) and kept, so that the
 * fingerprint paired devices trust stays; the server certificate re-issued by it at a start when it
 * expires within 30 days, or misses a name or address the machine has now. Keys are 0600 in a 0700 folder.
 */
export async function ensureHubTls(options: HubTlsOptions): Promise<HubTls> {
  const { dataDir, facilityId, logger } = options;
  const now = options.now ?? new Date();
  const dir = join(resolve(dataDir), TLS_DIR);
  ensurePrivateDir(dir);
  const path = (name: keyof typeof TLS_FILES) => join(dir, TLS_FILES[name]);

  let ca: KeyedCertificate;
  const caCert = readPem(path('caCert'));
  const caKey = readPem(path('caKey'));
  if (caCert !== undefined && caKey !== undefined) {
    ca = { cert: caCert, key: caKey };
  } else if (caCert === undefined && caKey === undefined) {
    const started = performance.now();
    ca = await createCa(facilityId, now);
    // The key first: a CA certificate on disk without its key would block every later start.
    writePrivateFile(path('caKey'), ca.key);
    writePrivateFile(path('caCert'), ca.cert);
    logger.info({ ms: Math.round(performance.now() - started) }, 'hub CA created');
  } else {
    // Making a new CA here would silently change the fingerprint every paired device trusts.
    throw new ValidationError(
      'tls_ca_incomplete',
      `${dir} holds only one of ${TLS_FILES.caCert} and ${TLS_FILES.caKey}: restore the other from a backup`,
    );
  }
  const caX509 = new X509Certificate(ca.cert);

  const names = options.names ?? hostNames();
  const serverPem = readPem(path('cert'));
  const serverKey = readPem(path('key'));
  const server = serverPem === undefined ? undefined : pemCertificates(serverPem)[0];
  const reason =
    server === undefined || serverKey === undefined ? 'missing' : reissueReason(server, caX509, names, now);
  let leaf = { cert: serverPem ?? '', key: serverKey ?? '' };
  if (reason !== undefined) {
    const started = performance.now();
    leaf = await issueServerCertificate(ca, names, now);
    writePrivateFile(path('key'), leaf.key);
    writePrivateFile(path('cert'), leaf.cert);
    logger.info(
      { reason, ms: Math.round(performance.now() - started), ...names },
      'hub server certificate issued',
    );
  }
  return {
    cert: `${leaf.cert.trimEnd()}\n${ca.cert.trimEnd()}\n`,
    key: leaf.key,
    caFile: path('caCert'),
    fingerprint: certFingerprint(caX509.raw),
  };
}

/** The operator's certificate and key, checked to belong together. */
export function loadTlsFiles(files: TlsFiles): HubTls {
  const caFile = resolve(files.caFile ?? files.certFile);
  for (const file of [files.certFile, files.keyFile, caFile]) {
    if (!existsSync(file)) throw new ValidationError('tls_file_missing', `${file} does not exist`);
  }
  const cert = readFileSync(files.certFile, 'utf8');
  const key = readFileSync(files.keyFile, 'utf8');
  if (pemCertificates(cert)[0] === undefined) {
    throw new ValidationError('bad_tls_cert', `${files.certFile} holds no certificate`);
  }
  return { cert, key, caFile, fingerprint: caFileFingerprint(caFile) };
}
