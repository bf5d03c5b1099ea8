import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventStore } from '../../common/event-store.ts';
import { newEventId } from '../../common/ids.ts';
import type { AttendanceEvent } from '../../protocol/index.ts';

/**
 * The one storage contract every event log passes (kiosk outbox, hub SQLite, cloud SQLite, cloud
 * PostgreSQL), in the manner of aedes-persistence's abstract suite. The factory gets a fresh, empty
 * store for the facility time zone Asia/Tokyo, and a way to reopen the same data after close().
 */
export interface EventStoreHarness {
  open(): Promise<EventStore>;
  cleanup(): Promise<void>;
}

export function describeEventStoreContract(
  name: string,
  makeHarness: () => Promise<EventStoreHarness>,
): void {
  describe(`EventStore contract: ${name}`, () => {
    let harness: EventStoreHarness;
    let store: EventStore;
    let seq = 0;

    const ev = (overrides: Partial<AttendanceEvent> = {}): AttendanceEvent => ({
      id: newEventId(),
      type: 'check_in',
      childId: 'c001',
      occurredAt: '2026-04-01T08:15:00.000+09:00',
      deviceId: 'kiosk-1',
      seq: ++seq,
      method: 'card',
      actor: 'g001',
      ...overrides,
    });

    beforeEach(async () => {
      seq = 0;
      harness = await makeHarness();
      store = await harness.open();
    });
    afterEach(async () => {
      await store.close();
      await harness.cleanup();
    });

    it('stores new events and reports them inserted in input order', async () => {
      const events = [
        ev(),
        ev({ childId: 'c002' }),
        ev({ type: 'check_out', occurredAt: '2026-04-01T17:00:00+09:00' }),
      ];
      const r = await store.insertEvents(events);
      expect(r).toEqual({ inserted: events.map((e) => e.id), duplicates: [] });
      expect(await store.countEvents()).toBe(3);
    });

    it('is idempotent: a resent batch is all duplicates and changes nothing', async () => {
      const events = [ev(), ev()];
      await store.insertEvents(events);
      const again = await store.insertEvents(events);
      expect(again).toEqual({ inserted: [], duplicates: events.map((e) => e.id) });
      expect(await store.countEvents()).toBe(2);
    });

    it('splits an overlapping batch into inserted and duplicates, and the first copy of an id wins', async () => {
      const a = ev();
      const b = ev();
      await store.insertEvents([a]);
      const changedA = { ...a, note: 'second copy' };
      const r = await store.insertEvents([changedA, b, b]);
      expect(r).toEqual({ inserted: [b.id], duplicates: [a.id, b.id] });
      const stored = await store.eventsOn('2026-04-01');
      expect(stored.find((e) => e.id === a.id)).toEqual(a);
    });

    it('round-trips every field exactly, optional fields absent when unset', async () => {
      const plain = ev({ actor: null, method: 'staff' });
      const target = ev();
      const voiding = ev({ type: 'void', voids: target.id, note: '間違えました — "quoted", 改行\nok' });
      await store.insertEvents([plain, target, voiding]);
      const out = await store.eventsOn('2026-04-01');
      expect(out).toHaveLength(3);
      expect(out.find((e) => e.id === plain.id)).toStrictEqual(plain);
      expect(out.find((e) => e.id === voiding.id)).toStrictEqual(voiding);
    });

    it('round-trips clockDoubt, the mark of a kiosk whose clock was in doubt', async () => {
      const unsynced = ev({ clockDoubt: 'unsynced' });
      const heldBack = ev({ clockDoubt: 'held_back', occurredAt: '2026-04-01T08:16:00.000+09:00' });
      const plain = ev({ occurredAt: '2026-04-01T08:17:00.000+09:00' });
      await store.insertEvents([heldBack, plain, unsynced]);
      const out = await store.eventsOn('2026-04-01');
      expect(out).toStrictEqual([unsynced, heldBack, plain]);
      expect(Object.keys(out[2] ?? {})).not.toContain('clockDoubt');
    });

    it('assigns events to the business day in the facility time zone, ordered by occurredAt', async () => {
      const lateUtc = ev({ occurredAt: '2026-03-31T23:30:00Z' }); // 08:30 on 1 April in Tokyo
      const early = ev({ occurredAt: '2026-04-01T07:00:00+09:00' });
      const previousDay = ev({ occurredAt: '2026-03-31T23:59:59+09:00' });
      const nextDay = ev({ occurredAt: '2026-04-01T15:00:00Z' }); // 00:00 on 2 April in Tokyo
      await store.insertEvents([lateUtc, previousDay, nextDay, early]);
      expect((await store.eventsOn('2026-04-01')).map((e) => e.id)).toEqual([early.id, lateUtc.id]);
      expect((await store.eventsOn('2026-03-31')).map((e) => e.id)).toEqual([previousDay.id]);
      expect((await store.eventsOn('2026-04-02')).map((e) => e.id)).toEqual([nextDay.id]);
      expect(await store.eventsOn('2026-04-03')).toEqual([]);
    });

    it('orders events at the same instant by device and seq', async () => {
      const at = '2026-04-01T08:00:00+09:00';
      const b2 = ev({ deviceId: 'kiosk-b', seq: 2, occurredAt: at });
      const a1 = ev({ deviceId: 'kiosk-a', seq: 1, occurredAt: at });
      const b1 = ev({ deviceId: 'kiosk-b', seq: 1, occurredAt: at });
      await store.insertEvents([b2, a1, b1]);
      expect((await store.eventsOn('2026-04-01')).map((e) => e.id)).toEqual([a1.id, b1.id, b2.id]);
    });

    it('keeps what it committed across close and reopen', async () => {
      const events = Array.from({ length: 50 }, () => ev());
      await store.insertEvents(events);
      await store.close();
      store = await harness.open();
      expect(await store.countEvents()).toBe(50);
      expect((await store.insertEvents(events)).duplicates).toHaveLength(50);
    });

    it('stores a batch of 500 in one call', async () => {
      const events = Array.from({ length: 500 }, () => ev());
      const r = await store.insertEvents(events);
      expect(r.inserted).toHaveLength(500);
      expect(await store.countEvents()).toBe(500);
    });
  });
}
