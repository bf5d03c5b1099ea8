import { createHash } from 'node:crypto';
import { z } from 'zod';
import { decodeJson } from './decode.ts';
import { IdSchema } from './schemas.ts';

/**
 * The pairing QR code a hub shows for a new device: `GKP1.<base64url JSON>` with the hub's HTTP address,
 * the device id and a one-time code. Scanning it at the kiosk replaces typing a password at the door:
 * the kiosk posts the code to `<hub>/api/pair` and receives its MQTT address and password (PairResponse).
 * Not signed: the code itself is the secret (random, single use, minutes long), and the hub address is
 * what the person pairing chose to show. With an https hub address it carries `tls`, the fingerprint of
 * the hub's CA certificate: the device trusts exactly the hub whose chain holds that certificate, and
 * sends the code to nobody else.
 */
export const PAIRING_PREFIX = 'GKP1.';

/** SHA-256 of a certificate's DER, base64url without padding (43 characters). */
export const CertFingerprintSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

export const PairingPayloadSchema = z.strictObject({
  /** http(s)://HOST:PORT of the hub's HTTP API, as reachable from the device. */
  hub: z.url({ protocol: /^https?$/ }).max(300),
  device: IdSchema,
  code: z.string().regex(/^[A-Za-z0-9_-]{22,64}$/),
  /** The hub's CA certificate fingerprint (certFingerprint); only with an https hub address. */
  tls: CertFingerprintSchema.optional(),
});
export type PairingPayload = z.infer<typeof PairingPayloadSchema>;

/** The fingerprint a pairing payload's `tls` names: SHA-256 of the certificate's DER, base64url. */
export function certFingerprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('base64url');
}

export function encodePairingPayload(p: PairingPayload): string {
  return PAIRING_PREFIX + Buffer.from(JSON.stringify(p)).toString('base64url');
}

/** Whether a scanned text is meant as a pairing code (even a broken one), not a guardian QR code. */
export function isPairingText(text: string): boolean {
  return text.startsWith(PAIRING_PREFIX);
}

/** Decodes a scanned pairing code; undefined for anything malformed (a `tls` with an http address too). */
export function decodePairingPayload(text: string): PairingPayload | undefined {
  if (!isPairingText(text)) return undefined;
  const body = text.slice(PAIRING_PREFIX.length);
  if (!/^[A-Za-z0-9_-]{1,1400}$/.test(body)) return undefined;
  const r = decodeJson(PairingPayloadSchema, Buffer.from(body, 'base64url').toString('utf8'));
  if (!r.ok) return undefined;
  if (r.value.tls !== undefined && !r.value.hub.startsWith('https:')) return undefined;
  return r.value;
}
