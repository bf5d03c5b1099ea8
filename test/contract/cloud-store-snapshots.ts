import { beforeEach, describe, expect, it } from 'vitest';
import { CloudErrorCodes } from '../../cloud-relay/errors.ts';
import type { CloudStore } from '../../cloud-relay/store/types.ts';
import { sampleSnapshot, sampleVersion, type CloudStoreContext } from './cloud-store-fixtures.ts';

/** A day any legacy upload is in effect on (they hold from the beginning of time). */
const DAY = '2026-04-01';

/**
 * Facility snapshots: the dated versions and the deprecated single upload. Part of the CloudStore
 * contract (cloud-store.ts).
 */
export function describeSnapshotsContract(ctx: CloudStoreContext): void {
  let store: CloudStore;
  beforeEach(() => {
    store = ctx.store;
  });
  /** Each describe below registers this: hooks at the top would run for the whole contract. */
  const twoHubs = async () => {
    await store.addHub('hub-1', 'fac-a');
    await store.addHub('hub-2', 'fac-a');
  };

  describe('snapshot versions', () => {
    beforeEach(twoHubs);

    it('stores a version once: the same content again is a no-op', async () => {
      const v1 = sampleVersion(1, '0001-01-01');
      expect(await store.putSnapshotVersion('fac-a', 'hub-1', v1)).toBe(true);
      expect(await store.putSnapshotVersion('fac-a', 'hub-1', v1)).toBe(false);
      expect(await store.putSnapshotVersion('fac-a', 'hub-2', structuredClone(v1))).toBe(false);
      expect(await store.ledgerVersions('fac-a', '2026-04-01', '2026-04-30')).toStrictEqual([v1]);
      expect(await store.getSnapshot('fac-a', DAY)).toStrictEqual(v1.snapshot);
    });

    it('refuses other content under a stored version (snapshot_version_conflict), keeping the stored one', async () => {
      const v1 = sampleVersion(1, '0001-01-01');
      await store.putSnapshotVersion('fac-a', 'hub-1', v1);
      for (const other of [
        sampleVersion(1, '0001-01-01', { facilityName: '別の名前' }),
        sampleVersion(1, '2026-04-01'),
      ]) {
        await expect(store.putSnapshotVersion('fac-a', 'hub-1', other)).rejects.toMatchObject({
          code: CloudErrorCodes.snapshotVersionConflict,
        });
      }
      expect(await store.ledgerVersions('fac-a', '2026-04-01', '2026-04-30')).toStrictEqual([v1]);
    });

    it('gives the versions in effect on some day of a range, and the snapshot in effect on a day', async () => {
      // As the hub issues them: v2 from May, then a change from April 15th (v3) re-issued for May (v4).
      const v1 = sampleVersion(1, '0001-01-01');
      const v2 = sampleVersion(2, '2026-05-01', { facilityName: 'v2' });
      const v3 = sampleVersion(3, '2026-04-15', { facilityName: 'v3' });
      const v4 = sampleVersion(4, '2026-05-01', { facilityName: 'v4' });
      // In any order: the numbers decide.
      for (const v of [v3, v1, v4, v2]) await store.putSnapshotVersion('fac-a', 'hub-1', v);
      expect(await store.ledgerVersions('fac-a', '2026-03-01', '2026-03-31')).toStrictEqual([v1]);
      expect(await store.ledgerVersions('fac-a', '2026-04-01', '2026-04-30')).toStrictEqual([v1, v3]);
      expect(await store.ledgerVersions('fac-a', '2026-04-20', '2026-05-10')).toStrictEqual([v3, v4]);
      expect(await store.ledgerVersions('fac-a', '2026-05-01', '2026-05-31')).toStrictEqual([v4]);
      expect(await store.ledgerVersions('fac-a', '2026-04-15', '2026-04-15')).toStrictEqual([v3]);
      expect(await store.getSnapshot('fac-a', '2026-04-14')).toStrictEqual(v1.snapshot);
      expect(await store.getSnapshot('fac-a', '2026-04-15')).toStrictEqual(v3.snapshot);
      expect(await store.getSnapshot('fac-a', '2026-05-01')).toStrictEqual(v4.snapshot);
      expect(await store.getSnapshot('fac-a', '2999-12-31')).toStrictEqual(v4.snapshot);
      expect(await store.ledgerVersions('fac-nobody', '2026-04-01', '2026-04-30')).toStrictEqual([]);
    });

    it('knows nothing before the first version takes effect', async () => {
      const v1 = sampleVersion(1, '2026-04-10');
      await store.putSnapshotVersion('fac-a', 'hub-1', v1);
      expect(await store.getSnapshot('fac-a', '2026-04-09')).toBeUndefined();
      expect(await store.ledgerVersions('fac-a', '2026-03-01', '2026-03-31')).toStrictEqual([]);
      expect(await store.ledgerVersions('fac-a', '2026-04-01', '2026-04-30')).toStrictEqual([v1]);
    });

    it('keeps each facility to its own versions', async () => {
      await store.addHub('hub-b', 'fac-b');
      const a = sampleVersion(1, '0001-01-01');
      const b = sampleVersion(1, '0001-01-01', { facilityName: 'たんぽぽ保育園' }, 'fac-b');
      expect(await store.putSnapshotVersion('fac-a', 'hub-1', a)).toBe(true);
      expect(await store.putSnapshotVersion('fac-b', 'hub-b', b)).toBe(true);
      expect(await store.ledgerVersions('fac-a', DAY, DAY)).toStrictEqual([a]);
      expect(await store.ledgerVersions('fac-b', DAY, DAY)).toStrictEqual([b]);
    });

    it('refuses bad input with the codes of snapshots, storing nothing', async () => {
      const refusals: [() => Promise<unknown>, string][] = [
        [
          () => store.putSnapshotVersion('fac-zzz', 'hub-1', sampleVersion(1, '0001-01-01', {}, 'fac-zzz')),
          CloudErrorCodes.unknownFacility,
        ],
        [
          () => store.putSnapshotVersion('fac-a', 'hub-1', sampleVersion(1, '0001-01-01', {}, 'fac-b')),
          CloudErrorCodes.invalidSnapshot,
        ],
        [
          () =>
            store.putSnapshotVersion(
              'fac-a',
              'hub-1',
              sampleVersion(1, '0001-01-01', { timeZone: 'Europe/Paris' }),
            ),
          CloudErrorCodes.timeZoneMismatch,
        ],
        [
          () => store.putSnapshotVersion('fac-a', 'hub-1', sampleVersion(1, '2026-02-30')),
          CloudErrorCodes.invalidDate,
        ],
        [
          () => store.putSnapshotVersion('fac-a', 'hub-1', sampleVersion(0, '0001-01-01')),
          CloudErrorCodes.invalidSnapshot,
        ],
        [
          () => store.putSnapshotVersion('fac-a', 'hub-1', sampleVersion(1.5, '0001-01-01')),
          CloudErrorCodes.invalidSnapshot,
        ],
        [
          () => store.putSnapshotVersion('fac-a', 'hub.1', sampleVersion(1, '0001-01-01')),
          CloudErrorCodes.invalidId,
        ],
        [() => store.ledgerVersions('fac-a', '2026-04-02', '2026-04-01'), CloudErrorCodes.invalidDate],
        [() => store.ledgerVersions('fac-a', '2026-04-01', '2026-4-30'), CloudErrorCodes.invalidDate],
        [() => store.getSnapshot('fac-a', '2026-02-30'), CloudErrorCodes.invalidDate],
      ];
      for (const [call, code] of refusals) await expect(call()).rejects.toMatchObject({ code });
      expect(await store.getSnapshot('fac-a', '2999-12-31')).toBeUndefined();
    });

    it('replaces the legacy versions with the first version a hub sends', async () => {
      // The migrated single snapshot and an old hub's uploads: legacy versions 1 and 2, for all days.
      expect(await store.putSnapshot('fac-a', 'hub-1', sampleSnapshot())).toBe(1);
      expect(
        await store.putSnapshot('fac-a', 'hub-1', sampleSnapshot('fac-a', { facilityName: 'old' })),
      ).toBe(2);
      // The upgraded hub's own version 1 (its roster for all days) is no conflict: it takes over.
      const v1 = sampleVersion(1, '0001-01-01', { facilityName: 'hub v1' });
      const v2 = sampleVersion(2, '2026-05-01', { facilityName: 'hub v2' });
      expect(await store.putSnapshotVersion('fac-a', 'hub-1', v1)).toBe(true);
      expect(await store.putSnapshotVersion('fac-a', 'hub-1', v2)).toBe(true);
      expect(await store.ledgerVersions('fac-a', '2026-04-01', '2026-05-31')).toStrictEqual([v1, v2]);
    });
  });

  describe('the deprecated single snapshot (PUT /v1/snapshot)', () => {
    beforeEach(twoHubs);

    it('knows no snapshot until a hub sends one, then returns it as sent', async () => {
      expect(await store.getSnapshot('fac-a', DAY)).toBeUndefined();
      const snapshot = sampleSnapshot();
      await store.putSnapshot('fac-a', 'hub-1', snapshot);
      expect(await store.getSnapshot('fac-a', DAY)).toStrictEqual(snapshot);
      expect(await store.getSnapshot('fac-nobody', DAY)).toBeUndefined();
    });

    it('replaces the snapshot on every upload: the latest wins, whichever hub sent it', async () => {
      await store.putSnapshot('fac-a', 'hub-1', sampleSnapshot());
      const renamed = sampleSnapshot('fac-a', {
        facilityName: '新ひまわり保育園',
        classes: [],
        children: [],
      });
      await store.putSnapshot('fac-a', 'hub-2', renamed);
      expect(await store.getSnapshot('fac-a', DAY)).toStrictEqual(renamed);
    });

    it('stores an upload as the version after the highest, for all days; the same again is a no-op', async () => {
      await store.putSnapshotVersion('fac-a', 'hub-1', sampleVersion(1, '0001-01-01'));
      await store.putSnapshotVersion(
        'fac-a',
        'hub-1',
        sampleVersion(2, '2026-05-01', { facilityName: 'v2' }),
      );
      const legacy = sampleSnapshot('fac-a', { facilityName: 'old hub' });
      expect(await store.putSnapshot('fac-a', 'hub-2', legacy)).toBe(3);
      expect(await store.putSnapshot('fac-a', 'hub-2', legacy)).toBe(3);
      expect(await store.ledgerVersions('fac-a', '2026-04-01', '2026-05-31')).toStrictEqual([
        { version: 3, effectiveFrom: '0001-01-01', snapshot: legacy },
      ]);
      expect(await store.getSnapshot('fac-a', '2026-05-02')).toStrictEqual(legacy);
    });

    it('keeps each facility to its own snapshot', async () => {
      await store.addHub('hub-b', 'fac-b');
      const a = sampleSnapshot('fac-a');
      const b = sampleSnapshot('fac-b', { facilityName: 'たんぽぽ保育園' });
      await store.putSnapshot('fac-a', 'hub-1', a);
      await store.putSnapshot('fac-b', 'hub-b', b);
      expect(await store.getSnapshot('fac-a', DAY)).toStrictEqual(a);
      expect(await store.getSnapshot('fac-b', DAY)).toStrictEqual(b);
    });

    it("accepts the facility's zone in any spelling and refuses another zone, keeping the stored one", async () => {
      const first = sampleSnapshot();
      await store.putSnapshot('fac-a', 'hub-1', first);
      await store.putSnapshot('fac-a', 'hub-1', sampleSnapshot('fac-a', { timeZone: 'asia/tokyo' }));
      await expect(
        store.putSnapshot('fac-a', 'hub-1', sampleSnapshot('fac-a', { timeZone: 'Europe/Paris' })),
      ).rejects.toMatchObject({ code: CloudErrorCodes.timeZoneMismatch });
      await expect(
        store.putSnapshot('fac-a', 'hub-1', sampleSnapshot('fac-a', { timeZone: 'Mars/Olympus' })),
      ).rejects.toMatchObject({ code: CloudErrorCodes.invalidTimeZone });
      expect((await store.getSnapshot('fac-a', DAY))?.timeZone).toBe('asia/tokyo');
    });

    it('refuses an unknown facility, a snapshot of another facility and a malformed one', async () => {
      await expect(store.putSnapshot('fac-zzz', 'hub-1', sampleSnapshot('fac-zzz'))).rejects.toMatchObject({
        code: CloudErrorCodes.unknownFacility,
      });
      await expect(store.putSnapshot('fac-a', 'hub-1', sampleSnapshot('fac-b'))).rejects.toMatchObject({
        code: CloudErrorCodes.invalidSnapshot,
      });
      const malformed = { ...sampleSnapshot(), classes: [{ id: 'bad id', name: 'x' }] };
      await expect(store.putSnapshot('fac-a', 'hub-1', malformed)).rejects.toMatchObject({
        code: CloudErrorCodes.invalidSnapshot,
      });
      await expect(store.putSnapshot('fac-a', 'hub.1', sampleSnapshot())).rejects.toMatchObject({
        code: CloudErrorCodes.invalidId,
      });
      expect(await store.getSnapshot('fac-a', DAY)).toBeUndefined();
      expect(await store.getSnapshot('fac-zzz', DAY)).toBeUndefined();
    });
  });
}
