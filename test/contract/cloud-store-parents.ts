import { createHash, randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { CloudErrorCodes } from '../../cloud-relay/errors.ts';
import type { ParentCredential } from '../../cloud-relay/store/parent-types.ts';
import type { CloudStore } from '../../cloud-relay/store/types.ts';
import type { ParentGuardianUpload } from '../../protocol/parents.ts';
import type { CloudStoreContext } from './cloud-store-fixtures.ts';

const NOW = new Date('2026-05-01T09:00:00Z');
const later = (ms: number): Date => new Date(NOW.getTime() + ms);
const HOUR = 3_600_000;

/** Hex SHA-256 of a fresh random token, as the hub sends invitations. */
function invitationHash(): string {
  return createHash('sha256').update(randomBytes(32)).digest('hex');
}

function upload(overrides: Partial<ParentGuardianUpload> = {}): ParentGuardianUpload {
  return {
    version: 1,
    name: '山田 太郎',
    childIds: ['c-001', 'c-002'],
    invitation: { tokenHash: invitationHash(), expires: '2026-05-04T09:00:00+09:00' },
    revoked: false,
    ...overrides,
  };
}

function credential(overrides: Partial<ParentCredential> = {}): ParentCredential {
  return {
    credentialId: randomBytes(16).toString('base64url'),
    facilityId: 'fac-a',
    guardianId: 'g-1',
    publicKey: new Uint8Array(randomBytes(77)),
    counter: 0,
    transports: ['internal'],
    ...overrides,
  };
}

/** The parent app's records (ParentStore). Part of the CloudStore contract (cloud-store.ts). */
export function describeParentsContract(ctx: CloudStoreContext): void {
  describe('parent access', () => {
    describeParents(ctx);
  });
}

function describeParents(ctx: CloudStoreContext): void {
  let store: CloudStore;
  // Inside its own describe block: the hub is for these tests only.
  beforeEach(async () => {
    store = ctx.store;
    await store.addHub('hub-a', 'fac-a');
  });

  /** Stores g-1 of fac-a with an invitation and registers one passkey with it. */
  async function registered(): Promise<{ hash: string; cred: ParentCredential }> {
    const first = upload();
    const hash = first.invitation?.tokenHash ?? '';
    await store.parents.putGuardian('fac-a', 'hub-a', 'g-1', first);
    const cred = credential();
    expect(await store.parents.addCredential(cred, hash, NOW)).toBe(true);
    return { hash, cred };
  }

  describe('parent guardians', () => {
    it('stores a guardian by version: a lower or equal version changes nothing', async () => {
      expect(await store.parents.putGuardian('fac-a', 'hub-a', 'g-1', upload({ version: 2 }))).toBe(true);
      expect(
        await store.parents.putGuardian('fac-a', 'hub-a', 'g-1', upload({ version: 2, name: 'x' })),
      ).toBe(false);
      expect(
        await store.parents.putGuardian('fac-a', 'hub-a', 'g-1', upload({ version: 1, name: 'y' })),
      ).toBe(false);
      expect(await store.parents.getGuardian('fac-a', 'g-1')).toStrictEqual({
        facilityId: 'fac-a',
        guardianId: 'g-1',
        version: 2,
        name: '山田 太郎',
        childIds: ['c-001', 'c-002'],
        revoked: false,
      });
      expect(
        await store.parents.putGuardian('fac-a', 'hub-a', 'g-1', upload({ version: 3, childIds: [] })),
      ).toBe(true);
      expect((await store.parents.getGuardian('fac-a', 'g-1'))?.childIds).toStrictEqual([]);
      expect(await store.parents.getGuardian('fac-b', 'g-1')).toBeUndefined();
    });

    it('refuses an unknown facility and malformed input', async () => {
      await expect(store.parents.putGuardian('fac-x', 'hub-a', 'g-1', upload())).rejects.toMatchObject({
        code: CloudErrorCodes.unknownFacility,
      });
      await expect(store.parents.putGuardian('fac-a', 'hub-a', 'g/1', upload())).rejects.toMatchObject({
        code: CloudErrorCodes.invalidId,
      });
      await expect(
        store.parents.putGuardian('fac-a', 'hub-a', 'g-1', upload({ version: 0 })),
      ).rejects.toMatchObject({ code: CloudErrorCodes.invalidParentUpload });
      expect(await store.parents.getGuardian('fac-a', 'g-1')).toBeUndefined();
    });

    it('finds a guardian by an open invitation only', async () => {
      const first = upload();
      const hash = first.invitation?.tokenHash ?? '';
      await store.parents.putGuardian('fac-a', 'hub-a', 'g-1', first);
      expect((await store.parents.guardianByInvitation(hash, NOW))?.guardianId).toBe('g-1');
      // Expired (2026-05-04 09:00 JST is 00:00Z).
      expect(
        await store.parents.guardianByInvitation(hash, new Date('2026-05-04T00:00:00Z')),
      ).toBeUndefined();
      expect(await store.parents.guardianByInvitation(invitationHash(), NOW)).toBeUndefined();
      expect(await store.parents.guardianByInvitation('not-a-hash', NOW)).toBeUndefined();
      // A new invitation replaces the old one.
      const second = upload({ version: 2 });
      await store.parents.putGuardian('fac-a', 'hub-a', 'g-1', second);
      expect(await store.parents.guardianByInvitation(hash, NOW)).toBeUndefined();
      const hash2 = second.invitation?.tokenHash ?? '';
      expect((await store.parents.guardianByInvitation(hash2, NOW))?.guardianId).toBe('g-1');
      // Revoked: no invitation works.
      await store.parents.putGuardian('fac-a', 'hub-a', 'g-1', { ...second, version: 3, revoked: true });
      expect(await store.parents.guardianByInvitation(hash2, NOW)).toBeUndefined();
    });
  });

  describe('passkeys', () => {
    it('registers a passkey once per invitation, and a later upload never reopens it', async () => {
      const { hash, cred } = await registered();
      expect(await store.parents.guardianByInvitation(hash, NOW)).toBeUndefined();
      expect(await store.parents.addCredential(credential(), hash, NOW)).toBe(false);
      expect(await store.parents.getCredential(cred.credentialId)).toStrictEqual(cred);
      // The hub uploads the same invitation with a new name: still used.
      await store.parents.putGuardian('fac-a', 'hub-a', 'g-1', {
        ...upload({ version: 2, name: '山田 次郎' }),
        invitation: { tokenHash: hash, expires: '2026-05-04T09:00:00+09:00' },
      });
      expect(await store.parents.guardianByInvitation(hash, NOW)).toBeUndefined();
      expect(await store.parents.credentialsOf('fac-a', 'g-1')).toHaveLength(1);
    });

    it('refuses a passkey with an expired, foreign or unknown invitation', async () => {
      const first = upload();
      const hash = first.invitation?.tokenHash ?? '';
      await store.parents.putGuardian('fac-a', 'hub-a', 'g-1', first);
      await store.parents.putGuardian('fac-a', 'hub-a', 'g-2', upload());
      expect(await store.parents.addCredential(credential(), hash, later(100 * HOUR))).toBe(false);
      expect(await store.parents.addCredential(credential({ guardianId: 'g-2' }), hash, NOW)).toBe(false);
      expect(await store.parents.addCredential(credential(), invitationHash(), NOW)).toBe(false);
      expect(await store.parents.credentialsOf('fac-a', 'g-1')).toStrictEqual([]);
      expect(await store.parents.credentialsOf('fac-a', 'g-2')).toStrictEqual([]);
    });

    it('records the counter of a sign-in', async () => {
      const { cred } = await registered();
      await store.parents.credentialUsed(cred.credentialId, 7, later(HOUR));
      expect((await store.parents.getCredential(cred.credentialId))?.counter).toBe(7);
      expect(await store.parents.getCredential('unknown')).toBeUndefined();
    });
  });

  describe('parent sessions', () => {
    const session = (): Uint8Array => new Uint8Array(randomBytes(32));
    const who = { facilityId: 'fac-a', guardianId: 'g-1' };

    it('finds a session until it expires, sliding its expiry forward', async () => {
      await registered();
      const s = session();
      await store.parents.createSession(s, who, NOW, later(HOUR));
      expect(await store.parents.touchSession(s, later(HOUR / 2), later(2 * HOUR))).toStrictEqual({
        ...who,
        expires: later(2 * HOUR),
      });
      // Still valid after the first expiry: it slid.
      expect(await store.parents.touchSession(s, later(HOUR + 1), later(HOUR))).toStrictEqual({
        ...who,
        expires: later(2 * HOUR),
      });
      expect(await store.parents.touchSession(s, later(2 * HOUR), later(3 * HOUR))).toBeUndefined();
      // An expired session is gone for good.
      expect(await store.parents.touchSession(s, NOW, later(3 * HOUR))).toBeUndefined();
      expect(await store.parents.touchSession(session(), NOW, later(HOUR))).toBeUndefined();
    });

    it('deletes a session', async () => {
      await registered();
      const s = session();
      await store.parents.createSession(s, who, NOW, later(HOUR));
      await store.parents.deleteSession(s);
      expect(await store.parents.touchSession(s, NOW, later(HOUR))).toBeUndefined();
    });

    it('revocation deletes the passkeys and sessions at once', async () => {
      const { cred } = await registered();
      const s = session();
      await store.parents.createSession(s, who, NOW, later(HOUR));
      await store.parents.putGuardian('fac-a', 'hub-a', 'g-2', upload());
      const s2 = session();
      await store.parents.createSession(s2, { facilityId: 'fac-a', guardianId: 'g-2' }, NOW, later(HOUR));

      await store.parents.putGuardian(
        'fac-a',
        'hub-a',
        'g-1',
        upload({ version: 2, invitation: null, revoked: true }),
      );
      expect(await store.parents.touchSession(s, NOW, later(HOUR))).toBeUndefined();
      expect(await store.parents.getCredential(cred.credentialId)).toBeUndefined();
      expect((await store.parents.getGuardian('fac-a', 'g-1'))?.revoked).toBe(true);
      // Another guardian keeps theirs.
      expect((await store.parents.touchSession(s2, NOW, later(HOUR)))?.guardianId).toBe('g-2');
    });
  });

  describe('WebAuthn challenges', () => {
    it('takes a challenge once, of its purpose, before it expires', async () => {
      const who = { facilityId: 'fac-a', guardianId: 'g-1' };
      await store.parents.putChallenge('ch-1', 'register', who, later(60_000));
      await store.parents.putChallenge('ch-2', 'login', null, later(60_000));
      await store.parents.putChallenge('ch-3', 'login', null, later(60_000));
      expect(await store.parents.takeChallenge('ch-1', 'login', NOW)).toBeUndefined();
      expect(await store.parents.takeChallenge('ch-1', 'register', NOW)).toStrictEqual({ who });
      expect(await store.parents.takeChallenge('ch-1', 'register', NOW)).toBeUndefined();
      expect(await store.parents.takeChallenge('ch-2', 'login', NOW)).toStrictEqual({ who: null });
      expect(await store.parents.takeChallenge('ch-3', 'login', later(60_000))).toBeUndefined();
      expect(await store.parents.takeChallenge('nope', 'login', NOW)).toBeUndefined();
    });
  });
}
