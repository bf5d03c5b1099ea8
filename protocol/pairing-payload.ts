import { z } from 'zod';
import { decodeJson } from './decode.ts';
import { IdSchema } from './primitives.ts';

/**
 * The pairing QR code a hub shows for a new device: `GKP1.<base64url JSON>` with the hub's HTTP address,
 * the device id and a one-time code. Scanning it at the kiosk (or opening it as a link on a tablet)
 * replaces typing a password: the device posts the code to `<hub>/api/pair` (a tablet: its set-up route)
 * and receives its credentials. Not signed: the code itself is the secret (random, single use, minutes
 * long), and the hub address is what the person pairing chose to show. With an https hub address it
 * carries `tls`, the fingerprint of the hub's CA certificate: the device trusts exactly the hub whose chain
 * holds that certificate, and sends the code to nobody else.
 *
 * This module has no Node imports: the tablet app (a browser bundle) decodes the same payload with the
 * same schema (protocol/pairing.ts adds the Node-side encoding and the fingerprint).
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

/** The longest base64url body a pairing code may have. */
export const PAIRING_BODY_MAX = 1400;

/** Whether a scanned text is meant as a pairing code (even a broken one), not a guardian QR code. */
export function isPairingText(text: string): boolean {
  return text.startsWith(PAIRING_PREFIX);
}

/** A pairing payload's JSON, checked; undefined for anything malformed (a `tls` with an http address too). */
export function pairingPayloadOf(json: string): PairingPayload | undefined {
  const r = decodeJson(PairingPayloadSchema, json);
  if (!r.ok) return undefined;
  if (r.value.tls !== undefined && !r.value.hub.startsWith('https:')) return undefined;
  return r.value;
}
