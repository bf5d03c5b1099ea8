import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { ID_RE } from './topics.ts';

/**
 * Signed guardian QR codes, format version 1:
 *
 *   GK1.<facilityId>.<guardianId>.<expires>.<sig>
 *
 * `expires` is Unix seconds in decimal (no sign, no leading zero); `sig` is base64url (no padding) of the
 * Ed25519 signature over the UTF-8 bytes of `GK1.<facilityId>.<guardianId>.<expires>`. Ids cannot hold
 * a `.` (ID_RE), so the dots split the payload unambiguously.
 *
 * Format version 2 adds the guardian's QR generation (a positive decimal, no leading zero), signed too:
 *
 *   GK2.<facilityId>.<guardianId>.<generation>.<expires>.<sig>
 *
 * A guardian's generation starts at 0 and moves on each revocation (`genkan qr revoke`); the roster tells
 * kiosks each guardian's current one (`qrGeneration`), and a code of an older generation is refused as
 * `revoked` (kiosk/main/agent/taps.ts). Codes of generation 0 are written as version 1, so codes issued
 * before any revocation read as they always did; a version 1 code is of generation 0.
 *
 * The hub holds the private key; kiosks get the public key in the roster (`qrPublicKey`: the raw 32-byte
 * Ed25519 key, base64) and verify offline.
 *
 * Refusal reasons, checked in this order:
 *   unsigned        the payload does not start with `GK1.` or `GK2.`: a URL, a bare guardian id, a legacy code
 *   malformed       it starts so but is not the shape above (bad id, number or base64)
 *   forged          the signature does not verify with this facility's key
 *   other_facility  validly signed with this key, but for another facility id
 *   expired         `expires` ≤ now
 * The signature is checked before the facility, so a code claiming another facility that this key did
 * not sign is `forged`. A kiosk cannot tell a genuine code of another Genkan hub (another key) from a
 * forgery, so that too is `forged`; `other_facility` means a code signed with this key for another
 * facility id (e.g. a hub data directory copied to set up a second facility).
 */
export const QR_PREFIX = 'GK1.';
/** Codes of a guardian whose earlier codes were revoked (generation ≥ 1). */
export const QR_PREFIX_V2 = 'GK2.';

export const QR_REFUSALS = ['malformed', 'unsigned', 'forged', 'other_facility', 'expired'] as const;
export type QrRefusal = (typeof QR_REFUSALS)[number];

export interface GuardianQrClaims {
  facilityId: string;
  guardianId: string;
  /** Unix seconds; the code is refused from this second on. */
  expires: number;
  /** The guardian's QR generation (0 or absent: never revoked, written as format version 1). */
  generation?: number;
}

export type QrVerification =
  { ok: true; guardianId: string; expires: number; generation: number } | { ok: false; reason: QrRefusal };

const EXPIRES_RE = /^[1-9][0-9]{0,15}$/;
/** An Ed25519 signature is 64 bytes: 86 base64url characters without padding. */
const SIG_RE = /^[A-Za-z0-9_-]{86}$/;
/** A raw Ed25519 public key is 32 bytes: 44 base64 characters with one `=`. */
const PUBLIC_KEY_RE = /^[A-Za-z0-9+/]{43}=$/;

/** Thrown for unusable claims or keys when signing or importing; never for a code being verified. */
export class QrKeyError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = 'QrKeyError';
  }
}

function signedPart(c: GuardianQrClaims): string {
  const generation = c.generation ?? 0;
  return generation === 0
    ? `${QR_PREFIX}${c.facilityId}.${c.guardianId}.${c.expires}`
    : `${QR_PREFIX_V2}${c.facilityId}.${c.guardianId}.${generation}.${c.expires}`;
}

/** Signs a guardian code. Throws QrKeyError for ids outside ID_RE or a non-positive or fractional expiry. */
export function signGuardianQr(privateKey: KeyObject, claims: GuardianQrClaims): string {
  if (!ID_RE.test(claims.facilityId) || !ID_RE.test(claims.guardianId)) {
    throw new QrKeyError('bad_qr_claims', 'facility and guardian ids must be 1–64 letters, digits, _ or -');
  }
  if (!Number.isSafeInteger(claims.expires) || claims.expires <= 0) {
    throw new QrKeyError('bad_qr_claims', 'expires must be a positive integer of Unix seconds');
  }
  const generation = claims.generation ?? 0;
  if (!Number.isSafeInteger(generation) || generation < 0) {
    throw new QrKeyError('bad_qr_claims', 'the generation must be a non-negative integer');
  }
  const body = signedPart(claims);
  const sig = sign(null, Buffer.from(body, 'utf8'), privateKey);
  return `${body}.${sig.toString('base64url')}`;
}

