import { beforeEach, describe, expect, it } from 'vitest';
import { CloudErrorCodes } from '../../cloud-relay/errors.ts';
import type { CloudStore } from '../../cloud-relay/store/types.ts';
import { ids, sampleEvent, type CloudStoreContext } from './cloud-store-fixtures.ts';

/** Event reads: by business date, per facility, and for the ledgers. Part of the CloudStore contract (cloud-store.ts). */
export function describeEventReadsContract(ctx: CloudStoreContext): void {
  let store: CloudStore;
  beforeEach(() => {
    store = ctx.store;
  });

  describe('eventsOn', () => {
    beforeEach(async () => {
      await store.addHub('hub-1', 'fac-a');
    });

    it('groups by business date in Asia/Tokyo across midnight, whatever the offset', async () => {
      const lastOfMarch = sampleEvent({ occurredAt: '2026-03-31T14:59:59.999Z' });
      const midnight = sampleEvent({ occurredAt: '2026-03-31T15:00:00Z' });
      const earlyApril = sampleEvent({ occurredAt: '2026-04-01T00:30:00+09:00' });
      const lateApril1 = sampleEvent({ occurredAt: '2026-04-01T14:59:59Z' });
      const april2 = sampleEvent({ occurredAt: '2026-04-01T10:00:00-05:00' });
      await store.insertBatch('fac-a', 'hub-1', [april2, lateApril1, earlyApril, midnight, lastOfMarch]);
      expect(await store.eventsOn('fac-a', '2026-03-31')).toStrictEqual([lastOfMarch]);
      expect(await store.eventsOn('fac-a', '2026-04-01')).toStrictEqual([midnight, earlyApril, lateApril1]);
      expect(await store.eventsOn('fac-a', '2026-04-02')).toStrictEqual([april2]);
      expect(await store.eventsOn('fac-a', '2026-04-03')).toStrictEqual([]);
    });

    it('orders by instant (not text), then deviceId, then seq', async () => {
      const at0830 = sampleEvent({ occurredAt: '2026-03-31T23:30:00Z', deviceId: 'a' });
      const at0800b2 = sampleEvent({ occurredAt: '2026-04-01T08:00:00+09:00', deviceId: 'b', seq: 2 });
      const at0800b1 = sampleEvent({ occurredAt: '2026-03-31T23:00:00.000Z', deviceId: 'b', seq: 1 });
      const at0800a = sampleEvent({ occurredAt: '2026-04-01T08:00:00.000+09:00', deviceId: 'a', seq: 9 });
      const subMsLate = sampleEvent({ occurredAt: '2026-04-01T09:00:00.0005+09:00', deviceId: 'a' });
      const subMsEarly = sampleEvent({ occurredAt: '2026-04-01T09:00:00.0001+09:00', deviceId: 'z' });
      await store.insertBatch('fac-a', 'hub-1', [at0830, subMsLate, at0800b2, subMsEarly, at0800b1, at0800a]);
      expect(ids(await store.eventsOn('fac-a', '2026-04-01'))).toStrictEqual(
        ids([at0800a, at0800b1, at0800b2, at0830, subMsEarly, subMsLate]),
      );
    });

    it("uses the facility's own time zone", async () => {
      await store.addHub('hub-ny', 'fac-ny', 'America/New_York');
      const e = sampleEvent({ occurredAt: '2026-04-01T02:00:00Z' });
      await store.insertBatch('fac-ny', 'hub-ny', [e]);
      expect(await store.eventsOn('fac-ny', '2026-03-31')).toStrictEqual([e]);
      expect(await store.eventsOn('fac-ny', '2026-04-01')).toStrictEqual([]);
    });

    it('refuses a malformed date and knows no events of an unknown facility', async () => {
      for (const date of ['2026-4-1', '2026-02-30', '', 'today']) {
        await expect(store.eventsOn('fac-a', date)).rejects.toMatchObject({
          code: CloudErrorCodes.invalidDate,
        });
      }
      expect(await store.eventsOn('fac-nobody', '2026-04-01')).toStrictEqual([]);
    });
  });

  describe('facility isolation', () => {
    it('keeps each facility to its own events and counts', async () => {
      await store.addHub('hub-a', 'fac-a');
      await store.addHub('hub-b', 'fac-b');
      const a = [sampleEvent(), sampleEvent()];
      const b = [sampleEvent()];
      await store.insertBatch('fac-a', 'hub-a', a);
      await store.insertBatch('fac-b', 'hub-b', b);
      expect(await store.eventsOn('fac-a', '2026-04-01')).toStrictEqual(a);
      expect(await store.eventsOn('fac-b', '2026-04-01')).toStrictEqual(b);
      expect(await store.countEvents('fac-a')).toBe(2);
      expect(await store.countEvents('fac-b')).toBe(1);
      expect(await store.countEvents('fac-c')).toBe(0);
      expect(await store.countEvents()).toBe(3);
    });

    it("never reports another facility's event as already stored", async () => {
      await store.addHub('hub-a', 'fac-a');
      await store.addHub('hub-b', 'fac-b');
      const inA = sampleEvent({ childId: 'c-a' });
      const sameIdInB = { ...inA, childId: 'c-b' };
      await store.insertBatch('fac-a', 'hub-a', [inA]);
      expect(await store.insertBatch('fac-b', 'hub-b', [sameIdInB])).toStrictEqual({
        accepted: [inA.id],
        duplicates: [],
        rejected: [],
      });
      expect(await store.eventsOn('fac-a', '2026-04-01')).toStrictEqual([inA]);
      expect(await store.eventsOn('fac-b', '2026-04-01')).toStrictEqual([sameIdInB]);
    });
  });

  describe('ledgerEvents', () => {
    beforeEach(async () => {
      await store.addHub('hub-1', 'fac-a');
    });

    it('returns the business dates of an inclusive range, ordered as eventsOn', async () => {
      const march31 = sampleEvent({ occurredAt: '2026-03-31T14:59:59.999Z' });
      const april1 = sampleEvent({ occurredAt: '2026-03-31T15:00:00Z' });
      const april2a = sampleEvent({ occurredAt: '2026-04-02T09:00:00+09:00', deviceId: 'b' });
      const april2b = sampleEvent({ occurredAt: '2026-04-02T00:00:00Z', deviceId: 'a' });
      const april3 = sampleEvent({ occurredAt: '2026-04-03T08:00:00+09:00' });
      await store.insertBatch('fac-a', 'hub-1', [april3, april2a, march31, april2b, april1]);
      expect(await store.ledgerEvents('fac-a', '2026-04-01', '2026-04-02')).toStrictEqual([
        april1,
        april2b,
        april2a,
      ]);
      expect(await store.ledgerEvents('fac-a', '2026-04-02', '2026-04-02')).toStrictEqual(
        await store.eventsOn('fac-a', '2026-04-02'),
      );
      expect(await store.ledgerEvents('fac-a', '2026-03-01', '2026-03-31')).toStrictEqual([march31]);
      expect(await store.ledgerEvents('fac-a', '2026-05-01', '2026-05-31')).toStrictEqual([]);
    });

    it('adds the voids of any date that name an event of the range, once each, in instant order', async () => {
      const checkIn = sampleEvent({ occurredAt: '2026-04-01T08:00:00+09:00' });
      const checkOut = sampleEvent({ type: 'check_out', occurredAt: '2026-04-01T17:00:00+09:00' });
      const lateVoid = sampleEvent({
        type: 'void',
        voids: checkIn.id,
        method: 'staff',
        actor: 'staff-1',
        occurredAt: '2026-04-03T10:00:00+09:00',
      });
      const sameDayVoid = sampleEvent({
        type: 'void',
        voids: checkOut.id,
        method: 'staff',
        actor: 'staff-1',
        occurredAt: '2026-04-01T18:00:00+09:00',
      });
      // A void dated in the range naming an event outside it is an event of the range like any other.
      const april3 = sampleEvent({ occurredAt: '2026-04-03T08:00:00+09:00' });
      const voidOfApril3 = sampleEvent({
        type: 'void',
        voids: april3.id,
        method: 'staff',
        actor: 'staff-1',
        occurredAt: '2026-04-01T19:00:00+09:00',
      });
      // A void naming an id the facility does not hold brings nothing in.
      const stray = sampleEvent({
        type: 'void',
        voids: 'no-such-event',
        method: 'staff',
        actor: 'staff-1',
        occurredAt: '2026-04-05T08:00:00+09:00',
      });
      await store.insertBatch('fac-a', 'hub-1', [
        lateVoid,
        stray,
        voidOfApril3,
        checkOut,
        april3,
        sameDayVoid,
        checkIn,
      ]);
      expect(await store.ledgerEvents('fac-a', '2026-04-01', '2026-04-01')).toStrictEqual([
        checkIn,
        checkOut,
        sameDayVoid,
        voidOfApril3,
        lateVoid,
      ]);
      expect(await store.ledgerEvents('fac-a', '2026-04-01', '2026-04-03')).toStrictEqual([
        checkIn,
        checkOut,
        sameDayVoid,
        voidOfApril3,
        april3,
        lateVoid,
      ]);
      // lateVoid is of the range's date but names an earlier event: included as a date match.
      expect(await store.ledgerEvents('fac-a', '2026-04-03', '2026-04-03')).toStrictEqual([
        voidOfApril3,
        april3,
        lateVoid,
      ]);
    });

    it("keeps to the facility: another facility's void of the same id is not brought in", async () => {
      await store.addHub('hub-b', 'fac-b');
      const inA = sampleEvent();
      const voidInB = sampleEvent({
        type: 'void',
        voids: inA.id,
        method: 'staff',
        actor: 'staff-1',
        occurredAt: '2026-04-02T08:00:00+09:00',
      });
      await store.insertBatch('fac-a', 'hub-1', [inA]);
      await store.insertBatch('fac-b', 'hub-b', [{ ...inA, childId: 'c-b' }, voidInB]);
      expect(await store.ledgerEvents('fac-a', '2026-04-01', '2026-04-01')).toStrictEqual([inA]);
      expect(await store.ledgerEvents('fac-nobody', '2026-04-01', '2026-04-30')).toStrictEqual([]);
    });

    it('refuses malformed dates and a range that ends before it starts', async () => {
      for (const [from, to] of [
        ['2026-4-1', '2026-04-02'],
        ['2026-04-01', '2026-02-30'],
        ['2026-04-02', '2026-04-01'],
      ] as const) {
        await expect(store.ledgerEvents('fac-a', from, to)).rejects.toMatchObject({
          code: CloudErrorCodes.invalidDate,
        });
      }
    });
  });
}
