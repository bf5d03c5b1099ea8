import { describe, expect, it } from 'vitest';
import {
  CARD_HASH_ALG,
  CARD_HASH_COST,
  CardHashSchemeSchema,
  credentialHash,
  credentialLookupHash,
  credentialLookupHashSync,
  newCardHashScheme,
  parseCardHashScheme,
  slowCardHash,
  slowCardHashSync,
  type CardHashScheme,
  type Credential,
} from './credentials.ts';
import { RosterSchema } from './schemas.ts';

const KEY = Buffer.alloc(32, 7).toString('base64');
const SCHEME: CardHashScheme = {
  alg: CARD_HASH_ALG,
  n: 2 ** 14,
  r: 8,
  p: 1,
  salt: Buffer.alloc(16, 5).toString('base64'),
};
const CARD: Credential = { kind: 'card', value: '04a23b4c' };
// Known vectors, checked against Python's hmac and hashlib.scrypt (an implementation apart from Node's).
const HMAC = 'J_8vssNJGuOKD3su0cHyvbNhi232uc_3sqn-5811xrE';
const SLOW = 'p0zAFD64lF7HDiIfTeVPLamdU_7tvJ8ayA6B4KdZdlI';

describe('card hashes', () => {
  it('are scrypt over the HMAC, as the known vectors say', async () => {
    expect(credentialHash(KEY, CARD)).toBe(HMAC);
    expect(slowCardHashSync(HMAC, SCHEME)).toBe(SLOW);
    expect(await slowCardHash(HMAC, SCHEME)).toBe(SLOW);
    expect(await credentialLookupHash({ credentialKey: KEY, cardHash: SCHEME }, CARD)).toBe(SLOW);
    expect(credentialLookupHashSync({ credentialKey: KEY, cardHash: SCHEME }, CARD)).toBe(SLOW);
  });

  it('depend on the salt and the cost', () => {
    const otherSalt = { ...SCHEME, salt: Buffer.alloc(16, 6).toString('base64') };
    expect(slowCardHashSync(HMAC, otherSalt)).not.toBe(SLOW);
    expect(slowCardHashSync(HMAC, { ...SCHEME, n: 2 ** 10 })).not.toBe(SLOW);
  });

  it('are the HMAC alone for a roster without a scheme, and for QR codes always', async () => {
    expect(await credentialLookupHash({ credentialKey: KEY }, CARD)).toBe(HMAC);
    const qr: Credential = { kind: 'qr', value: 'payload' };
    expect(await credentialLookupHash({ credentialKey: KEY, cardHash: SCHEME }, qr)).toBe(
      credentialHash(KEY, qr),
    );
  });

  it('fit the roster and request hash format (43 base64url characters)', () => {
    expect(SLOW).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('card hash schemes', () => {
  it('are new with the default cost and a fresh 16-byte salt', () => {
    const a = newCardHashScheme();
    const b = newCardHashScheme();
    expect(a).toMatchObject({ alg: CARD_HASH_ALG, ...CARD_HASH_COST });
    expect(Buffer.from(a.salt, 'base64')).toHaveLength(16);
    expect(a.salt).not.toBe(b.salt);
    expect(CardHashSchemeSchema.parse(a)).toEqual(a);
  });

  it('refuse costs a kiosk could not pay, or no cost at all', () => {
    const bad = [
      { ...SCHEME, n: 3000 },
      { ...SCHEME, n: 2 ** 9 },
      { ...SCHEME, n: 2 ** 17, r: 8 },
      { ...SCHEME, p: 0 },
      { ...SCHEME, salt: 'short' },
      { ...SCHEME, alg: 'hmac-sha256' },
    ];
    for (const scheme of bad) expect(CardHashSchemeSchema.safeParse(scheme).success).toBe(false);
    expect(parseCardHashScheme('not json')).toBeUndefined();
    expect(parseCardHashScheme(JSON.stringify(SCHEME))).toEqual(SCHEME);
  });

  it('travel in the roster, optionally (a roster of an older hub has none)', () => {
    const roster = {
      facilityId: 'f',
      facilityName: 'F',
      timeZone: 'Asia/Tokyo',
      version: 1,
      credentialKey: KEY,
      qrPublicKey: Buffer.alloc(32, 1).toString('base64'),
      classes: [],
      children: [],
      guardians: [],
    };
    expect(RosterSchema.parse(roster)).not.toHaveProperty('cardHash');
    expect(RosterSchema.parse({ ...roster, cardHash: SCHEME }).cardHash).toEqual(SCHEME);
    expect(RosterSchema.safeParse({ ...roster, cardHash: { ...SCHEME, n: 5 } }).success).toBe(false);
  });
});
