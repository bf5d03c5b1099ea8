import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.ts';
import { certFingerprint } from '../../protocol/index.ts';
import { removeDir, tempDir } from '../../test/support/hub.ts';
import { pemCertificates, TLS_DIR } from './ca-file.ts';
import { certificateNames, normaliseIp } from './certificates.ts';
import { ensureHubTls, loadTlsFiles } from './hub-tls.ts';

const NAMES = { dns: ['localhost', 'hub.example'], ips: ['127.0.0.1', '::1', '192.0.2.10'] };
const DAY_MS = 86_400_000;

describe('the hub TLS material', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await removeDir(dir);
  });
  const ensure = (names = NAMES, now = new Date()) =>
    ensureHubTls({ dataDir: dir, facilityId: 'f1', logger: silentLogger(), names, now });
  const file = (name: string) => join(dir, TLS_DIR, name);

  it('makes a P-256 CA (CA:true, pathlen 0, ~20 years) and a server certificate for every name, keys 0600', async () => {
    const started = performance.now();
    const tls = await ensure();
    const ms = performance.now() - started;
    const [leaf, ca] = pemCertificates(tls.cert);
    if (!leaf || !ca) throw new Error('chain of two expected');
    expect(ca.ca).toBe(true);
    expect(ca.subject).toContain('CN=Genkan hub CA f1');
    expect(ca.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(leaf.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const caYears = (Date.parse(ca.validTo) - Date.now()) / (365 * DAY_MS);
    expect(caYears).toBeGreaterThan(19.9);
    const leafDays = (Date.parse(leaf.validTo) - Date.now()) / DAY_MS;
    expect(leafDays).toBeGreaterThan(700);
    expect(leafDays).toBeLessThan(740);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(ca) && leaf.verify(ca.publicKey)).toBe(true);
    expect(certificateNames(leaf)).toEqual({
      dns: ['localhost', 'hub.example'],
      ips: ['127.0.0.1', '::1', '192.0.2.10'],
    });
    // Path length 0: the CA may sign server certificates, not further CAs.
    const constraints = new x509.X509Certificate(ca.raw).getExtension(x509.BasicConstraintsExtension);
    expect(constraints).toMatchObject({ ca: true, pathLength: 0, critical: true });
    for (const name of ['ca.key', 'hub.key', 'ca.pem', 'hub.pem']) {
      expect(statSync(file(name)).mode & 0o777, name).toBe(0o600);
    }
    expect(statSync(join(dir, TLS_DIR)).mode & 0o777).toBe(0o700);
    expect(tls.caFile).toBe(file('ca.pem'));
    expect(tls.fingerprint).toBe(certFingerprint(new X509Certificate(readFileSync(tls.caFile)).raw));
    expect(tls.fingerprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // About 0.13 s cold at a hub's first start, ~13 ms warm (docs/deployment.md): never a noticeable wait.
    expect(ms).toBeLessThan(5000);
  });

  it('keeps both certificates on a start that finds them fine', async () => {
    const first = await ensure();
    const second = await ensure();
    expect(second.cert).toBe(first.cert);
    expect(second.fingerprint).toBe(first.fingerprint);
  });

  it('re-issues the server certificate with the same CA when an address is new or it expires soon', async () => {
    const first = await ensure();
    const moved = await ensure({ ...NAMES, ips: [...NAMES.ips, '198.51.100.7'] });
    expect(moved.fingerprint).toBe(first.fingerprint);
    expect(certFingerprint(pemCertificates(moved.cert)[1]?.raw ?? Buffer.alloc(0))).toBe(first.fingerprint);
    const movedLeaf = pemCertificates(moved.cert)[0];
    if (!movedLeaf) throw new Error('no leaf');
    expect(certificateNames(movedLeaf).ips).toContain('198.51.100.7');
    expect(moved.cert).not.toBe(first.cert);

    // 30 days before the end: a new one, still from the same CA.
    const late = new Date(Date.parse(movedLeaf.validTo) - 29 * DAY_MS);
    const renewed = await ensure({ ...NAMES, ips: [...NAMES.ips, '198.51.100.7'] }, late);
    expect(renewed.fingerprint).toBe(first.fingerprint);
    const renewedLeaf = pemCertificates(renewed.cert)[0];
    expect(Date.parse(renewedLeaf?.validTo ?? '')).toBeGreaterThan(Date.parse(movedLeaf.validTo));
  });

  it('refuses a CA certificate without its key instead of making a new CA', async () => {
    await ensure();
    const { rmSync } = await import('node:fs');
    rmSync(file('ca.key'));
    await expect(ensure()).rejects.toMatchObject({ code: 'tls_ca_incomplete' });
  });

  it("takes an operator's certificate; the fingerprint is of the CA file, the certificate file by default", async () => {
    const own = await ensure();
    const certFile = file('hub.pem');
    const keyFile = file('hub.key');
    const asIs = loadTlsFiles({ certFile, keyFile });
    expect(asIs.caFile).toBe(certFile);
    expect(asIs.fingerprint).not.toBe(own.fingerprint);
    const withCa = loadTlsFiles({ certFile, keyFile, caFile: own.caFile });
    expect(withCa.fingerprint).toBe(own.fingerprint);
    expect(() => loadTlsFiles({ certFile: join(dir, 'nope.pem'), keyFile })).toThrow(/does not exist/);
  });

  it('compares IPv6 addresses in any spelling', () => {
    expect(normaliseIp('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(normaliseIp('FD00:0:0:0:0:0:0:2')).toBe('fd00::2');
    expect(normaliseIp('192.0.2.1')).toBe('192.0.2.1');
  });
});
