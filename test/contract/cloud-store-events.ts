import { beforeEach, describe, expect, it } from 'vitest';
import { CloudErrorCodes } from '../../cloud-relay/errors.ts';
import type { CloudStore } from '../../cloud-relay/store/types.ts';
import {
  ids,
  REFUSAL_TEXT,
  sampleEvent,
  type CloudStoreContext,
  type CloudStoreFixture,
} from './cloud-store-fixtures.ts';

/** Idempotent batch inserts and the isolation of store errors. Part of the CloudStore contract (cloud-store.ts). */
export function describeEventInsertContract(ctx: CloudStoreContext): void {
  let store: CloudStore;
  let fixture: CloudStoreFixture;
  beforeEach(() => {
    store = ctx.store;
    fixture = ctx.fixture;
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
}
