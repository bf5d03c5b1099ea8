import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { CloudErrorCodes } from '../../cloud-relay/errors.ts';
import type { NewParentPickup } from '../../cloud-relay/store/pickup-types.ts';
import type { CloudStore } from '../../cloud-relay/store/types.ts';
import type { FacilityNoticeUpload } from '../../protocol/facility-notices.ts';
import type { ParentPickupRequest, PickupPerson } from '../../protocol/parent-pickups.ts';
import type { CloudStoreContext } from './cloud-store-fixtures.ts';

const SENT = new Date('2026-05-01T07:30:00Z');

/** A person on a child's pickup list, with a photo (the cloud's route tests use her too). */
export const GRANDMA: PickupPerson = {
  id: 'p-1',
  kind: 'person',
  name: '山田 和子',
  relation: '祖母',
  hasPhoto: true,
};
const MOTHER: PickupPerson = {
  id: 'g-1',
  kind: 'guardian',
  name: '山田 花江',
  relation: '',
  hasPhoto: false,
};

function pickup(overrides: Partial<ParentPickupRequest> = {}, guardianId = 'g-1'): NewParentPickup {
  return {
    guardianId,
    request: {
      id: randomUUID(),
      childIds: ['c-001'],
      date: '2026-05-01',
      time: '17:30',
      personId: 'p-1',
      ...overrides,
    },
    person: { id: 'p-1', kind: 'person', name: '山田 和子', relation: '祖母' },
    sentAt: SENT,
  };
}

function facilityNotice(overrides: Partial<FacilityNoticeUpload> = {}): FacilityNoticeUpload {
  return {
    version: 1,
    notice: {
      id: randomUUID(),
      title: '遠足のお知らせ',
      body: '5月10日は遠足です。\nお弁当をお持ちください。',
      classIds: ['hiyoko'],
      publishedAt: '2026-05-01T09:00:00+09:00',
      withdrawn: false,
    },
    guardianIds: ['g-1', 'g-2'],
    ...overrides,
  };
}

/** Pickup people, pickup plans, facility notices and their reads, and the one message sequence. */
export function describeParentPickupsContract(ctx: CloudStoreContext): void {
  describe('pickups and facility notices', () => {
    describeParentPickups(ctx);
  });
}

