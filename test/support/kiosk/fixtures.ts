import { createPrivateKey, createPublicKey } from 'node:crypto';
import {
  CARD_HASH_ALG,
  CARD_HASH_COST,
  credentialLookupHashSync,
  type CardHashScheme,
  type Credential,
  type CredentialHashing,
} from '../../../protocol/credentials.ts';
import { exportQrPublicKey, signGuardianQr } from '../../../protocol/qr.ts';
import type { Rollcall, RollcallStatus, Roster } from '../../../protocol/index.ts';

/** Test fixtures shared by kiosk tests: a small facility with known credentials. Not used at run time. */

export const FACILITY = 'nursery-1';
export const TIME_ZONE = 'Asia/Tokyo';
/** A fixed key, so that hashes are stable across test runs. */
export const CREDENTIAL_KEY = Buffer.alloc(32, 7).toString('base64');
/** The hub's default card hash scheme with a fixed salt: the kiosk pays a real hub's cost per tap. */
export const CARD_HASH: CardHashScheme = {
  alg: CARD_HASH_ALG,
  ...CARD_HASH_COST,
  salt: Buffer.alloc(16, 5).toString('base64'),
};

// Test support only: fixtures build many rosters, and the same few cards need not be hashed again each time.
const hashed = new Map<string, string>();

/** A credential's hash as a roster with this key and scheme holds it (protocol credentialLookupHash). */
export function fixtureHash(hashing: CredentialHashing, credential: Credential): string {
  const key = JSON.stringify([hashing.credentialKey, hashing.cardHash ?? null, credential]);
  let hash = hashed.get(key);
  if (hash === undefined) {
    hash = credentialLookupHashSync(hashing, credential);
    hashed.set(key, hash);
  }
  return hash;
}

/** A fixed Ed25519 key pair (PKCS#8 DER of a constant seed), so that signed QR codes are stable too. */
export const QR_PRIVATE_KEY = createPrivateKey({
  key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.alloc(32, 9)]),
  format: 'der',
  type: 'pkcs8',
});
export const QR_PUBLIC_KEY = exportQrPublicKey(createPublicKey(QR_PRIVATE_KEY));
/** 2100-01-01: far beyond any test clock. */
export const QR_EXPIRES = 4102444800;

/** A guardian QR code of the fixture facility, signed with the fixture key. */
export function signedQr(guardianId: string, expires = QR_EXPIRES, facilityId = FACILITY): Credential {
  return { kind: 'qr', value: signGuardianQr(QR_PRIVATE_KEY, { facilityId, guardianId, expires }) };
}

/** Guardian g1 (children c1, c2) by card; g2 (c3) by card or signed QR; g3 has no child on the roster. */
export const CARD_G1: Credential = { kind: 'card', value: '0a0b0c0d' };
export const CARD_G2: Credential = { kind: 'card', value: '0b0b0b0b' };
export const QR_G2: Credential = signedQr('g2');
export const CARD_G3: Credential = { kind: 'card', value: '0e0e0e0e' };
export const CARD_UNKNOWN: Credential = { kind: 'card', value: 'ffffffff' };

/** A credential's hash in makeRoster()'s roster (the fixture key and scheme). */
export function rosterHash(credential: Credential): string {
  return fixtureHash({ credentialKey: CREDENTIAL_KEY, cardHash: CARD_HASH }, credential);
}

export function makeRoster(overrides: Partial<Roster> = {}): Roster {
  const key = overrides.credentialKey ?? CREDENTIAL_KEY;
  // `cardHash: undefined` in overrides: a roster of a hub before migration 17, cards by HMAC alone.
  const hashing = { credentialKey: key, cardHash: 'cardHash' in overrides ? overrides.cardHash : CARD_HASH };
  const hashOf = (card: Credential): string => fixtureHash(hashing, card);
  const roster: Roster = {
    facilityId: FACILITY,
    facilityName: 'Sakura Nursery',
    timeZone: TIME_ZONE,
    version: 1,
    credentialKey: key,
    ...(hashing.cardHash !== undefined && { cardHash: hashing.cardHash }),
    qrPublicKey: QR_PUBLIC_KEY,
    classes: [{ id: 'momo', name: 'Momo' }],
    children: [
      { id: 'c1', name: 'Hana', kana: 'はな', classId: 'momo' },
      { id: 'c2', name: 'Sora', kana: 'そら', classId: 'momo' },
      { id: 'c3', name: 'Ren', kana: 'れん', classId: 'momo' },
    ],
    guardians: [
      { id: 'g1', name: 'Aoi', childIds: ['c1', 'c2'], credentials: [hashOf(CARD_G1)] },
      { id: 'g2', name: 'Kenji', childIds: ['c3'], credentials: [hashOf(CARD_G2)] },
      { id: 'g3', name: 'Former', childIds: ['gone'], credentials: [hashOf(CARD_G3)] },
    ],
    ...overrides,
  };
  // exactOptionalPropertyTypes: an override of undefined removes the field.
  if (roster.cardHash === undefined) delete roster.cardHash;
  return roster;
}

/** A roll-call of the fixture roster with the given statuses (others not_arrived). */
export function makeRollcall(
  date: string,
  statuses: Record<string, RollcallStatus> = {},
  facilityId = FACILITY,
): Rollcall {
  return {
    facilityId,
    date,
    generatedAt: `${date}T09:00:00.000+09:00`,
    classes: [
      {
        id: 'momo',
        name: 'Momo',
        children: ['c1', 'c2', 'c3'].map((id) => ({
          id,
          name: id,
          status: statuses[id] ?? 'not_arrived',
          checkInAt: null,
          checkOutAt: null,
        })),
      },
    ],
  };
}
