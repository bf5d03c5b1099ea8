import { z } from 'zod';
import { decodeJson } from './decode.ts';
import { IdSchema } from './schemas.ts';

/**
 * The pairing QR code a hub shows for a new device: `GKP1.<base64url JSON>` with the hub's HTTP address,
 * the device id and a one-time code. Scanning it at the kiosk replaces typing a password at the door:
 * the kiosk posts the code to `<hub>/api/pair` and receives its MQTT address and password (PairResponse).
 * Not signed: the code itself is the secret (random, single use, minutes long), and the hub address is
 * what the person pairing chose to show.
 */
export const PAIRING_PREFIX = 'GKP1.';

export const PairingPayloadSchema = z.strictObject({
  /** http(s)://HOST:PORT of the hub's HTTP API, as reachable from the device. */
  hub: z.url({ protocol: /^https?$/ }).max(300),
  device: IdSchema,
  code: z.string().regex(/^[A-Za-z0-9_-]{22,64}$/),
});
export type PairingPayload = z.infer<typeof PairingPayloadSchema>;

export function encodePairingPayload(p: PairingPayload): string {
  return PAIRING_PREFIX + Buffer.from(JSON.stringify(p)).toString('base64url');
}

/** Whether a scanned text is meant as a pairing code (even a broken one), not a guardian QR code. */
export function isPairingText(text: string): boolean {
  return text.startsWith(PAIRING_PREFIX);
}

/** Decodes a scanned pairing code; undefined for anything malformed. */
export function decodePairingPayload(text: string): PairingPayload | undefined {
  if (!isPairingText(text)) return undefined;
  const body = text.slice(PAIRING_PREFIX.length);
  if (!/^[A-Za-z0-9_-]{1,1400}$/.test(body)) return undefined;
  const r = decodeJson(PairingPayloadSchema, Buffer.from(body, 'base64url').toString('utf8'));
  return r.ok ? r.value : undefined;
}
