import { describe, expect, it } from 'vitest';
import { certFingerprint, decodePairingPayload, encodePairingPayload } from './pairing.ts';

describe('pairing payload tls field', () => {
  const fingerprint = certFingerprint(Buffer.from('a CA certificate'));
  const base = { device: 'kiosk-1', code: 'A'.repeat(22) };

  it('is the base64url SHA-256 of the DER, 43 characters', () => {
    expect(fingerprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('travels with an https hub address', () => {
    const text = encodePairingPayload({ ...base, hub: 'https://192.0.2.1:8443', tls: fingerprint });
    expect(decodePairingPayload(text)).toEqual({ ...base, hub: 'https://192.0.2.1:8443', tls: fingerprint });
  });

  it('makes a payload with an http address, or a malformed fingerprint, malformed', () => {
    expect(
      decodePairingPayload(encodePairingPayload({ ...base, hub: 'http://192.0.2.1:8080', tls: fingerprint })),
    ).toBeUndefined();
    expect(
      decodePairingPayload(encodePairingPayload({ ...base, hub: 'https://hub:8443', tls: 'short' })),
    ).toBeUndefined();
    expect(decodePairingPayload(encodePairingPayload({ ...base, hub: 'http://hub:8080' }))).toEqual({
      ...base,
      hub: 'http://hub:8080',
    });
  });
});
