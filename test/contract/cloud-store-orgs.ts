import { beforeEach, describe, expect, it } from 'vitest';
import { CloudErrorCodes } from '../../cloud-relay/errors.ts';
import type { CloudStore } from '../../cloud-relay/store/types.ts';
import {
  sampleEvent,
  sampleSnapshot,
  sampleVersion,
  type CloudStoreContext,
} from './cloud-store-fixtures.ts';

/** Organisations: facilities, tokens, listing and rollup inputs; and the health probe. Part of the CloudStore contract (cloud-store.ts). */
export function describeOrgsContract(ctx: CloudStoreContext): void {
  let store: CloudStore;
  beforeEach(() => {
    store = ctx.store;
  });

  describe('organisations', () => {
    it('creates, renames and reads organisations', async () => {
      expect(await store.getOrganisation('city-a')).toBeUndefined();
      expect(await store.addOrganisation('city-a', ' 市A ')).toStrictEqual({
        orgId: 'city-a',
        name: '市A',
      });
      await store.addOrganisation('city-a', '市A 子ども課');
      expect(await store.getOrganisation('city-a')).toStrictEqual({
        orgId: 'city-a',
        name: '市A 子ども課',
      });
      await expect(store.addOrganisation('city.a', 'x')).rejects.toMatchObject({
        code: CloudErrorCodes.invalidId,
      });
      await expect(store.addOrganisation('city-b', '  ')).rejects.toMatchObject({
        code: CloudErrorCodes.invalidName,
      });
    });

    it('attaches facilities to one organisation; facilities of hub add belong to none', async () => {
      await store.addOrganisation('city-a', '市A');
      await store.addOrganisation('city-b', '市B');
      await store.addHub('hub-1', 'fac-free');
      expect(await store.facilityOrg('fac-free')).toBeNull();
      expect(await store.facilityOrg('fac-zzz')).toBeUndefined();

      expect(await store.addFacility('fac-a', 'city-a', 'asia/tokyo')).toStrictEqual({
        facilityId: 'fac-a',
        timeZone: 'Asia/Tokyo',
      });
      expect(await store.facilityOrg('fac-a')).toBe('city-a');
      // An existing facility without an organisation can be attached; re-attaching is a no-op.
      await store.addFacility('fac-free', 'city-a');
      await store.addFacility('fac-free', 'city-a');
      expect(await store.facilityOrg('fac-free')).toBe('city-a');
      await expect(store.addFacility('fac-a', 'city-b')).rejects.toMatchObject({
        code: CloudErrorCodes.facilityOrgMismatch,
      });
      await expect(store.addFacility('fac-x', 'city-zzz')).rejects.toMatchObject({
        code: CloudErrorCodes.unknownOrganisation,
      });
      expect(await store.getFacility('fac-x')).toBeUndefined();
      await expect(store.addFacility('fac-a', 'city-a', 'Europe/Paris')).rejects.toMatchObject({
        code: CloudErrorCodes.timeZoneMismatch,
      });
      // Adding a hub later keeps the facility's organisation.
      await store.addHub('hub-2', 'fac-a');
      expect(await store.facilityOrg('fac-a')).toBe('city-a');
    });

    it('issues several org tokens, authenticates each, and revokes them all', async () => {
      await store.addOrganisation('city-a', '市A');
      await store.addOrganisation('city-b', '市B');
      const t1 = await store.issueOrgToken('city-a');
      const t2 = await store.issueOrgToken('city-a');
      const tb = await store.issueOrgToken('city-b');
      expect(t1).toMatch(/^city-a\.[A-Za-z0-9_-]{43}$/);
      expect(await store.authenticateOrg(t1)).toBe('city-a');
      expect(await store.authenticateOrg(t2)).toBe('city-a');
      expect(await store.authenticateOrg(tb)).toBe('city-b');
      const secretB = tb.slice('city-b.'.length);
      for (const wrong of ['', 'city-a', `city-a.${secretB}`, `${t1}x`, 'city-a.' + 'A'.repeat(43)]) {
        expect(await store.authenticateOrg(wrong), wrong).toBeUndefined();
      }
      // Org tokens are not hub tokens.
      expect(await store.authenticateHub(t1)).toBeUndefined();
      expect(await store.revokeOrgTokens('city-a')).toBe(2);
      expect(await store.authenticateOrg(t1)).toBeUndefined();
      expect(await store.authenticateOrg(t2)).toBeUndefined();
      expect(await store.authenticateOrg(tb)).toBe('city-b');
      await expect(store.issueOrgToken('city-zzz')).rejects.toMatchObject({
        code: CloudErrorCodes.unknownOrganisation,
      });
      await expect(store.revokeOrgTokens('city-zzz')).rejects.toMatchObject({
        code: CloudErrorCodes.unknownOrganisation,
      });
    });

    it("lists an organisation's facilities with names, hubs and last relay times", async () => {
      await store.addOrganisation('city-a', '市A');
      await store.addOrganisation('city-b', '市B');
      await store.addFacility('fac-b', 'city-a');
      await store.addFacility('fac-a', 'city-a');
      await store.addFacility('fac-other', 'city-b');
      await store.addHub('hub-a2', 'fac-a');
      await store.addHub('hub-a1', 'fac-a');
      await store.addHub('hub-o', 'fac-other');
      await store.addHub('hub-free', 'fac-free');
      await store.putSnapshot('fac-a', 'hub-a1', sampleSnapshot('fac-a'));
      await store.insertBatch('fac-a', 'hub-a2', []);
      await store.insertBatch('fac-other', 'hub-o', [sampleEvent()]);

      const listed = await store.orgFacilities('city-a');
      expect(listed.map((f) => f.facilityId)).toStrictEqual(['fac-a', 'fac-b']);
      const [a, b] = listed;
      expect(a).toMatchObject({ name: 'ひまわり保育園', timeZone: 'Asia/Tokyo' });
      expect(a?.hubs.map((h) => h.hubId)).toStrictEqual(['hub-a1', 'hub-a2']);
      for (const h of a?.hubs ?? []) expect(Date.parse(h.lastRelayAt ?? '')).not.toBeNaN();
      expect(a?.lastRelayAt).toBe(
        [...(a?.hubs ?? [])]
          .map((h) => h.lastRelayAt ?? '')
          .sort()
          .at(-1),
      );
      expect(b).toStrictEqual({
        facilityId: 'fac-b',
        name: null,
        timeZone: 'Asia/Tokyo',
        hubs: [],
        lastRelayAt: null,
      });
      expect(await store.orgFacilities('city-zzz')).toStrictEqual([]);
    });

    it("gives the rollup inputs of a date: each facility's snapshot, events with later voids, last relay", async () => {
      await store.addOrganisation('city-a', '市A');
      await store.addOrganisation('city-b', '市B');
      await store.addFacility('fac-a', 'city-a');
      await store.addFacility('fac-b', 'city-a');
      await store.addFacility('fac-other', 'city-b');
      await store.addHub('hub-a', 'fac-a');
      await store.addHub('hub-o', 'fac-other');
      await store.putSnapshot('fac-a', 'hub-a', sampleSnapshot('fac-a'));
      const inDay = sampleEvent();
      const otherDay = sampleEvent({ occurredAt: '2026-04-02T08:00:00.000+09:00' });
      const laterVoid = sampleEvent({
        type: 'void',
        voids: inDay.id,
        occurredAt: '2026-04-03T10:00:00.000+09:00',
        actor: 'staff-1',
      });
      await store.insertBatch('fac-a', 'hub-a', [inDay, otherDay, laterVoid]);
      await store.insertBatch('fac-other', 'hub-o', [sampleEvent()]);

      const inputs = await store.orgRollupInputs('city-a', '2026-04-01');
      expect(inputs.map((i) => i.facilityId)).toStrictEqual(['fac-a', 'fac-b']);
      const [a, b] = inputs;
      expect(a?.snapshot).toStrictEqual(sampleSnapshot('fac-a'));
      expect(a?.events.map((e) => e.id).sort()).toStrictEqual([inDay.id, laterVoid.id].sort());
      expect(Date.parse(a?.lastRelayAt ?? '')).not.toBeNaN();
      expect(b).toStrictEqual({ facilityId: 'fac-b', snapshot: undefined, events: [], lastRelayAt: null });
      await expect(store.orgRollupInputs('city-a', '2026-02-30')).rejects.toMatchObject({
        code: CloudErrorCodes.invalidDate,
      });
    });

    it('reads the snapshot in effect on the date asked, and names facilities after the one of today', async () => {
      await store.addOrganisation('city-a', '市A');
      await store.addFacility('fac-a', 'city-a');
      await store.addFacility('fac-ny', 'city-a', 'America/New_York');
      await store.addHub('hub-a', 'fac-a');
      await store.addHub('hub-ny', 'fac-ny');
      const v1 = sampleVersion(1, '0001-01-01');
      const v2 = sampleVersion(2, '2026-04-02', { facilityName: '新ひまわり保育園' });
      // Scheduled far ahead: not today's name yet.
      const v3 = sampleVersion(3, '2999-01-01', { facilityName: '未来保育園' });
      for (const v of [v1, v2, v3]) await store.putSnapshotVersion('fac-a', 'hub-a', v);
      const ny = sampleVersion(
        1,
        '2000-01-01',
        { timeZone: 'America/New_York', facilityName: 'NY' },
        'fac-ny',
      );
      await store.putSnapshotVersion('fac-ny', 'hub-ny', ny);

      const snapshots = async (date: string) =>
        (await store.orgRollupInputs('city-a', date)).map((i) => i.snapshot);
      expect(await snapshots('2026-04-01')).toStrictEqual([v1.snapshot, ny.snapshot]);
      expect(await snapshots('2026-04-02')).toStrictEqual([v2.snapshot, ny.snapshot]);
      expect(await snapshots('1999-12-31')).toStrictEqual([v1.snapshot, undefined]);
      expect((await store.orgFacilities('city-a')).map((f) => [f.facilityId, f.name])).toStrictEqual([
        ['fac-a', '新ひまわり保育園'],
        ['fac-ny', 'NY'],
      ]);
    });
  });

  describe('health', () => {
    it('answers a ping and has no callers waiting for a connection when idle', async () => {
      await store.ping();
      expect(store.waitingForConnection()).toBe(0);
    });
  });
}
