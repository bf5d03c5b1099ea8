import {
  isPairingText,
  PAIRING_BODY_MAX,
  PAIRING_PREFIX,
  pairingPayloadOf,
  type PairingPayload,
} from '../../../protocol/pairing-payload.ts';

/**
 * The pairing link an admin opens on a new tablet: `…/tablet/#pair=GKP1.<base64url JSON>`, checked with
 * the protocol's own schema; the base64url is decoded here without Node's Buffer.
 */
export type TabletPairing = PairingPayload;

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
  if (!isPairingText(text)) return undefined;
  const body = text.slice(PAIRING_PREFIX.length);
  if (body.length === 0 || body.length > PAIRING_BODY_MAX) return undefined;
  const json = decodeBase64Url(body);
  return json === undefined ? undefined : pairingPayloadOf(json);
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
