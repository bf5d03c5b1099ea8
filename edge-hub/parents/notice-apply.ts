import type { Logger } from '../../common/logger.ts';
import type { Clock } from '../../common/time.ts';
import type { ParentMessagesPage, ParentNotice } from '../../protocol/parent-notices.ts';
import { PARENT_DEVICE_ID } from '../access/devices.ts';
import type { Ingest } from '../mqtt/ingest.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';
import { absenceDates } from '../tablet/absence-range.ts';
import { parentAbsenceEvent, parentAbsenceEventId } from './notice-events.ts';

export interface NoticeApplyOptions {
  store: StoreOf<'events' | 'parentNotices' | 'audit'> & Transactional;
  /** The hub's own events go through ingest: checked, stored once, then roll-call, tablets and relay. */
  ingest: Pick<Ingest, 'record'>;
  clock: Clock;
  timeZone: string;
  logger: Logger;
  /** New notices were stored: the tablets are to show them now. */
  onStored: () => void;
}

/**
 * Applies a page of parent messages: each absence becomes its `absent` events, each notice is stored, and
 * the cursor moves past the page.
 *
 * Exactly once although Ingest.record commits each event in a transaction of its own (so that the
 * roll-call, the tablets and the relay are told after its commit) and cannot join the notices'
 * transaction: the events are recorded first, idempotently by their derived ids; then the notices
 * (INSERT OR IGNORE by id) and the cursor are committed together. A crash in between fetches the page
 * again, which records no event twice and stores each notice once.
 */
export class NoticeApplier {
  private readonly o: NoticeApplyOptions;

  constructor(options: NoticeApplyOptions) {
    this.o = options;
  }

  /** Returns how many notices were new. */
  apply(page: ParentMessagesPage): number {
    const notices = page.messages.map((m) => m.notice);
    for (const notice of notices) if (notice.kind === 'absence') this.recordAbsences(notice);
    const { store } = this.o;
    const stored = store.transaction(() => {
      let count = 0;
      for (const n of notices) {
        if (!store.parentNotices.insert(n)) continue;
        count++;
        store.audit.append({
          actorKind: 'device',
          actorId: PARENT_DEVICE_ID,
          action: 'parent.notice_received',
          subject: `guardian:${n.guardianId}`,
          deviceId: PARENT_DEVICE_ID,
          outcome: 'ok',
          after: { noticeId: n.id, kind: n.kind, date: n.date, until: n.until, childIds: n.childIds },
        });
      }
      store.parentNotices.setMessagesCursor(page.cursor);
      return count;
    });
    if (stored > 0) {
      this.o.logger.info({ stored, cursor: page.cursor }, 'parent notices received');
      this.o.onStored();
    }
    return stored;
  }

  /** One absent event per child and day (each idempotent by its id); a refused one is logged by id. */
  private recordAbsences(notice: ParentNotice): void {
    const { store, ingest, clock, timeZone, logger } = this.o;
    const dates = absenceDates(notice.date, notice.until);
    if (typeof dates === 'string') {
      logger.warn({ noticeId: notice.id }, 'parent absence with an unusable range: no events recorded');
      return;
    }
    for (const childId of notice.childIds) {
      for (const date of dates) {
        const result = ingest.record(parentAbsenceEventId(notice.id, childId, date), () =>
          parentAbsenceEvent(notice, childId, date, {
            now: clock.now(),
            timeZone,
            seq: store.events.nextDeviceSeq(PARENT_DEVICE_ID),
          }),
        );
        // The notice is stored all the same (a child not on the roster today, a closed month).
        if ('rejection' in result) {
          logger.warn(
            { noticeId: notice.id, childId, date, code: result.rejection.code },
            'parent absence not recorded',
          );
        }
      }
    }
  }
}