function describeParentPickups(ctx: CloudStoreContext): void {
  let store: CloudStore;
  beforeEach(async () => {
    store = ctx.store;
    await store.addHub('hub-a', 'fac-a');
    await store.addHub('hub-b', 'fac-b', 'America/New_York');
  });

  describe('pickup people', () => {
    it('keeps the highest version of each child’s list', async () => {
      const v1 = { version: 1, people: [MOTHER] };
      expect(await store.pickups.putPickupPeople('fac-a', 'hub-a', 'c-001', v1)).toBe(true);
      expect(await store.pickups.putPickupPeople('fac-a', 'hub-a', 'c-001', { ...v1, people: [] })).toBe(
        false,
      );
      const v2 = { version: 2, people: [MOTHER, GRANDMA] };
      expect(await store.pickups.putPickupPeople('fac-a', 'hub-a', 'c-001', v2)).toBe(true);
      expect(await store.pickups.putPickupPeople('fac-a', 'hub-a', 'c-002', v1)).toBe(true);
      expect(await store.pickups.pickupPeople('fac-a', ['c-003', 'c-002', 'c-001'])).toStrictEqual([
        { childId: 'c-002', people: [MOTHER] },
        { childId: 'c-001', people: [MOTHER, GRANDMA] },
      ]);
      expect(await store.pickups.pickupPeople('fac-b', ['c-001'])).toStrictEqual([]);
      await expect(store.pickups.putPickupPeople('fac-x', 'hub-a', 'c-001', v2)).rejects.toMatchObject({
        code: CloudErrorCodes.unknownFacility,
      });
      await expect(store.pickups.putPickupPeople('fac-a', 'hub-a', 'c.1', v2)).rejects.toMatchObject({
        code: CloudErrorCodes.invalidId,
      });
    });
  });

  describe('pickup plans', () => {
    it('stores a plan as the wire shows it, idempotent by id', async () => {
      const plan = pickup({ note: '祖母が伺います' });
      const { pickup: stored, created } = await store.pickups.insertPickup('fac-a', plan);
      expect(created).toBe(true);
      expect(stored).toStrictEqual({
        id: plan.request.id,
        guardianId: 'g-1',
        childIds: ['c-001'],
        date: '2026-05-01',
        time: '17:30',
        person: { id: 'p-1', kind: 'person', name: '山田 和子', relation: '祖母' },
        note: '祖母が伺います',
        sentAt: '2026-05-01T16:30:00.000+09:00',
        status: 'sent',
        readAt: null,
      });
      expect(await store.pickups.getPickup('fac-a', plan.request.id.toUpperCase())).toStrictEqual(stored);
      expect(await store.pickups.getPickup('fac-b', plan.request.id)).toBeUndefined();
      expect(await store.pickups.getPickup('fac-a', 'not-a-uuid')).toBeUndefined();
      expect(await store.pickups.insertPickup('fac-a', { ...plan, sentAt: new Date() })).toStrictEqual({
        pickup: stored,
        created: false,
      });
      for (const other of [
        { ...plan, guardianId: 'g-2' },
        { ...plan, request: { ...plan.request, time: '18:00' } },
        { ...plan, person: { id: null, kind: 'other' as const, name: '佐藤', relation: '' } },
      ]) {
        await expect(store.pickups.insertPickup('fac-a', other)).rejects.toMatchObject({
          code: CloudErrorCodes.parentPickupConflict,
        });
      }
      await expect(store.pickups.insertPickup('fac-x', pickup())).rejects.toMatchObject({
        code: CloudErrorCodes.unknownFacility,
      });
      await expect(store.pickups.insertPickup('fac-a', pickup({ time: '25:00' }))).rejects.toMatchObject({
        code: 'bad_request',
      });
    });

    it('lists a day’s plans oldest first, and marks a plan read with the notices’ read marks', async () => {
      const first = pickup();
      const second = pickup({ childIds: ['c-001', 'c-002'], time: '18:00' }, 'g-2');
      await store.pickups.insertPickup('fac-a', first);
      await store.pickups.insertPickup('fac-a', pickup({ date: '2026-05-02' }));
      await store.pickups.insertPickup('fac-a', second);
      expect((await store.pickups.pickupsOn('fac-a', '2026-05-01')).map((p) => p.id)).toStrictEqual([
        first.request.id,
        second.request.id,
      ]);
      expect(await store.pickups.pickupsOn('fac-b', '2026-05-01')).toStrictEqual([]);
      expect(
        await store.parentNotices.markRead('fac-a', [
          { id: first.request.id, readAt: '2026-05-01T16:40:00+09:00' },
        ]),
      ).toBe(1);
      expect(await store.pickups.getPickup('fac-a', first.request.id)).toMatchObject({
        status: 'read',
        readAt: '2026-05-01T16:40:00.000+09:00',
      });
    });
  });

  describe('facility notices', () => {
    it('keeps the highest version, lists a guardian’s notices newest first, withdrawn ones not', async () => {
      const older = facilityNotice();
      const newer = facilityNotice({
        notice: { ...facilityNotice().notice, publishedAt: '2026-05-02T09:00:00+09:00', classIds: null },
        guardianIds: ['g-1', 'g-3', 'g-1'],
      });
      expect(await store.facilityNotices.putFacilityNotice('fac-a', 'hub-a', older)).toBe(true);
      expect(await store.facilityNotices.putFacilityNotice('fac-a', 'hub-a', newer)).toBe(true);
      expect(await store.facilityNotices.putFacilityNotice('fac-a', 'hub-a', older)).toBe(false);
      expect(await store.facilityNotices.getFacilityNotice('fac-a', older.notice.id)).toStrictEqual({
        version: 1,
        notice: { ...older.notice, publishedAt: '2026-05-01T09:00:00.000+09:00' },
        guardianIds: ['g-1', 'g-2'],
        pushed: false,
      });
      expect(
        (await store.facilityNotices.getFacilityNotice('fac-a', newer.notice.id))?.guardianIds,
      ).toStrictEqual(['g-1', 'g-3']);
      const ids = async (guardianId: string) =>
        (await store.facilityNotices.noticesForGuardian('fac-a', guardianId)).map((n) => n.id);
      expect(await ids('g-1')).toStrictEqual([newer.notice.id, older.notice.id]);
      expect(await ids('g-2')).toStrictEqual([older.notice.id]);
      expect(await ids('g-9')).toStrictEqual([]);
      expect(await store.facilityNotices.noticesForGuardian('fac-b', 'g-1')).toStrictEqual([]);

      const withdrawn = { ...older, version: 2, notice: { ...older.notice, withdrawn: true } };
      expect(await store.facilityNotices.putFacilityNotice('fac-a', 'hub-a', withdrawn)).toBe(true);
      expect(await ids('g-1')).toStrictEqual([newer.notice.id]);
      expect(await ids('g-2')).toStrictEqual([]);
      await expect(store.facilityNotices.putFacilityNotice('fac-x', 'hub-a', older)).rejects.toMatchObject({
        code: CloudErrorCodes.unknownFacility,
      });
      await expect(
        store.facilityNotices.putFacilityNotice('fac-a', 'hub-a', { ...older, version: 0 }),
      ).rejects.toMatchObject({ code: 'bad_request' });
    });

    it('gives a notice’s push to one claim only, and none to a withdrawn one', async () => {
      const n = facilityNotice();
      expect(await store.facilityNotices.claimPush('fac-a', n.notice.id)).toBe(false);
      await store.facilityNotices.putFacilityNotice('fac-a', 'hub-a', {
        ...n,
        notice: { ...n.notice, withdrawn: true },
      });
      expect(await store.facilityNotices.claimPush('fac-a', n.notice.id)).toBe(false);
      await store.facilityNotices.putFacilityNotice('fac-a', 'hub-a', { ...n, version: 2 });
      const claims = await Promise.all([
        store.facilityNotices.claimPush('fac-a', n.notice.id),
        store.facilityNotices.claimPush('fac-a', n.notice.id.toUpperCase()),
      ]);
      expect(claims.sort()).toStrictEqual([false, true]);
      await store.facilityNotices.putFacilityNotice('fac-a', 'hub-a', { ...n, version: 3 });
      expect(await store.facilityNotices.claimPush('fac-a', n.notice.id)).toBe(false);
      expect((await store.facilityNotices.getFacilityNotice('fac-a', n.notice.id))?.pushed).toBe(true);
    });

    it('records a recipient’s first read once; others, withdrawn and unknown notices get none', async () => {
      const n = facilityNotice();
      await store.facilityNotices.putFacilityNotice('fac-a', 'hub-a', n);
      const at = new Date('2026-05-01T01:00:00Z');
      const first = await store.facilityNotices.markNoticeRead('fac-a', n.notice.id, 'g-1', at);
      expect(first).toStrictEqual({
        read: { noticeId: n.notice.id, guardianId: 'g-1', readAt: '2026-05-01T10:00:00.000+09:00' },
        created: true,
      });
      const again = await store.facilityNotices.markNoticeRead(
        'fac-a',
        n.notice.id.toUpperCase(),
        'g-1',
        new Date(),
      );
      expect(again).toStrictEqual({ read: first?.read, created: false });
      expect(await store.facilityNotices.markNoticeRead('fac-a', n.notice.id, 'g-9', at)).toBeUndefined();
      expect(await store.facilityNotices.markNoticeRead('fac-b', n.notice.id, 'g-1', at)).toBeUndefined();
      expect(await store.facilityNotices.markNoticeRead('fac-a', randomUUID(), 'g-1', at)).toBeUndefined();
      expect(await store.facilityNotices.markNoticeRead('fac-a', 'not-a-uuid', 'g-1', at)).toBeUndefined();
      expect(await store.facilityNotices.noticesForGuardian('fac-a', 'g-1')).toStrictEqual([
        {
          id: n.notice.id,
          title: n.notice.title,
          body: n.notice.body,
          publishedAt: '2026-05-01T09:00:00.000+09:00',
          readAt: '2026-05-01T10:00:00.000+09:00',
        },
      ]);
      expect((await store.facilityNotices.noticesForGuardian('fac-a', 'g-2'))[0]?.readAt).toBeNull();
      await store.facilityNotices.putFacilityNotice('fac-a', 'hub-a', {
        ...n,
        version: 2,
        notice: { ...n.notice, withdrawn: true },
      });
      expect(await store.facilityNotices.markNoticeRead('fac-a', n.notice.id, 'g-2', at)).toBeUndefined();
      expect(await store.parentNotices.messagesAfter('fac-a', 0, 100)).toHaveLength(1);
    });
  });

  describe('the one message sequence', () => {
    it('numbers notices, plans and reads from one counter and pages them in seq order', async () => {
      const n = facilityNotice();
      await store.facilityNotices.putFacilityNotice('fac-a', 'hub-a', n);
      const absence = await store.parentNotices.insertNotice('fac-a', {
        guardianId: 'g-1',
        sentAt: SENT,
        request: {
          id: randomUUID(),
          kind: 'absence',
          childIds: ['c-002'],
          date: '2026-05-02',
          reason: 'family',
        },
      });
      const plan = await store.pickups.insertPickup('fac-a', pickup());
      const read = await store.facilityNotices.markNoticeRead('fac-a', n.notice.id, 'g-2', SENT);
      await store.pickups.insertPickup('fac-b', pickup());
      const plan2 = await store.pickups.insertPickup('fac-a', pickup({ time: '18:00' }));
      const all = await store.parentNotices.messagesAfter('fac-a', 0, 100);
      expect(all).toStrictEqual([
        { seq: 1, type: 'notice', notice: absence.notice },
        { seq: 2, type: 'pickup', pickup: plan.pickup },
        { seq: 3, type: 'facility_notice_read', read: read?.read },
        { seq: 4, type: 'pickup', pickup: plan2.pickup },
      ]);
      expect(await store.parentNotices.messagesAfter('fac-a', 1, 2)).toStrictEqual(all.slice(1, 3));
      expect(await store.parentNotices.messagesAfter('fac-a', 4, 2)).toStrictEqual([]);
      expect(
        (await store.parentNotices.messagesAfter('fac-b', 0, 100)).map((m) => [m.seq, m.type]),
      ).toStrictEqual([[1, 'pickup']]);
    });

    it('gives concurrent inserts of every kind consecutive seqs, and a reader misses none', async () => {
      const notices = Array.from({ length: 6 }, () => facilityNotice());
      for (const n of notices) await store.facilityNotices.putFacilityNotice('fac-a', 'hub-a', n);
      const seen: number[] = [];
      let cursor = 0;
      const state = { writing: true };
      const reader = (async () => {
        for (;;) {
          const done = !state.writing;
          const page = await store.parentNotices.messagesAfter('fac-a', cursor, 4);
          for (const m of page) {
            expect(m.seq).toBeGreaterThan(cursor);
            cursor = m.seq;
            seen.push(m.seq);
          }
          if (done && page.length === 0) return;
        }
      })();
      await Promise.all([
        ...notices.map((n) => store.facilityNotices.markNoticeRead('fac-a', n.notice.id, 'g-1', SENT)),
        ...notices.map(() => store.pickups.insertPickup('fac-a', pickup())),
        ...notices.map(() =>
          store.parentNotices.insertNotice('fac-a', {
            guardianId: 'g-1',
            sentAt: SENT,
            request: {
              id: randomUUID(),
              kind: 'absence',
              childIds: ['c-001'],
              date: '2026-05-02',
              reason: 'other',
            },
          }),
        ),
        // A read repeated at once is stored once.
        store.facilityNotices.markNoticeRead('fac-a', notices[0]?.notice.id ?? '', 'g-1', SENT),
      ]);
      state.writing = false;
      await reader;
      const seqs = Array.from({ length: 18 }, (_, i) => i + 1);
      expect((await store.parentNotices.messagesAfter('fac-a', 0, 100)).map((m) => m.seq)).toStrictEqual(
        seqs,
      );
      expect(seen).toStrictEqual(seqs);
    });
  });

  describe('retention', () => {
    it('deletes plans of days before the cutoff and notices published before it, with their reads', async () => {
      const oldPlan = pickup({ date: '2027-03-31' });
      const keptPlan = pickup({ date: '2027-04-01' });
      await store.pickups.insertPickup('fac-a', oldPlan);
      await store.pickups.insertPickup('fac-a', keptPlan);
      const oldNotice = facilityNotice({
        notice: { ...facilityNotice().notice, publishedAt: '2027-03-31T23:59:00+09:00' },
      });
      const keptNotice = facilityNotice({
        notice: { ...facilityNotice().notice, publishedAt: '2027-04-01T00:00:00+09:00' },
      });
      for (const n of [oldNotice, keptNotice]) {
        await store.facilityNotices.putFacilityNotice('fac-a', 'hub-a', n);
        await store.facilityNotices.markNoticeRead('fac-a', n.notice.id, 'g-1', SENT);
      }
      await store.pickups.insertPickup('fac-b', pickup({ date: '2027-03-01' }));

      const start = new Date('2027-03-31T15:00:00.000Z');
      expect(await store.parentNotices.purgeParentRecords('fac-a', '2027-04-01', start)).toStrictEqual({
        notices: 0,
        audit: 0,
        pickups: 1,
        facilityNotices: 1,
      });
      expect(await store.pickups.getPickup('fac-a', oldPlan.request.id)).toBeUndefined();
      expect(await store.facilityNotices.getFacilityNotice('fac-a', oldNotice.notice.id)).toBeUndefined();
      const left = await store.parentNotices.messagesAfter('fac-a', 0, 100);
      expect(left.map((m) => [m.seq, m.type])).toStrictEqual([
        [2, 'pickup'],
        [4, 'facility_notice_read'],
      ]);
      expect(await store.pickups.pickupsOn('fac-b', '2027-03-01')).toHaveLength(1);
      // The counter goes on after a purge.
      expect((await store.pickups.insertPickup('fac-a', pickup())).pickup.id).toBeDefined();
      expect((await store.parentNotices.messagesAfter('fac-a', 4, 100)).map((m) => m.seq)).toStrictEqual([5]);
    });
  });
}
