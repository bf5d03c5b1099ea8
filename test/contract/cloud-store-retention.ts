import { beforeEach, describe, expect, it } from 'vitest';
import type { CloudStore } from '../../cloud-relay/store/types.ts';
import {
  ids,
  sampleAmendment,
  sampleEvent,
  sampleVersion,
  type CloudStoreContext,
} from './cloud-store-fixtures.ts';

/** An event of fac-a at 10:00 Tokyo time on `date`. */
const on = (date: string, overrides: Parameters<typeof sampleEvent>[0] = {}) =>
  sampleEvent({ occurredAt: `${date}T10:00:00.000+09:00`, ...overrides });

/**
 * Retention: deleting a facility's records of the days before a cutoff, and the disposal records. Part
 * of the CloudStore contract (cloud-store.ts).
 */
export function describeRetentionContract(ctx: CloudStoreContext): void {
  let store: CloudStore;
  beforeEach(() => {
    store = ctx.store;
  });

  describe('retention', () => {
    // Inside the describe: a hook at the top of a part runs before every test of the whole contract.
    beforeEach(async () => {
      await store.addHub('hub-1', 'fac-a');
      await store.addHub('hub-2', 'fac-b');
    });

    it("deletes a facility's records of the days before the cutoff and records the disposal", async () => {
      const old = on('2027-03-31');
      const kept = on('2027-04-01');
      // A void dated on a deleted day of a kept event stays (the kept day needs it); a later void of a
      // deleted event stays by its own day.
      const oddVoid = on('2027-03-31', {
        type: 'void',
        voids: kept.id,
        occurredAt: '2027-03-31T11:00:00.000+09:00',
      });
      const lateVoid = on('2027-04-02', { type: 'void', voids: old.id });
      await store.insertBatch('fac-a', 'hub-1', [old, kept, oddVoid, lateVoid]);
      const other = sampleEvent({ occurredAt: '2027-03-31T10:00:00.000+09:00' });
      await store.insertBatch('fac-b', 'hub-2', [other]);
      // v1 holds before 2026-10-01 only (it goes); v2 on the cutoff; v3 later; v4 was superseded by v5
      // before it began: the record of what was scheduled stays until 2028-01-01 passes the cutoff.
      const versions = [
        sampleVersion(1, '0001-01-01'),
        sampleVersion(2, '2026-10-01', { facilityName: 'v2' }),
        sampleVersion(3, '2027-06-01', { facilityName: 'v3' }),
        sampleVersion(4, '2028-01-01', { facilityName: 'v4' }),
        sampleVersion(5, '2027-12-01', { facilityName: 'v5' }),
      ];
      for (const v of versions) await store.putSnapshotVersion('fac-a', 'hub-1', v);
      const oldAmendment = sampleAmendment({ date: '2027-03-31' });
      const keptAmendment = sampleAmendment({ date: '2027-04-01' });
      await store.putAmendment('fac-a', 'hub-1', oldAmendment);
      await store.putAmendment('fac-a', 'hub-1', keptAmendment);

      const disposal = await store.disposeBefore('fac-a', '2027-04-01', 5);
      expect(disposal).toMatchObject({
        facilityId: 'fac-a',
        cutoff: '2027-04-01',
        retentionYears: 5,
        counts: { events: 1, snapshots: 1, amendments: 1 },
      });
      expect(disposal?.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(ids(await store.ledgerEvents('fac-a', '0001-01-01', '2027-03-31'))).toStrictEqual([oddVoid.id]);
      expect(ids(await store.ledgerEvents('fac-a', '2027-04-01', '2027-04-30')).sort()).toStrictEqual(
        [kept.id, oddVoid.id, lateVoid.id].sort(),
      );
      expect(
        (await store.ledgerVersions('fac-a', '2027-04-01', '2030-12-31')).map((v) => v.version),
      ).toStrictEqual([2, 3, 5]);
      expect(await store.amendments('fac-a', '0001-01-01', '9999-12-31')).toStrictEqual([keptAmendment]);
      // Another facility keeps everything.
      expect(ids(await store.eventsOn('fac-b', '2027-03-31'))).toStrictEqual([other.id]);
      expect(await store.disposals('fac-a')).toStrictEqual([disposal]);
      expect(await store.disposals('fac-b')).toStrictEqual([]);
    });

    it('records nothing when nothing was due, and lists disposals newest first', async () => {
      await store.insertBatch('fac-a', 'hub-1', [on('2026-05-10'), on('2027-05-10')]);
      const first = await store.disposeBefore('fac-a', '2027-04-01', 5);
      expect(first?.counts).toStrictEqual({ events: 1, snapshots: 0, amendments: 0 });
      expect(await store.disposeBefore('fac-a', '2027-04-01', 5)).toBeUndefined();
      const second = await store.disposeBefore('fac-a', '2028-04-01', 5);
      expect(second?.counts.events).toBe(1);
      expect(await store.disposals('fac-a')).toStrictEqual([second, first]);
      expect(await store.countEvents('fac-a')).toBe(0);
    });

    it('lists every facility with its zone and the retention of its latest snapshot version', async () => {
      expect(await store.retentionPolicies()).toStrictEqual([
        { facilityId: 'fac-a', timeZone: 'Asia/Tokyo', retentionYears: 5 },
        { facilityId: 'fac-b', timeZone: 'Asia/Tokyo', retentionYears: 5 },
      ]);
      await store.putSnapshotVersion('fac-a', 'hub-1', sampleVersion(1, '0001-01-01', { retentionYears: 3 }));
      await store.putSnapshotVersion('fac-a', 'hub-1', sampleVersion(2, '2026-04-01', { retentionYears: 7 }));
      expect((await store.retentionPolicies())[0]).toStrictEqual({
        facilityId: 'fac-a',
        timeZone: 'Asia/Tokyo',
        retentionYears: 7,
      });
    });

    it('refuses bad arguments and changes nothing', async () => {
      await store.insertBatch('fac-a', 'hub-1', [on('2026-05-10')]);
      await expect(store.disposeBefore('fac-a', '2027-02-30', 5)).rejects.toMatchObject({
        code: 'invalid_date',
      });
      await expect(store.disposeBefore('fac-a', '2027-04-01', 0)).rejects.toMatchObject({
        code: 'bad_retention',
      });
      await expect(store.disposeBefore('bad id!', '2027-04-01', 5)).rejects.toMatchObject({
        code: 'invalid_id',
      });
      expect(await store.countEvents('fac-a')).toBe(1);
    });
  });
}
