import { beforeEach, describe, expect, it } from 'vitest';
import { CloudErrorCodes } from '../../cloud-relay/errors.ts';
import type { AmendmentCursor, CloudStore, ReceiptCursor } from '../../cloud-relay/store/types.ts';
import type { Amendment } from '../../protocol/history.ts';
import type { AttendanceEvent } from '../../protocol/index.ts';
import {
  ids,
  sampleAmendment,
  sampleEvent,
  sampleVersion,
  type CloudStoreContext,
} from './cloud-store-fixtures.ts';

/** Resolves once the wall clock has moved on: two batches then get distinct receipt times. */
async function nextMillisecond(): Promise<void> {
  const start = Date.now();
  while (Date.now() <= start + 1) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * What a restored hub reads back of its facility (GET /v1/hub/…): snapshot versions above a number,
 * amendments and events by receipt, paged with a cursor. Part of the CloudStore contract (cloud-store.ts).
 */
export function describeCatchUpContract(ctx: CloudStoreContext): void {
  let store: CloudStore;
  beforeEach(() => {
    store = ctx.store;
  });

  describe('catch-up reads', () => {
    beforeEach(async () => {
      await store.addHub('hub-1', 'fac-a');
      await store.addHub('hub-b', 'fac-b');
    });

    it('lists the snapshot versions above a number, by version, a page at a time', async () => {
      for (const v of [1, 2, 3, 4]) {
        await store.putSnapshotVersion('fac-a', 'hub-1', sampleVersion(v, `2026-04-0${String(v)}`));
      }
      await store.putSnapshotVersion('fac-b', 'hub-b', sampleVersion(1, '2026-04-01', {}, 'fac-b'));
      const all = await store.versionsAfter('fac-a', 0, 100);
      expect(all.map((v) => v.version)).toEqual([1, 2, 3, 4]);
      expect(all[1]).toStrictEqual(sampleVersion(2, '2026-04-02'));
      expect((await store.versionsAfter('fac-a', 1, 2)).map((v) => v.version)).toEqual([2, 3]);
      expect((await store.versionsAfter('fac-a', 4, 2)).map((v) => v.version)).toEqual([]);
      expect(await store.versionsAfter('fac-nobody', 0, 10)).toStrictEqual([]);
    });

    it('pages the amendments in (at, correctionId) order, whatever their day', async () => {
      const made = [
        sampleAmendment({ at: '2026-05-03T09:00:00+09:00', date: '2026-04-30' }),
        sampleAmendment({ at: '2026-05-02T09:00:00+09:00', date: '2026-03-01' }),
        sampleAmendment(),
        sampleAmendment(),
        sampleAmendment(),
      ];
      for (const a of made) await store.putAmendment('fac-a', 'hub-1', a);
      await store.putAmendment('fac-b', 'hub-b', sampleAmendment());
      const order = (a: Amendment) => `${a.at}|${a.correctionId}`;
      const expected = [...made].sort((x, y) => (order(x) < order(y) ? -1 : 1));
      const seen: Amendment[] = [];
      let after: AmendmentCursor | null = null;
      for (;;) {
        const page: Amendment[] = await store.amendmentsAfter('fac-a', after, 2);
        seen.push(...page);
        const last = page.at(-1);
        if (page.length < 2 || last === undefined) break;
        after = { at: last.at, correctionId: last.correctionId };
      }
      expect(seen).toStrictEqual(expected);
      expect(await store.amendmentsAfter('fac-nobody', null, 10)).toStrictEqual([]);
    });

    it('pages the events received since an instant, every one exactly once, of this facility only', async () => {
      const first = [sampleEvent(), sampleEvent(), sampleEvent()];
      const second = [sampleEvent({ childId: 'c-002' }), sampleEvent(), sampleEvent({ type: 'check_out' })];
      await store.insertBatch('fac-a', 'hub-1', first);
      await nextMillisecond();
      await store.insertBatch('fac-a', 'hub-1', second);
      await store.insertBatch('fac-b', 'hub-b', [sampleEvent()]);
      const since = '2000-01-01T09:00:00+09:00';
      const seen: AttendanceEvent[] = [];
      let after: ReceiptCursor | null = null;
      let pages = 0;
      for (;;) {
        const page = await store.eventsReceivedSince('fac-a', since, after, 2);
        seen.push(...page.events);
        pages++;
        if (page.next === null) break;
        expect(page.events).toHaveLength(2);
        after = page.next;
      }
      expect(pages).toBeGreaterThanOrEqual(3);
      expect(ids(seen).sort()).toEqual(ids([...first, ...second]).sort());
      expect(new Set(ids(seen)).size).toBe(seen.length);
      // Whole events, as stored.
      const byId = new Map(seen.map((e) => [e.id, e]));
      for (const e of [...first, ...second]) expect(byId.get(e.id)).toStrictEqual(e);
      // Within one page: by receipt (the first batch before the second).
      const all = await store.eventsReceivedSince('fac-a', since, null, 100);
      expect(all.next).toBeNull();
      const position = new Map(ids(all.events).map((id, i) => [id, i]));
      for (const a of first)
        for (const b of second) expect(position.get(a.id)).toBeLessThan(position.get(b.id) ?? -1);
      const future = new Date(Date.now() + 3_600_000).toISOString();
      expect((await store.eventsReceivedSince('fac-a', future, null, 10)).events).toStrictEqual([]);
      expect((await store.eventsReceivedSince('fac-nobody', since, null, 10)).events).toStrictEqual([]);
      await expect(store.eventsReceivedSince('fac-a', 'yesterday', null, 10)).rejects.toMatchObject({
        code: CloudErrorCodes.invalidDate,
      });
    });
  });
}
