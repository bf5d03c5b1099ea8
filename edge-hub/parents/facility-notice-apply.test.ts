import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.ts';
import type { Clock } from '../../common/time.ts';
import type { ParentMessagesPage } from '../../protocol/parent-notices.ts';
import { TEST_ROSTER, useTempHubStore } from '../../test/support/hub.ts';
import type { HubStore } from '../store/hub-store.ts';
import { NoticeApplier } from './notice-apply.ts';

const N1 = '11111111-1111-4111-8111-111111111111';
const N2 = '22222222-2222-4222-8222-222222222222';
const clock: Clock = { now: () => new Date('2026-06-11T08:00:00.000+09:00') };

/**
 * Parents' reads of the facility's notices as the hub applies fetched pages (parent message
 * `facility_notice_read`): stored once per guardian and notice with the cursor, the first read kept,
 * audited without names; the tablets are not woken for them.
 */
describe('applying facility notice reads', () => {
  let store: HubStore;
  useTempHubStore(
    (s) => {
      store = s;
    },
    { roster: TEST_ROSTER, clock },
  );

  it('stores each read once with the cursor and audits it', () => {
    store.facilityNotices.insert({
      id: N1,
      title: '遠足',
      body: '持ち物',
      classIds: null,
      publishedBy: 'boss',
      recipients: ['g001', 'g002'],
    });
    let shown = 0;
    const applier = new NoticeApplier({
      store,
      ingest: {
        record: () => {
          throw new Error('no event is recorded for a read');
        },
      },
      clock,
      timeZone: 'Asia/Tokyo',
      logger: silentLogger(),
      onStored: () => {
        shown++;
      },
    });
    const read = (seq: number, guardianId: string, readAt: string, noticeId = N1) => ({
      seq,
      type: 'facility_notice_read' as const,
      read: { noticeId, guardianId, readAt },
    });
    const page: ParentMessagesPage = {
      messages: [
        read(7, 'g001', '2026-06-11T07:30:00+09:00'),
        // A read of a notice the hub no longer has (retention) is kept all the same, harmlessly.
        read(8, 'g002', '2026-06-11T07:31:00+09:00', N2),
      ],
      cursor: 8,
    };
    applier.apply(page);
    // The same page again (a crash before the answer): nothing new.
    applier.apply(page);
    applier.apply({ messages: [read(9, 'g001', '2026-06-11T07:45:00+09:00')], cursor: 9 });

    expect(store.parentNotices.messagesCursor()).toBe(9);
    expect(store.facilityNotices.reads(N1)).toEqual([
      { noticeId: N1, guardianId: 'g001', readAt: '2026-06-11T07:30:00.000+09:00' },
    ]);
    expect(store.facilityNotices.reads(N2)).toHaveLength(1);
    const audited = store.audit.all().filter((a) => a.action === 'parent.facility_notice_read');
    expect(audited.map((a) => [a.subject, a.actorId, a.after])).toEqual([
      ['guardian:g001', 'parent-app', { noticeId: N1, readAt: '2026-06-11T07:30:00+09:00' }],
      ['guardian:g002', 'parent-app', { noticeId: N2, readAt: '2026-06-11T07:31:00+09:00' }],
    ]);
    expect(shown).toBe(0);
  });
});
