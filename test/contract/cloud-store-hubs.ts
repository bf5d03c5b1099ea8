import { beforeEach, describe, expect, it } from 'vitest';
import { CloudErrorCodes } from '../../cloud-relay/errors.ts';
import type { CloudStore } from '../../cloud-relay/store/types.ts';
import type { CloudStoreContext } from './cloud-store-fixtures.ts';

/** Hub tokens, their rotation and revocation, and facilities. Part of the CloudStore contract (cloud-store.ts). */
export function describeHubsContract(ctx: CloudStoreContext): void {
  let store: CloudStore;
  beforeEach(() => {
    store = ctx.store;
  });

  describe('hub tokens', () => {
    it('issues HUBID.SECRET tokens that authenticate as the hub and its facility', async () => {
      const token = await store.addHub('hub-1', 'fac-a');
      expect(token).toMatch(/^hub-1\.[A-Za-z0-9_-]{43}$/);
      expect(await store.authenticateHub(token)).toStrictEqual({ hubId: 'hub-1', facilityId: 'fac-a' });
    });

    it('refuses wrong, malformed and foreign tokens', async () => {
      const token1 = await store.addHub('hub-1', 'fac-a');
      const token2 = await store.addHub('hub-2', 'fac-a');
      const secret1 = token1.slice('hub-1.'.length);
      const secret2 = token2.slice('hub-2.'.length);
      const flipped = `${secret1.slice(0, -1)}${secret1.endsWith('A') ? 'B' : 'A'}`;
      for (const wrong of [
        '',
        'hub-1',
        'hub-1.',
        secret1,
        `hub-1.${flipped}`,
        `hub-1.${secret2}`,
        `hub-2.${secret1}`,
        `hub-3.${secret1}`,
        `${token1}x`,
        `${token1}.`,
        ` ${token1}`,
        `hub-1.${'A'.repeat(10_000)}`,
      ]) {
        expect(await store.authenticateHub(wrong), wrong.slice(0, 60)).toBeUndefined();
      }
    });

    it('rotates the token when a hub is added again: the old one stops working', async () => {
      const old = await store.addHub('hub-1', 'fac-a');
      const fresh = await store.addHub('hub-1', 'fac-a');
      expect(fresh).not.toBe(old);
      expect(await store.authenticateHub(old)).toBeUndefined();
      expect(await store.authenticateHub(fresh)).toStrictEqual({ hubId: 'hub-1', facilityId: 'fac-a' });
    });

    it('keeps a hub in its one facility', async () => {
      const token = await store.addHub('hub-1', 'fac-a');
      await expect(store.addHub('hub-1', 'fac-b')).rejects.toMatchObject({
        code: CloudErrorCodes.hubFacilityMismatch,
      });
      expect(await store.authenticateHub(token)).toStrictEqual({ hubId: 'hub-1', facilityId: 'fac-a' });
      expect(await store.getFacility('fac-b')).toBeUndefined();
    });

    it('refuses malformed ids and time zones without creating anything', async () => {
      await expect(store.addHub('hub.1', 'fac-a')).rejects.toMatchObject({
        code: CloudErrorCodes.invalidId,
      });
      await expect(store.addHub('hub-1', 'fac/a')).rejects.toMatchObject({
        code: CloudErrorCodes.invalidId,
      });
      await expect(store.addHub('hub-1', 'fac-a', 'Mars/Olympus')).rejects.toMatchObject({
        code: CloudErrorCodes.invalidTimeZone,
      });
      expect(await store.getFacility('fac-a')).toBeUndefined();
    });
  });

  describe('facilities', () => {
    it('defaults the time zone to Asia/Tokyo and keeps it on later hub adds', async () => {
      await store.addHub('hub-1', 'fac-a');
      await store.addHub('hub-2', 'fac-a');
      expect(await store.getFacility('fac-a')).toStrictEqual({
        facilityId: 'fac-a',
        timeZone: 'Asia/Tokyo',
      });
    });

    it('stores the canonical zone and refuses a different one for an existing facility', async () => {
      await store.addHub('hub-1', 'fac-ny', 'america/new_york');
      expect(await store.getFacility('fac-ny')).toStrictEqual({
        facilityId: 'fac-ny',
        timeZone: 'America/New_York',
      });
      await store.addHub('hub-2', 'fac-ny', 'America/New_York');
      await expect(store.addHub('hub-3', 'fac-ny', 'Asia/Tokyo')).rejects.toMatchObject({
        code: CloudErrorCodes.timeZoneMismatch,
      });
      await expect(store.ensureFacility('fac-ny', 'Europe/Paris')).rejects.toMatchObject({
        code: CloudErrorCodes.timeZoneMismatch,
      });
      // The refused add registered nothing: hub-3 is still free for another facility.
      await store.addHub('hub-3', 'fac-other');
      expect(await store.ensureFacility('fac-ny')).toStrictEqual({
        facilityId: 'fac-ny',
        timeZone: 'America/New_York',
      });
    });
  });

  describe('hub token rotation and revocation', () => {
    const HOUR = 3_600_000;
    const hub1 = { hubId: 'hub-1', facilityId: 'fac-a' };

    it('keeps the previous token during the grace period until the new one is first used', async () => {
      const old = await store.addHub('hub-1', 'fac-a');
      const fresh = await store.rotateHub('hub-1', 24 * HOUR);
      expect(fresh).toMatch(/^hub-1\.[A-Za-z0-9_-]{43}$/);
      expect(fresh).not.toBe(old);
      expect(await store.authenticateHub(old)).toStrictEqual(hub1);
      expect(await store.authenticateHub(old)).toStrictEqual(hub1);
      expect(await store.authenticateHub(fresh)).toStrictEqual(hub1);
      // The hub switched over: the previous token is retired at once.
      expect(await store.authenticateHub(old)).toBeUndefined();
      expect(await store.authenticateHub(fresh)).toStrictEqual(hub1);
    });

    it('ends the grace period when it expires', async () => {
      const old = await store.addHub('hub-1', 'fac-a');
      const fresh = await store.rotateHub('hub-1', 0);
      expect(await store.authenticateHub(old)).toBeUndefined();
      expect(await store.authenticateHub(fresh)).toStrictEqual(hub1);
    });

    it('keeps only the token rotated last as the previous one', async () => {
      const first = await store.addHub('hub-1', 'fac-a');
      const second = await store.rotateHub('hub-1', 24 * HOUR);
      const third = await store.rotateHub('hub-1', 24 * HOUR);
      expect(await store.authenticateHub(first)).toBeUndefined();
      expect(await store.authenticateHub(second)).toStrictEqual(hub1);
      expect(await store.authenticateHub(third)).toStrictEqual(hub1);
    });

    it('revokes every token of the hub at once, including one in its grace period', async () => {
      const old = await store.addHub('hub-1', 'fac-a');
      const fresh = await store.rotateHub('hub-1', 24 * HOUR);
      const other = await store.addHub('hub-2', 'fac-a');
      await store.revokeHub('hub-1');
      expect(await store.authenticateHub(old)).toBeUndefined();
      expect(await store.authenticateHub(fresh)).toBeUndefined();
      expect(await store.authenticateHub(other)).toStrictEqual({ hubId: 'hub-2', facilityId: 'fac-a' });
      // Rotating a revoked hub re-enables it with the new token only.
      const again = await store.rotateHub('hub-1', 24 * HOUR);
      expect(await store.authenticateHub(fresh)).toBeUndefined();
      expect(await store.authenticateHub(again)).toStrictEqual(hub1);
      // As does adding it again.
      await store.revokeHub('hub-1');
      const added = await store.addHub('hub-1', 'fac-a');
      expect(await store.authenticateHub(again)).toBeUndefined();
      expect(await store.authenticateHub(added)).toStrictEqual(hub1);
    });

    it('ends any grace period when the hub is added again', async () => {
      const old = await store.addHub('hub-1', 'fac-a');
      await store.rotateHub('hub-1', 24 * HOUR);
      const added = await store.addHub('hub-1', 'fac-a');
      expect(await store.authenticateHub(old)).toBeUndefined();
      expect(await store.authenticateHub(added)).toStrictEqual(hub1);
    });

    it('refuses unknown and malformed hubs', async () => {
      await expect(store.rotateHub('hub-x', HOUR)).rejects.toMatchObject({
        code: CloudErrorCodes.unknownHub,
      });
      await expect(store.revokeHub('hub-x')).rejects.toMatchObject({ code: CloudErrorCodes.unknownHub });
      await expect(store.rotateHub('hub.x', HOUR)).rejects.toMatchObject({
        code: CloudErrorCodes.invalidId,
      });
    });
  });
}
