import { randomBytes } from 'node:crypto';
import { hashToken, sameBytes } from '../../common/secrets.ts';
import { ID_RE } from '../../protocol/index.ts';

/** Longer bearer strings are refused before hashing; a real token is about 110 characters. */
export const TOKEN_MAX = 256;
const SECRET_RE = /^[A-Za-z0-9_-]{43}$/;

/** A new hub token `HUBID.SECRET`, SECRET being 32 random bytes in base64url (43 characters). */
export function newHubToken(hubId: string): string {
  return `${hubId}.${randomBytes(32).toString('base64url')}`;
}

/** The hub id of a well-formed token; undefined for anything else. Ids never contain `.`. */
export function hubIdOfToken(token: string): string | undefined {
  if (token.length > TOKEN_MAX) return undefined;
  const dot = token.indexOf('.');
  if (dot < 0) return undefined;
  const hubId = token.slice(0, dot);
  return ID_RE.test(hubId) && SECRET_RE.test(token.slice(dot + 1)) ? hubId : undefined;
}

/** Compares a presented secret with the expected one without leaking where they differ, or their length. */
export function secretMatches(presented: string, expected: string): boolean {
  return sameBytes(hashToken(presented), hashToken(expected));
}

/** The stored credentials of a hub, as both backends read them. */
export interface HubCredentials {
  tokenHash: Uint8Array;
  prevTokenHash: Uint8Array | null;
  /** Epoch ms after which the previous token no longer works. */
  prevExpiresMs: number | null;
  revoked: boolean;
}

/**
 * Which of the hub's tokens `token` is: the current one, the previous one still in its grace period, or
 * none (also for any token of a revoked hub). Digests compare in constant time.
 */
export function hubTokenVerdict(
  token: string,
  creds: HubCredentials,
  nowMs: number,
): 'current' | 'previous' | undefined {
  if (creds.revoked) return undefined;
  const hash = hashToken(token);
  if (sameBytes(hash, creds.tokenHash)) return 'current';
  if (
    creds.prevTokenHash !== null &&
    creds.prevExpiresMs !== null &&
    nowMs < creds.prevExpiresMs &&
    sameBytes(hash, creds.prevTokenHash)
  ) {
    return 'previous';
  }
  return undefined;
}
