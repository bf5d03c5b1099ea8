import { createHmac, randomBytes, scrypt, scryptSync } from 'node:crypto';
import { z } from 'zod';

/**
 * Credentials as readers report them: `card:<hex uid>` for an IC card (FeliCa IDm or ISO 14443 UID),
 * `qr:<payload>` for a QR code. Card ids are never stored or sent in clear: the roster holds each card's
 * slow keyed hash (cardHash below), and kiosks compute the same hash to look a tap up.
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

/**
 * The fast keyed hash: HMAC-SHA256(facility key, `kind:value`), base64url. Alone it is what a roster
 * without `cardHash` holds (a hub before migration 17), and what a kiosk debounces QR codes by; for cards
 * it is the first step of cardHash.
 */
export function credentialHash(keyBase64: string, credential: Credential): string {
  return createHmac('sha256', Buffer.from(keyBase64, 'base64'))
    .update(`${credential.kind}:${credential.value}`)
    .digest('base64url');
}

export function newCredentialKey(): string {
  return randomBytes(32).toString('base64');
}

/**
 * How a roster's card hashes are made (roster field `cardHash`): scrypt over the fast HMAC, with the
 * facility's salt. Every kiosk holds the HMAC key, so the HMAC alone lets a stolen kiosk test every 4-byte
 * UID in hours; scrypt makes each guess cost over 10 ms and 8 MiB. Because it wraps the HMAC, a hub turns
 * its stored HMAC hashes into these without knowing any card number (hub migration 17).
 */
export const CARD_HASH_ALG = 'scrypt-hmac-sha256';

/** The memory one hash may take (128·N·r bytes): a kiosk computes one per tap. */
const CARD_HASH_MAX_MEMORY = 32 * 1024 * 1024;

export const CardHashSchemeSchema = z
  .strictObject({
    alg: z.literal(CARD_HASH_ALG),
    /** scrypt cost: a power of two. */
    n: z
      .number()
      .int()
      .min(2 ** 10)
      .max(2 ** 17)
      .refine((n) => (n & (n - 1)) === 0, 'must be a power of two'),
    r: z.number().int().min(1).max(32),
    p: z.number().int().min(1).max(4),
    /** base64, 16 random bytes per facility. */
    salt: z.string().regex(/^[A-Za-z0-9+/]{22}==$/, 'must be 16 bytes in base64'),
  })
  .refine((s) => 128 * s.n * s.r <= CARD_HASH_MAX_MEMORY, 'takes more than 32 MiB per hash');
export type CardHashScheme = z.infer<typeof CardHashSchemeSchema>;

/**
 * N=2^13, r=8, p=1: 8 MiB and ~14 ms per hash on the development machine (bench/card-hash.ts), more on a
 * kiosk; 2^32 guesses then cost about two years per core. 2^14 doubles both, and a card tap's wait with
 * them: on a kiosk sharing two cores with its screen, that wait is what a parent feels.
 */
export const CARD_HASH_COST = { n: 2 ** 13, r: 8, p: 1 } as const;

/** A new facility's scheme: the default cost and a fresh salt. */
export function newCardHashScheme(): CardHashScheme {
  return { alg: CARD_HASH_ALG, ...CARD_HASH_COST, salt: randomBytes(16).toString('base64') };
}

function scryptOptions(scheme: CardHashScheme): { N: number; r: number; p: number; maxmem: number } {
  // maxmem with room over 128·N·r: Node refuses a computation that reaches it.
  return { N: scheme.n, r: scheme.r, p: scheme.p, maxmem: 2 * CARD_HASH_MAX_MEMORY };
}

/**
 * A card's fast HMAC hash (credentialHash) turned into its slow hash under `scheme`: what hub migration 17
 * does to stored hashes, and the second half of cardHash. Off the event loop (libuv's thread pool).
 */
export function slowCardHash(hmacHash: string, scheme: CardHashScheme): Promise<string> {
  return new Promise((resolve, reject) => {
    scrypt(
      Buffer.from(hmacHash, 'base64url'),
      Buffer.from(scheme.salt, 'base64'),
      32,
      scryptOptions(scheme),
      (err, key) => {
        if (err) reject(err);
        else resolve(key.toString('base64url'));
      },
    );
  });
}

/** slowCardHash on the calling thread: for a migration, which runs inside a synchronous transaction. */
export function slowCardHashSync(hmacHash: string, scheme: CardHashScheme): string {
  return scryptSync(
    Buffer.from(hmacHash, 'base64url'),
    Buffer.from(scheme.salt, 'base64'),
    32,
    scryptOptions(scheme),
  ).toString('base64url');
}

/** What a roster says about hashing: its key, and its card scheme (absent: cards by HMAC alone). */
export interface CredentialHashing {
  credentialKey: string;
  cardHash?: CardHashScheme | undefined;
}

/**
 * The hash a roster holds for a credential: for a card, scrypt(HMAC) under the roster's `cardHash`, or the
 * HMAC alone when the roster has none (its hashes then are HMACs: a roster's hashes and scheme always come
 * together); for a QR code, the HMAC (QR codes are looked up by signature, the hash only debounces). The
 * one lookup function of kiosks (taps, card enrolment) and of the hub (cardCredentialOf).
 */
export async function credentialLookupHash(
  hashing: CredentialHashing,
  credential: Credential,
): Promise<string> {
  const hmac = credentialHash(hashing.credentialKey, credential);
  if (credential.kind !== 'card' || hashing.cardHash === undefined) return hmac;
  return slowCardHash(hmac, hashing.cardHash);
}

/** credentialLookupHash on the calling thread (tests' fixtures; never on a kiosk's or hub's event loop). */
export function credentialLookupHashSync(hashing: CredentialHashing, credential: Credential): string {
  const hmac = credentialHash(hashing.credentialKey, credential);
  if (credential.kind !== 'card' || hashing.cardHash === undefined) return hmac;
  return slowCardHashSync(hmac, hashing.cardHash);
}

/** A scheme as stored (JSON), or undefined when it is not a valid one. */
export function parseCardHashScheme(json: string): CardHashScheme | undefined {
  try {
    const r = CardHashSchemeSchema.safeParse(JSON.parse(json));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
