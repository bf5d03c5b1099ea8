import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newEventId } from '../../common/ids.ts';
import { DEFAULT_SETTINGS, type AttendanceEvent } from '../../protocol/index.ts';
import type { FacilitySnapshot } from '../../protocol/ledger.ts';
import { CloudErrorCodes } from '../../cloud-relay/errors.ts';
import type { CloudStore } from '../../cloud-relay/store/types.ts';

export interface CloudStoreFixture {
  store: CloudStore;
  /**
   * Makes the database refuse, as data, every insert of an event with this id, the way it refuses a value
   * it cannot hold: a trigger made by the test (SQLite RAISE(ABORT, REFUSAL_TEXT); PostgreSQL RAISE
   * EXCEPTION REFUSAL_TEXT with a class 22 SQLSTATE).
   */
  refuseEvent(eventId: string): Promise<void>;
  /**
   * Makes the database fail the way it does when it is not the event's fault (busy, connection lost,
   * serialization failure) until the returned function is called.
   */
  failTransiently(): Promise<() => Promise<void>>;
  cleanup(): Promise<void>;
}

/** The message of the test's refusal trigger; the store must not pass it on. */
export const REFUSAL_TEXT = 'refused by the test';

let seqCounter = 0;

/** A valid check-in at 2026-04-01 08:00 JST unless overridden; seq increases per call. */
export function sampleEvent(overrides: Partial<AttendanceEvent> = {}): AttendanceEvent {
  seqCounter += 1;
  return {
    id: newEventId(),
    type: 'check_in',
    childId: 'c-001',
    occurredAt: '2026-04-01T08:00:00.000+09:00',
    deviceId: 'kiosk-1',
    seq: seqCounter,
    method: 'card',
    actor: null,
    ...overrides,
  };
}

/** A small valid snapshot of `facilityId` in Asia/Tokyo: two classes, three children. */
export function sampleSnapshot(
  facilityId = 'fac-a',
  overrides: Partial<FacilitySnapshot> = {},
): FacilitySnapshot {
  return {
    facilityId,
    facilityName: 'ひまわり保育園',
    timeZone: 'Asia/Tokyo',
    careBands: DEFAULT_SETTINGS.careBands,
    extendedCare: DEFAULT_SETTINGS.extendedCare,
    classes: [
      { id: 'hiyoko', name: 'ひよこ組' },
      { id: 'usagi', name: 'うさぎ組' },
    ],
    children: [
      { id: 'c-001', name: '山田 花子', kana: 'やまだ はなこ', classId: 'hiyoko', careType: 'standard' },
      { id: 'c-002', name: '佐藤 一郎', kana: 'さとう いちろう', classId: 'usagi', careType: 'short' },
      { id: 'c-003', name: '鈴木 次郎', kana: 'すずき じろう', classId: 'usagi', careType: 'standard' },
    ],
    ...overrides,
  };
}

const ids = (events: readonly AttendanceEvent[]): string[] => events.map((e) => e.id);

/**
 * The behaviour every CloudStore backend must show. Each test gets a fresh, empty store from `factory`.
 * Run it from the backend's own test file: describeCloudStoreContract('sqlite', async () => …).
 */
