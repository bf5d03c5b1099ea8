import { z } from 'zod';
import { decodeJson } from '../../../protocol/decode.ts';
import { IdSchema } from '../../../protocol/primitives.ts';

/**
 * The pairing link an admin opens on a new tablet: `…/tablet/#pair=GKP1.<base64url JSON>`. Decoded here
 * without Node's Buffer (protocol/pairing.ts uses it, so it cannot be bundled for the browser).
 */
export const PAIRING_PREFIX = 'GKP1.';

const PayloadSchema = z.strictObject({
  hub: z.string().max(300),
  device: IdSchema,
  code: z.string().regex(/^[A-Za-z0-9_-]{22,64}$/),
});
export type TabletPairing = z.infer<typeof PayloadSchema>;

/** base64url (no padding) to text; undefined when it is not valid base64url or not UTF-8. */
export function decodeBase64Url(body: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(body) || body.length % 4 === 1) return undefined;
  const b64 = body.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (body.length % 4)) % 4);
  try {
    const binary = atob(b64);
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Decodes a GKP1 payload; undefined for anything malformed. */
export function decodePairing(text: string): TabletPairing | undefined {
  if (!text.startsWith(PAIRING_PREFIX)) return undefined;
  const body = text.slice(PAIRING_PREFIX.length);
  if (body.length === 0 || body.length > 1400) return undefined;
  const json = decodeBase64Url(body);
  if (json === undefined) return undefined;
  const parsed = decodeJson(PayloadSchema, json);
  return parsed.ok ? parsed.value : undefined;
}

/**
 * The pairing payload in a URL fragment (`#pair=…`), or null when the fragment holds none. A fragment that
 * names a pairing but cannot be decoded gives 'invalid' so that the screen can say so.
 */
export function pairingFromHash(hash: string): TabletPairing | 'invalid' | null {
  const fragment = hash.startsWith('#') ? hash.slice(1) : hash;
  const params = new URLSearchParams(fragment);
  const value = params.get('pair');
  if (value === null) return null;
  return decodePairing(value.trim()) ?? 'invalid';
}
