import { createHmac, randomBytes } from 'node:crypto';

/**
 * Credentials as readers report them: `card:<hex uid>` for an IC card (FeliCa IDm or ISO 14443 UID),
 * `qr:<payload>` for a QR code. Card ids are never stored or sent in clear: the roster holds
 * HMAC-SHA256(facility key, normalised credential), and kiosks compute the same hash to look a tap up.
 */
export type CredentialKind = 'card' | 'qr';

export interface Credential {
  kind: CredentialKind;
  value: string;
}

const HEX_RE = /^[0-9a-f]{4,64}$/;

/** Normalises a card UID written in hex with optional separators (`04:A2 3B…`) to lowercase hex. */
export function normalizeCardUid(uid: string): string | undefined {
  const hex = uid.replace(/[\s:-]/g, '').toLowerCase();
  return HEX_RE.test(hex) && hex.length % 2 === 0 ? hex : undefined;
}

/** Parses a reader line (`card:<hex>` or `qr:<payload>`); undefined for anything else. */
export function parseCredential(line: string): Credential | undefined {
  const sep = line.indexOf(':');
  if (sep < 0) return undefined;
  const kind = line.slice(0, sep);
  const value = line.slice(sep + 1).trim();
  if (kind === 'card') {
    const hex = normalizeCardUid(value);
    return hex === undefined ? undefined : { kind, value: hex };
  }
  if (kind === 'qr' && value.length > 0 && value.length <= 2048) return { kind, value };
  return undefined;
}

export function credentialHash(keyBase64: string, credential: Credential): string {
  return createHmac('sha256', Buffer.from(keyBase64, 'base64'))
    .update(`${credential.kind}:${credential.value}`)
    .digest('base64url');
}

export function newCredentialKey(): string {
  return randomBytes(32).toString('base64');
}