export function describeCloudStoreContract(name: string, factory: () => Promise<CloudStoreFixture>): void {
  describe(`CloudStore contract: ${name}`, () => {
    let fixture: CloudStoreFixture;
    let store: CloudStore;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.cleanup();
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

    describe('idempotent insert', () => {
      beforeEach(async () => {
        await store.addHub('hub-1', 'fac-a');
      });

      it('reports a resent batch as all duplicates and stores nothing twice', async () => {
        const batch = [sampleEvent(), sampleEvent(), sampleEvent()];
        expect(await store.insertBatch('fac-a', 'hub-1', batch)).toStrictEqual({
          accepted: ids(batch),
          duplicates: [],
          rejected: [],
        });
        expect(await store.insertBatch('fac-a', 'hub-1', batch)).toStrictEqual({
          accepted: [],
          duplicates: ids(batch),
          rejected: [],
        });
        expect(await store.countEvents('fac-a')).toBe(3);
      });

      it('splits overlapping batches into new and already stored ids, in input order', async () => {
        const [a, b, c, d] = [sampleEvent(), sampleEvent(), sampleEvent(), sampleEvent()];
        await store.insertBatch('fac-a', 'hub-1', [a, b]);
        expect(await store.insertBatch('fac-a', 'hub-1', [c, b, d, a])).toStrictEqual({
          accepted: [c.id, d.id],
          duplicates: [b.id, a.id],
          rejected: [],
        });
        expect(await store.countEvents('fac-a')).toBe(4);
      });

      it('keeps the first copy of an id repeated within one batch', async () => {
        const first = sampleEvent({ note: 'first' });
        const again = { ...first, note: 'second' };
        const other = sampleEvent();
        expect(await store.insertBatch('fac-a', 'hub-1', [first, other, again])).toStrictEqual({
          accepted: [first.id, other.id],
          duplicates: [first.id],
          rejected: [],
        });
        expect(await store.eventsOn('fac-a', '2026-04-01')).toContainEqual(first);
        expect(await store.countEvents('fac-a')).toBe(2);
      });

      it('round-trips events exactly, optional fields absent when not set', async () => {
        const plain = sampleEvent({ occurredAt: '2026-04-01T08:00:00+09:00' });
        const full = sampleEvent({
          type: 'void',
          voids: plain.id,
          note: 'wrong child — ｍｉｓｔａｐ',
          actor: 'staff-7',
          method: 'staff',
          occurredAt: '2026-03-31T23:30:00.123456Z',
          seq: Number.MAX_SAFE_INTEGER,
        });
        await store.insertBatch('fac-a', 'hub-1', [plain, full]);
        const stored = await store.eventsOn('fac-a', '2026-04-01');
        expect(stored).toStrictEqual([plain, full]);
        expect(Object.keys(stored[0] ?? {})).not.toContain('voids');
        expect(Object.keys(stored[0] ?? {})).not.toContain('note');
      });

      it('accepts an empty batch', async () => {
        expect(await store.insertBatch('fac-a', 'hub-1', [])).toStrictEqual({
          accepted: [],
          duplicates: [],
          rejected: [],
        });
      });

      it('refuses an unknown facility and stores nothing', async () => {
        await expect(store.insertBatch('fac-zzz', 'hub-1', [sampleEvent()])).rejects.toMatchObject({
          code: CloudErrorCodes.unknownFacility,
        });
        expect(await store.countEvents()).toBe(0);
      });

      it('refuses an event whose instant it cannot read as store_error, and stores the rest', async () => {
        const good = sampleEvent();
        const unreadable = sampleEvent({ occurredAt: 'yesterday' });
        expect(await store.insertBatch('fac-a', 'hub-1', [unreadable, good])).toStrictEqual({
          accepted: [good.id],
          duplicates: [],
          rejected: [{ id: unreadable.id, code: 'store_error', message: expect.any(String) as string }],
        });
        expect(await store.eventsOn('fac-a', '2026-04-01')).toStrictEqual([good]);
      });

      it('round-trips clockDoubt through every read, absent when not set', async () => {
        const unsynced = sampleEvent({ clockDoubt: 'unsynced' });
        const heldBack = sampleEvent({ clockDoubt: 'held_back', occurredAt: '2026-04-01T09:00:00+09:00' });
        const plain = sampleEvent({ occurredAt: '2026-04-01T10:00:00+09:00' });
        await store.insertBatch('fac-a', 'hub-1', [heldBack, plain, unsynced]);
        const stored = await store.eventsOn('fac-a', '2026-04-01');
        expect(stored).toStrictEqual([unsynced, heldBack, plain]);
        expect(Object.keys(stored[2] ?? {})).not.toContain('clockDoubt');
        expect(await store.ledgerEvents('fac-a', '2026-04-01', '2026-04-01')).toStrictEqual(stored);
        await store.addOrganisation('city-a', '市A');
        await store.addFacility('fac-a', 'city-a');
        const [inputs] = await store.orgRollupInputs('city-a', '2026-04-01');
        expect(inputs?.events.map((e) => e.id).sort()).toStrictEqual(ids(stored).sort());
        expect(inputs?.events.find((e) => e.id === unsynced.id)).toStrictEqual(unsynced);
      });
    });

    describe('store-error isolation', () => {
      beforeEach(async () => {
        await store.addHub('hub-1', 'fac-a');
      });

      const storeError = (id: string) => ({ id, code: 'store_error', message: expect.any(String) as string });

      it('stores the rest of a batch when the database refuses one event as data, and names it', async () => {
        const good1 = sampleEvent();
        const poison = sampleEvent({ occurredAt: '2026-04-01T08:30:00+09:00', note: '山田 花子 お迎え' });
        const good2 = sampleEvent({ occurredAt: '2026-04-01T09:00:00+09:00' });
        await fixture.refuseEvent(poison.id);
        const first = await store.insertBatch('fac-a', 'hub-1', [good1, poison, good2]);
        expect(first).toStrictEqual({
          accepted: [good1.id, good2.id],
          duplicates: [],
          rejected: [storeError(poison.id)],
        });
        // The database's code only: neither the event's contents nor the database's own message.
        const message = first.rejected[0]?.message ?? '';
        expect(message).not.toContain('山田');
        expect(message).not.toContain(REFUSAL_TEXT);
        expect(await store.eventsOn('fac-a', '2026-04-01')).toStrictEqual([good1, good2]);
        // The hub never resends an answered batch, but if it did, nothing changes.
        expect(await store.insertBatch('fac-a', 'hub-1', [good1, poison, good2])).toStrictEqual({
          accepted: [],
          duplicates: [good1.id, good2.id],
          rejected: [storeError(poison.id)],
        });
        expect(await store.countEvents('fac-a')).toBe(2);
      });

      it('sorts the rest as usual on the way one by one: stored, new, repeated, and a copy of the refused id', async () => {
        const old = sampleEvent();
        await store.insertBatch('fac-a', 'hub-1', [old]);
        const poison = sampleEvent();
        const fresh = sampleEvent({ occurredAt: '2026-04-01T09:00:00+09:00' });
        await fixture.refuseEvent(poison.id);
        expect(
          await store.insertBatch('fac-a', 'hub-1', [fresh, old, poison, fresh, { ...poison, note: 'x' }]),
        ).toStrictEqual({
          accepted: [fresh.id],
          duplicates: [old.id, fresh.id],
          rejected: [storeError(poison.id), storeError(poison.id)],
        });
        expect(await store.countEvents('fac-a')).toBe(2);
      });

      it('still records the relay when every event of the batch is refused', async () => {
        await store.addOrganisation('city-a', '市A');
        await store.addFacility('fac-a', 'city-a');
        const poison = sampleEvent();
        await fixture.refuseEvent(poison.id);
        expect((await store.insertBatch('fac-a', 'hub-1', [poison])).rejected).toStrictEqual([
          storeError(poison.id),
        ]);
        const [facility] = await store.orgFacilities('city-a');
        expect(facility?.hubs[0]?.lastRelayAt).not.toBeNull();
      });

      it('fails the whole call on a transient database error, storing nothing, and stores it all after', async () => {
        const batch = [sampleEvent(), sampleEvent()];
        const recover = await fixture.failTransiently();
        try {
          // Not store_error: the events are fine, and refusing them would lose them for ever.
          await expect(store.insertBatch('fac-a', 'hub-1', batch)).rejects.toThrow();
        } finally {
          await recover();
        }
        expect(await store.countEvents('fac-a')).toBe(0);
        expect(await store.insertBatch('fac-a', 'hub-1', batch)).toStrictEqual({
          accepted: ids(batch),
          duplicates: [],
          rejected: [],
        });
      });
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
        await store.insertBatch('fac-a', 'hub-1', [
          at0830,
          subMsLate,
          at0800b2,
          subMsEarly,
          at0800b1,
          at0800a,
        ]);
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

    describe('facility snapshots', () => {
      beforeEach(async () => {
        await store.addHub('hub-1', 'fac-a');
        await store.addHub('hub-2', 'fac-a');
      });

      it('knows no snapshot until a hub sends one, then returns it as sent', async () => {
        expect(await store.getSnapshot('fac-a')).toBeUndefined();
        const snapshot = sampleSnapshot();
        await store.putSnapshot('fac-a', 'hub-1', snapshot);
        expect(await store.getSnapshot('fac-a')).toStrictEqual(snapshot);
        expect(await store.getSnapshot('fac-nobody')).toBeUndefined();
      });

      it('replaces the snapshot on every upload: the latest wins, whichever hub sent it', async () => {
        await store.putSnapshot('fac-a', 'hub-1', sampleSnapshot());
        const renamed = sampleSnapshot('fac-a', {
          facilityName: '新ひまわり保育園',
          classes: [],
          children: [],
        });
        await store.putSnapshot('fac-a', 'hub-2', renamed);
        expect(await store.getSnapshot('fac-a')).toStrictEqual(renamed);
      });

      it('keeps each facility to its own snapshot', async () => {
        await store.addHub('hub-b', 'fac-b');
        const a = sampleSnapshot('fac-a');
        const b = sampleSnapshot('fac-b', { facilityName: 'たんぽぽ保育園' });
        await store.putSnapshot('fac-a', 'hub-1', a);
        await store.putSnapshot('fac-b', 'hub-b', b);
        expect(await store.getSnapshot('fac-a')).toStrictEqual(a);
        expect(await store.getSnapshot('fac-b')).toStrictEqual(b);
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
        expect((await store.getSnapshot('fac-a'))?.timeZone).toBe('asia/tokyo');
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
        expect(await store.getSnapshot('fac-a')).toBeUndefined();
        expect(await store.getSnapshot('fac-zzz')).toBeUndefined();
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
    });

    describe('health', () => {
      it('answers a ping and has no callers waiting for a connection when idle', async () => {
        await store.ping();
        expect(store.waitingForConnection()).toBe(0);
      });
    });
  });
}
