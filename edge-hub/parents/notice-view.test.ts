import { describe, expect, it } from 'vitest';
import type { ParentNotice } from '../../protocol/parent-notices.ts';
import { testNotice } from '../../test/support/parent-cloud.ts';
import type { ParentNoticeRecord } from '../store/parent-notices.ts';
import { childNoticesOn, lateAndExpected, tabletNotices, type NoticeNames } from './notice-view.ts';

/** How the tablet orders and names parents' notices, and which one a child's row shows. */

const record = (notice: ParentNotice, readBy: string | null = null): ParentNoticeRecord => ({
  notice,
  readBy,
  readRelayed: false,
  receivedAt: '2026-04-01T00:00:00.000Z',
});
const id = (n: number) => `${String(n).repeat(8)}-1111-4111-8111-111111111111`;
const names: NoticeNames = {
  guardians: new Map([['g001', '山田 花子']]),
  children: new Map([['c001', { name: '山田 太郎', classId: 'k1' }]]),
  staff: new Map([['s1', '保育 一郎']]),
};

describe('notices on the tablet', () => {
  it('lists the unconfirmed first, then by first day, then oldest sent first', () => {
    const records = [
      record(
        testNotice({
          id: id(1),
          date: '2026-04-01',
          status: 'read',
          readAt: '2026-04-01T09:00:00.000+09:00',
        }),
        's1',
      ),
      record(testNotice({ id: id(2), date: '2026-04-03' })),
      record(testNotice({ id: id(3), date: '2026-04-01', sentAt: '2026-04-01T08:00:00.000+09:00' })),
      // Sent earlier, written with another offset.
      record(testNotice({ id: id(4), date: '2026-04-01', sentAt: '2026-03-31T22:30:00.000Z' })),
    ];
    const listed = tabletNotices(records, names);
    expect(listed.map((n) => n.notice.id)).toEqual([id(4), id(3), id(2), id(1)]);
    expect(listed[3]).toMatchObject({
      guardianName: '山田 花子',
      children: [{ id: 'c001', name: '山田 太郎', classId: 'k1' }],
      readBy: '保育 一郎',
    });
  });

  it('shows ids for a guardian, child or staff member the hub no longer knows', () => {
    const [listed] = tabletNotices(
      [record(testNotice({ id: id(1), guardianId: 'g9', childIds: ['c9'] }), 's9')],
      names,
    );
    expect(listed).toMatchObject({
      guardianName: 'g9',
      children: [{ id: 'c9', name: 'c9', classId: null }],
      readBy: 's9',
    });
  });

  it("gives each child today's newest notice covering today", () => {
    const records = [
      record(testNotice({ id: id(1), childIds: ['c001', 'c002'], sentAt: '2026-04-01T07:00:00.000+09:00' })),
      record(
        testNotice({
          id: id(2),
          kind: 'late',
          arriveAt: '10:00',
          childIds: ['c001'],
          reason: 'family',
          sentAt: '2026-04-01T07:30:00.000+09:00',
        }),
      ),
      record(testNotice({ id: id(3), childIds: ['c003'], date: '2026-04-02' })),
    ];
    const today = childNoticesOn(records, '2026-04-01');
    expect(today.get('c001')?.id).toBe(id(2));
    expect(today.get('c002')?.id).toBe(id(1));
    expect(today.has('c003')).toBe(false);
    expect(lateAndExpected(today.get('c001'), '09:59')).toBe(true);
    expect(lateAndExpected(today.get('c001'), '10:00')).toBe(false);
    expect(lateAndExpected(today.get('c002'), '09:00')).toBe(false);
    expect(lateAndExpected(undefined, '09:00')).toBe(false);
  });
});
