import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * What stores keep of random bearer secrets (hub and admin tokens, session and device cookies, pairing
 * codes): their SHA-256. A plain hash suffices because the secrets are long and random, so there is no
 * dictionary to guess from, and it is cheap enough to check on every request. Secrets people choose
 * (passwords, PINs) get scrypt instead: common/passwords.ts.
 */

/** SHA-256 of the token's UTF-8 bytes: 32 bytes. */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** hashToken as base64url text (43 characters), the form the hub's store keeps. */
export function hashTokenBase64url(token: string): string {
  return hashToken(token).toString('base64url');
}

/** Constant-time comparison of two digests (or any secrets); false when their lengths differ. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
