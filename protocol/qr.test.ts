import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  exportQrPublicKey,
  generateQrKeyPair,
  importQrPrivateKey,
  importQrPublicKey,
  isQrPublicKey,
  QrKeyError,
  signGuardianQr,
  verifyGuardianQr,
} from './qr.ts';
import { RosterSchema } from './schemas.ts';

const pair = generateQrKeyPair();
const priv = importQrPrivateKey(pair.privateKey);
const pub = importQrPublicKey(pair.publicKey);
const NOW = new Date('2026-04-01T00:00:00Z');
const NOW_S = NOW.getTime() / 1000;
const claims = { facilityId: 'f1', guardianId: 'g001', expires: NOW_S + 3600 };
const expected = { facilityId: 'f1', now: NOW };

function parts(payload: string): string[] {
  return payload.split('.');
}

describe('guardian QR codes', () => {
  it('round-trip: sign then verify gives the guardian and expiry', () => {
    const payload = signGuardianQr(priv, claims);
    expect(payload).toMatch(/^GK1\.f1\.g001\.\d+\.[A-Za-z0-9_-]{86}$/);
    expect(verifyGuardianQr(pub, payload, expected)).toEqual({
      ok: true,
      guardianId: 'g001',
      expires: claims.expires,
      generation: 0,
    });
  });

  it('a code of a later generation (after a revocation) is format 2, its generation signed', () => {
    expect(signGuardianQr(priv, { ...claims, generation: 0 })).toBe(signGuardianQr(priv, claims));
    const payload = signGuardianQr(priv, { ...claims, generation: 3 });
    expect(payload).toMatch(/^GK2\.f1\.g001\.3\.\d+\.[A-Za-z0-9_-]{86}$/);
    expect(verifyGuardianQr(pub, payload, expected)).toEqual({
      ok: true,
      guardianId: 'g001',
      expires: claims.expires,
      generation: 3,
    });
    const p = parts(payload);
    // An older generation under the same signature, or the code shortened to format 1, is not this key's.
    expect(verifyGuardianQr(pub, [...p.slice(0, 3), '2', ...p.slice(4)].join('.'), expected)).toEqual({
      ok: false,
      reason: 'forged',
    });
    expect(verifyGuardianQr(pub, ['GK1', p[1], p[2], p[4], p[5]].join('.'), expected)).toEqual({
      ok: false,
      reason: 'forged',
    });
    for (const generation of ['0', '01', '-1', 'x']) {
      expect(
        verifyGuardianQr(pub, [...p.slice(0, 3), generation, ...p.slice(4)].join('.'), expected),
      ).toEqual({
        ok: false,
        reason: 'malformed',
      });
    }
    expect(() => signGuardianQr(priv, { ...claims, generation: -1 })).toThrow(QrKeyError);
  });

  it('keys round-trip through their base64 forms', () => {
    expect(isQrPublicKey(pair.publicKey)).toBe(true);
    expect(Buffer.from(pair.publicKey, 'base64')).toHaveLength(32);
    expect(exportQrPublicKey(pub)).toBe(pair.publicKey);
    expect(() => importQrPublicKey('AAAA')).toThrow(QrKeyError);
    expect(() => importQrPrivateKey('bm90IGEga2V5')).toThrow(QrKeyError);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() =>
      importQrPrivateKey(rsa.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64')),
    ).toThrow(/Ed25519/);
  });

  it('refuses to sign bad claims', () => {
    expect(() => signGuardianQr(priv, { ...claims, guardianId: 'a.b' })).toThrow(QrKeyError);
    expect(() => signGuardianQr(priv, { ...claims, expires: 1.5 })).toThrow(QrKeyError);
    expect(() => signGuardianQr(priv, { ...claims, expires: 0 })).toThrow(QrKeyError);
  });

  it('unsigned: anything that does not start with GK1. or GK2.', () => {
    for (const p of ['g001', 'https://example.com/g001', 'GK3.f1.g001.1.x', 'gk1.f1.g001', 'GK1', 'GK2']) {
      expect(verifyGuardianQr(pub, p, expected)).toEqual({ ok: false, reason: 'unsigned' });
    }
  });

  it('malformed: GK1. but not the shape', () => {
    const good = parts(signGuardianQr(priv, claims));
    const sig = good[4] ?? '';
    const bad = [
      'GK1.',
      'GK1.f1.g001',
      `GK1.f1.g001.${claims.expires}`,
      `GK1.f1.g001.${claims.expires}.${sig}.extra`,
      `GK1..g001.${claims.expires}.${sig}`,
      `GK1.f1.g 001.${claims.expires}.${sig}`,
      `GK1.f1.g001.0${claims.expires}.${sig}`,
      `GK1.f1.g001.-5.${sig}`,
      `GK1.f1.g001.1e9.${sig}`,
      `GK1.f1.g001.99999999999999999.${sig}`,
      `GK1.f1.g001.${claims.expires}.${sig.slice(1)}`,
      `GK1.f1.g001.${claims.expires}.${sig.slice(1)}+`,
      `GK1.f1.g001.${claims.expires}.${sig}==`,
    ];
    for (const p of bad)
      expect(verifyGuardianQr(pub, p, expected), p).toEqual({ ok: false, reason: 'malformed' });
  });

  it('forged: tampering with any field, or another key', () => {
    const payload = signGuardianQr(priv, claims);
    const [prefix, f, g, e, sig] = parts(payload) as [string, string, string, string, string];
    const flip = sig.startsWith('A') ? `B${sig.slice(1)}` : `A${sig.slice(1)}`;
    const tampered = [
      [prefix, f, 'g002', e, sig],
      [prefix, f, g, String(Number(e) + 1), sig],
      [prefix, f, g, e, flip],
      // a forged code that claims another facility is forged, not other_facility
      [prefix, 'f2', g, e, sig],
    ];
    for (const t of tampered) {
      expect(verifyGuardianQr(pub, t.join('.'), expected), t.join('.')).toEqual({
        ok: false,
        reason: 'forged',
      });
    }
    const other = importQrPrivateKey(generateQrKeyPair().privateKey);
    expect(verifyGuardianQr(pub, signGuardianQr(other, claims), expected)).toEqual({
      ok: false,
      reason: 'forged',
    });
    // a forged code is forged even when it has also expired
    expect(verifyGuardianQr(pub, signGuardianQr(other, { ...claims, expires: NOW_S - 1 }), expected)).toEqual(
      { ok: false, reason: 'forged' },
    );
  });

  it('other_facility: signed with this key for another facility', () => {
    const payload = signGuardianQr(priv, { ...claims, facilityId: 'f2' });
    expect(verifyGuardianQr(pub, payload, expected)).toEqual({ ok: false, reason: 'other_facility' });
  });

  it('expired: expires ≤ now', () => {
    expect(verifyGuardianQr(pub, signGuardianQr(priv, { ...claims, expires: NOW_S }), expected)).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(
      verifyGuardianQr(pub, signGuardianQr(priv, { ...claims, expires: NOW_S + 1 }), expected),
    ).toMatchObject({
      ok: true,
    });
  });

  it('the roster carries the public key and rejects anything else', () => {
    const roster = {
      facilityId: 'f1',
      facilityName: 'F',
      timeZone: 'Asia/Tokyo',
      version: 1,
      credentialKey: 'k',
      qrPublicKey: pair.publicKey,
      classes: [],
      children: [],
      guardians: [],
    };
    expect(RosterSchema.safeParse(roster).success).toBe(true);
    expect(RosterSchema.safeParse({ ...roster, qrPublicKey: 'AAAA' }).success).toBe(false);
    const { qrPublicKey: _omit, ...without } = roster;
    expect(RosterSchema.safeParse(without).success).toBe(false);
  });
});
