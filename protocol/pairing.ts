import { createHash } from 'node:crypto';
import {
  isPairingText,
  PAIRING_BODY_MAX,
  PAIRING_PREFIX,
  pairingPayloadOf,
  type PairingPayload,
} from './pairing-payload.ts';

export * from './pairing-payload.ts';

/** The fingerprint a pairing payload's `tls` names: SHA-256 of the certificate's DER, base64url. */
export function certFingerprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('base64url');
}

export function encodePairingPayload(p: PairingPayload): string {
  return PAIRING_PREFIX + Buffer.from(JSON.stringify(p)).toString('base64url');
}

/** Decodes a scanned pairing code; undefined for anything malformed (a `tls` with an http address too). */
export function decodePairingPayload(text: string): PairingPayload | undefined {
  if (!isPairingText(text)) return undefined;
  const body = text.slice(PAIRING_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body) || body.length > PAIRING_BODY_MAX) return undefined;
  return pairingPayloadOf(Buffer.from(body, 'base64url').toString('utf8'));
}
