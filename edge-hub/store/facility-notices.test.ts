import { describe, expect, it } from 'vitest';
import { migrationDir } from '../../test/support/hub-database.ts';
import { movableClock } from '../../test/support/clock.ts';
import { TEST_ROSTER, useTempHubStore } from '../../test/support/hub.ts';
import { columns, indexes } from '../../test/support/sqlite-schema.ts';
import { disposeBefore } from '../facility/retention.ts';
import type { HubStore } from './hub-store.ts';

const N1 = '11111111-1111-4111-8111-111111111111';
const N2 = '22222222-2222-4222-8222-222222222222';
const N3 = '33333333-3333-4333-8333-333333333333';

describe('hub migration 23', () => {
  const m = migrationDir();

  it("adds the facility's notices and their reads, none yet", () => {
    m.at(22).close();
    const up = m.at(23);
    try {
      expect(columns(up, 'facility_notices')).toEqual([
        'id',
        'title',
        'body',
        'class_ids_json',
        'published_at',
        'published_by',
        'withdrawn',
        'withdrawn_at',
        'version',
        'relayed_version',
        'recipients_json',
        'updated_at',
      ]);
      expect(indexes(up, 'facility_notices')).toEqual(
        expect.arrayContaining(['facility_notices_published_at', 'facility_notices_unrelayed']),
      );
      expect(columns(up, 'facility_notice_reads')).toEqual(['notice_id', 'guardian_id', 'read_at']);
      // A withdrawn notice says when.
      const insert = (id: string, withdrawn: number, at: string | null) =>
        up
          .prepare(
            `INSERT INTO facility_notices (id, title, body, published_at, published_by, withdrawn, withdrawn_at,
               version, recipients_json, updated_at) VALUES (?, 't', 'b', 't', 's', ?, ?, 1, '[]', 't')`,
          )
          .run(id, withdrawn, at);
      expect(() => insert('a', 1, null)).toThrow(/CHECK/);
      expect(() => insert('b', 0, 't')).toThrow(/CHECK/);
      insert('c', 1, 't');
    } finally {
      up.close();
    }
  });
});

describe('facility notice store', () => {
  const clock = movableClock('2026-06-10T09:00:00+09:00');
  let store: HubStore;
  useTempHubStore(
    (s) => {
      store = s;
    },
    { roster: TEST_ROSTER, clock },
  );
  const publish = (id: string, recipients: string[], classIds: string[] | null = null) =>
    store.facilityNotices.insert({
      id,
      title: '遠足',
      body: '持ち物',
      classIds,
      publishedBy: 'boss',
      recipients,
    });

  it('stores a notice as version 1, withdraws it once, grows its recipients with new versions', () => {
    clock.set('2026-06-10T09:00:00+09:00');
    const record = publish(N1, ['g002', 'g001', 'g001'], ['k1']);
    expect(record).toEqual({
      notice: {
        id: N1,
        title: '遠足',
        body: '持ち物',
        classIds: ['k1'],
        publishedAt: '2026-06-10T09:00:00.000+09:00',
        withdrawn: false,
      },
      publishedBy: 'boss',
      withdrawnAt: null,
      recipients: ['g001', 'g002'],
      version: 1,
      relayedVersion: 0,
    });
    expect(store.facilityNotices.unrelayed(10).map((r) => r.notice.id)).toEqual([N1]);
    store.facilityNotices.markRelayed(N1, 1);
    expect(store.facilityNotices.unrelayed(10)).toEqual([]);

    expect(store.facilityNotices.addRecipients(N1, ['g001', 'g003'])).toEqual(['g003']);
    expect(store.facilityNotices.addRecipients(N1, ['g003'])).toEqual([]);
    expect(store.facilityNotices.get(N1)).toMatchObject({ recipients: ['g001', 'g002', 'g003'], version: 2 });

    clock.set('2026-06-10T10:00:00+09:00');
    expect(store.facilityNotices.withdraw(N1)).toMatchObject({
      first: true,
      record: { notice: { withdrawn: true }, version: 3, withdrawnAt: '2026-06-10T01:00:00.000Z' },
    });
    expect(store.facilityNotices.withdraw(N1)).toMatchObject({ first: false, record: { version: 3 } });
    expect(store.facilityNotices.withdraw(N2)).toBeUndefined();
    expect(store.facilityNotices.openSince(new Date(0))).toEqual([]);
    // A cloud holding a later version: the next one goes.
    expect(store.facilityNotices.bump(N1, 3)).toBe(true);
    expect(store.facilityNotices.bump(N1, 3)).toBe(false);
    expect(store.facilityNotices.get(N1)?.version).toBe(4);
  });

  it('keeps the first read of each guardian, lists newest first', () => {
    clock.set('2026-06-10T09:00:00+09:00');
    publish(N1, ['g001']);
    clock.set('2026-06-11T09:00:00+09:00');
    publish(N2, ['g001', 'g002']);
    expect(store.facilityNotices.list(10).map((r) => r.notice.id)).toEqual([N2, N1]);
    expect(store.facilityNotices.list(1).map((r) => r.notice.id)).toEqual([N2]);

    const read = { noticeId: N2, guardianId: 'g001', readAt: '2026-06-11T19:30:00.000+09:00' };
    expect(store.facilityNotices.insertRead(read)).toBe(true);
    expect(store.facilityNotices.insertRead({ ...read, readAt: '2026-06-12T08:00:00+09:00' })).toBe(false);
    expect(
      store.facilityNotices.insertRead({ ...read, guardianId: 'g002', readAt: '2026-06-11T10:30:00Z' }),
    ).toBe(true);
    // Answered with the facility's offset, whatever the cloud sent.
    expect(store.facilityNotices.reads(N2)).toEqual([
      read,
      { noticeId: N2, guardianId: 'g002', readAt: '2026-06-11T19:30:00.000+09:00' },
    ]);
    expect(store.facilityNotices.reads(N1)).toEqual([]);
  });

  it('retention deletes the notices published before the cutoff with their reads', () => {
    clock.set('2027-03-31T23:00:00+09:00');
    publish(N1, ['g001']);
    clock.set('2027-04-01T00:30:00+09:00');
    publish(N2, ['g001']);
    store.facilityNotices.insertRead({
      noticeId: N1,
      guardianId: 'g001',
      readAt: '2027-03-31T23:10:00+09:00',
    });
    store.facilityNotices.insertRead({
      noticeId: N2,
      guardianId: 'g001',
      readAt: '2027-04-01T08:00:00+09:00',
    });
    // A read of a notice the hub no longer has, from before the cutoff.
    store.facilityNotices.insertRead({
      noticeId: N3,
      guardianId: 'g001',
      readAt: '2027-03-01T08:00:00+09:00',
    });

    const disposal = disposeBefore(store, '2027-04-01', { timeZone: 'Asia/Tokyo', retentionYears: 5, clock });
    expect(disposal?.counts).toMatchObject({ facilityNotices: 1, facilityNoticeReads: 2 });
    expect(store.facilityNotices.get(N1)).toBeUndefined();
    expect(store.facilityNotices.reads(N1)).toEqual([]);
    expect(store.facilityNotices.get(N2)).toBeDefined();
    expect(store.facilityNotices.reads(N2)).toHaveLength(1);
  });
});