/** Verifies a scanned payload offline against the facility's public key and the kiosk's clock. */
export function verifyGuardianQr(
  publicKey: KeyObject,
  payload: string,
  expected: { facilityId: string; now: Date },
): QrVerification {
  const v2 = payload.startsWith(QR_PREFIX_V2);
  if (!v2 && !payload.startsWith(QR_PREFIX)) return { ok: false, reason: 'unsigned' };
  const parts = payload.split('.');
  if (parts.length !== (v2 ? 6 : 5)) return { ok: false, reason: 'malformed' };
  // Version 1 has no generation: it reads as generation 0.
  if (!v2) parts.splice(3, 0, '0');
  const [, facilityId = '', guardianId = '', generationText = '', expiresText = '', sigText = ''] = parts;
  if (!ID_RE.test(facilityId) || !ID_RE.test(guardianId)) return { ok: false, reason: 'malformed' };
  if (!EXPIRES_RE.test(expiresText)) return { ok: false, reason: 'malformed' };
  if (v2 && !EXPIRES_RE.test(generationText)) return { ok: false, reason: 'malformed' };
  const expires = Number(expiresText);
  const generation = Number(generationText);
  if (!Number.isSafeInteger(expires) || !Number.isSafeInteger(generation)) {
    return { ok: false, reason: 'malformed' };
  }
  if (!SIG_RE.test(sigText)) return { ok: false, reason: 'malformed' };
  const sig = Buffer.from(sigText, 'base64url');
  // 86 characters carry 516 bits: the last 4 must be zero, or two spellings would decode alike.
  if (sig.length !== 64 || sig.toString('base64url') !== sigText) return { ok: false, reason: 'malformed' };
  const body = signedPart({ facilityId, guardianId, expires, generation });
  if (!verify(null, Buffer.from(body, 'utf8'), publicKey, sig)) return { ok: false, reason: 'forged' };
  if (facilityId !== expected.facilityId) return { ok: false, reason: 'other_facility' };
  if (expires <= Math.floor(expected.now.getTime() / 1000)) return { ok: false, reason: 'expired' };
  return { ok: true, guardianId, expires, generation };
}

// ---- keys ------------------------------------------------------------------------------------------

/**
 * A new facility key pair. The private key is PKCS#8 DER in base64 (it stays in the hub's database);
 * the public key is the raw 32-byte Ed25519 key in base64 (what the roster carries).
 */
export function generateQrKeyPair(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    publicKey: exportQrPublicKey(publicKey),
  };
}

/** Raw 32-byte Ed25519 public key as base64 (via its JWK `x`, which is that key in base64url). */
export function exportQrPublicKey(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') {
    throw new QrKeyError('bad_qr_key', 'not an Ed25519 key');
  }
  return Buffer.from(jwk.x, 'base64url').toString('base64');
}

export function isQrPublicKey(base64: string): boolean {
  return PUBLIC_KEY_RE.test(base64) && Buffer.from(base64, 'base64').length === 32;
}

/** Imports a raw 32-byte Ed25519 public key given in base64. Throws QrKeyError when it is not one. */
export function importQrPublicKey(base64: string): KeyObject {
  if (!isQrPublicKey(base64)) throw new QrKeyError('bad_qr_key', 'not a base64 Ed25519 public key');
  try {
    const x = Buffer.from(base64, 'base64').toString('base64url');
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
  } catch {
    throw new QrKeyError('bad_qr_key', 'not a base64 Ed25519 public key');
  }
}

/** Imports a PKCS#8 DER Ed25519 private key given in base64 (as generateQrKeyPair makes it). */
export function importQrPrivateKey(base64: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: Buffer.from(base64, 'base64'), format: 'der', type: 'pkcs8' });
  } catch {
    throw new QrKeyError('bad_qr_key', 'not a base64 PKCS#8 private key');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new QrKeyError('bad_qr_key', 'not an Ed25519 key');
  return key;
}
