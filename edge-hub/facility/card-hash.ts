import { ValidationError } from '../../common/errors.ts';
import {
  credentialLookupHash,
  credentialLookupHashSync,
  normalizeCardUid,
  type CredentialHashing,
} from '../../protocol/index.ts';
import type { StoreOf } from '../store/hub-store.ts';

/**
 * The hub's card hashes: what the roster and the enrolled cards hold for a card number, made as the kiosks
 * make them (protocol/credentials.ts credentialLookupHash, with the facility's key and scheme).
 */

/** A card number as written by people (hex, separators allowed), or bad_card. */
function cardUidOf(uid: string): string {
  const hex = normalizeCardUid(uid);
  if (hex === undefined) {
    throw new ValidationError('bad_card', 'a card number is 2 to 32 bytes in hex (e.g. 04A23B4C)', 'card');
  }
  return hex;
}

function hashingOf(store: StoreOf<'facility'>): CredentialHashing {
  const meta = store.facility.meta();
  return { credentialKey: meta.credentialKey, cardHash: meta.cardHash };
}

/**
 * The stored hash of card `uid` (e.g. for `genkan card remove`), computed off the event loop (~30 ms).
 * Throws bad_card for a malformed number.
 */
export async function cardCredentialOf(store: StoreOf<'facility'>, uid: string): Promise<string> {
  // Async throughout: a bad number is a rejection, as a failed hash would be.
  const value = cardUidOf(uid);
  return await credentialLookupHash(hashingOf(store), { kind: 'card', value });
}

/**
 * The hashes of many cards, off the event loop, two at a time: libuv's pool has four threads, and the
 * hub's file work needs some while a roster imports.
 */
export async function cardHashesOf(
  store: StoreOf<'facility'>,
  uids: readonly string[],
): Promise<ReadonlyMap<string, string>> {
  const hashing = hashingOf(store);
  const pending = [...new Set(uids)];
  const hashes = new Map<string, string>();
  const worker = async (): Promise<void> => {
    for (let uid = pending.pop(); uid !== undefined; uid = pending.pop()) {
      hashes.set(uid, await credentialLookupHash(hashing, { kind: 'card', value: uid }));
    }
  };
  await Promise.all([worker(), worker()]);
  return hashes;
}

/** cardHashesOf on the calling thread: for a one-shot CLI import and tests, never in the running hub. */
export function cardHashesOfSync(
  store: StoreOf<'facility'>,
  uids: readonly string[],
): ReadonlyMap<string, string> {
  const hashing = hashingOf(store);
  return new Map(uids.map((uid) => [uid, credentialLookupHashSync(hashing, { kind: 'card', value: uid })]));
}
