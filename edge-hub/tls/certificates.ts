// @peculiar/x509 resolves its parts through tsyringe, which needs the Reflect metadata API: loaded first.
import 'reflect-metadata';
import type { X509Certificate } from 'node:crypto';
import { randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

/** ECDSA P-256 with SHA-256: small keys and certificates, and what every TLS client of ours speaks. */
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
/** The hub's own CA outlives any installation: re-pairing every kiosk is what a new CA would cost. */
export const CA_DAYS = 20 * 365;
/** The server certificate is re-issued by the same CA at a start when it nears its end. */
export const SERVER_DAYS = 2 * 365;

/** A certificate and its private key, both PEM (the key PKCS#8). */
export interface KeyedCertificate {
  cert: string;
  key: string;
}

/** What a server certificate is for: names and addresses devices reach the hub at. */
export interface ServerNames {
  dns: readonly string[];
  ips: readonly string[];
}

const subtle = webcrypto.subtle;
type CryptoKey = webcrypto.CryptoKey;

/** A positive 128-bit serial (RFC 5280: at most 20 octets, no sign bit). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

async function newKeys(): Promise<webcrypto.CryptoKeyPair> {
  return subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await subtle.exportKey('pkcs8', key));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN PRIVATE KEY-----\n${lines.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

async function importKey(pem: string): Promise<CryptoKey> {
  const der = Buffer.from(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return subtle.importKey('pkcs8', der, ALGORITHM, false, ['sign']);
}

/** CN values: printable, short, no separators that would read as another attribute. */
function cnOf(text: string): string {
  return text.replace(/[^A-Za-z0-9 ._-]/g, '_').slice(0, 60);
}

/** The hub's private CA: self-signed, may sign server certificates only (path length 0). */
export async function createCa(facilityId: string, now: Date): Promise<KeyedCertificate> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: [{ CN: [cnOf(`Genkan hub CA ${facilityId}`)] }],
    // A minute back: a device whose clock is a little behind still accepts a fresh certificate.
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + CA_DAYS * DAY_MS),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) };
}

/** A server certificate for `names`, signed by `ca`. */
export async function issueServerCertificate(
  ca: KeyedCertificate,
  names: ServerNames,
  now: Date,
): Promise<KeyedCertificate> {
  const issuer = new x509.X509Certificate(ca.cert);
  const keys = await newKeys();
  const altNames: x509.JsonGeneralName[] = [
    ...names.dns.map((value) => ({ type: 'dns' as const, value })),
    ...names.ips.map((value) => ({ type: 'ip' as const, value })),
  ];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: [{ CN: [cnOf(names.dns.find((n) => n !== 'localhost') ?? 'genkan-hub')] }],
    issuer: issuer.subject,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + SERVER_DAYS * DAY_MS),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: await importKey(ca.key),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension(altNames, false),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(issuer),
    ],
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) };
}

/** The names and addresses a certificate's subjectAltName covers (IPv6 addresses normalised). */
export function certificateNames(cert: X509Certificate): ServerNames {
  const dns: string[] = [];
  const ips: string[] = [];
  for (const entry of (cert.subjectAltName ?? '').split(/,\s*/)) {
    if (entry.startsWith('DNS:')) dns.push(entry.slice(4).toLowerCase());
    else if (entry.startsWith('IP Address:')) ips.push(normaliseIp(entry.slice(11)));
  }
  return { dns, ips };
}

/** One spelling per address, so that `::1` and `0:0:0:0:0:0:0:1` compare equal. */
export function normaliseIp(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  // URL parsing compresses an IPv6 literal to its canonical form.
  return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
}

/**
 * Why the server certificate must be issued again (undefined: it is fine): not signed by this CA,
 * expiring within `renewDays`, or not covering a name or address the hub is reached at now.
 */
export function reissueReason(
  server: X509Certificate,
  ca: X509Certificate,
  wanted: ServerNames,
  now: Date,
  renewDays = 30,
): string | undefined {
  if (!server.checkIssued(ca) || !server.verify(ca.publicKey)) return 'not issued by the hub CA';
  if (new Date(server.validTo).getTime() - now.getTime() < renewDays * DAY_MS) return 'expires soon';
  if (new Date(server.validFrom).getTime() > now.getTime()) return 'not valid yet';
  const has = certificateNames(server);
  const missingDns = wanted.dns.find((n) => !has.dns.includes(n.toLowerCase()));
  const missingIp = wanted.ips.find((ip) => !has.ips.includes(normaliseIp(ip)));
  if (missingDns !== undefined || missingIp !== undefined) return 'a name or address is not covered';
  return undefined;
}
