import type { Logger } from '../../common/logger.ts';
import type { Clock } from '../../common/time.ts';
import type { ParentMessagesPage, ParentNotice } from '../../protocol/parent-notices.ts';
import type { ParentPickup } from '../../protocol/parent-pickups.ts';
import { PARENT_DEVICE_ID } from '../access/devices.ts';
import type { Ingest } from '../mqtt/ingest.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';
import { absenceDates } from '../tablet/absence-range.ts';
import { applyFacilityNoticeRead } from './facility-notice-apply.ts';
import { parentAbsenceEvent, parentAbsenceEventId } from './notice-events.ts';

export interface NoticeApplyOptions {
  store: StoreOf<'events' | 'parentNotices' | 'audit' | 'pickups' | 'facilityNotices'> & Transactional;
  /** The hub's own events go through ingest: checked, stored once, then roll-call, tablets and relay. */
  ingest: Pick<Ingest, 'record'>;
  clock: Clock;
  timeZone: string;
  logger: Logger;
  /** New notices were stored: the tablets are to show them now. */
  onStored: () => void;
  /** New pickup plans were stored (after onStored): the kiosks' retained plans are to be published again. */
  onPickups?: () => void;
}

/**
 * Applies a page of parent messages: each absence becomes its `absent` events, each notice and pickup plan
 * (one row per child; the latest sent for a child and day is the one shown) is stored, and the cursor moves
 * past the page.
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

  /** Returns how many messages were new (notices, pickup plans…). */
  apply(page: ParentMessagesPage): number {
    for (const m of page.messages) {
      if (m.type === 'notice' && m.notice.kind === 'absence') this.recordAbsences(m.notice);
    }
    const { store } = this.o;
    let pickups = 0;
    const stored = store.transaction(() => {
      let count = 0;
      for (const m of page.messages) {
        switch (m.type) {
          case 'notice':
            if (this.storeNotice(m.notice)) count++;
            break;
          case 'pickup':
            if (this.storePickup(m.pickup)) {
              count++;
              pickups++;
            }
            break;
          case 'facility_notice_read':
            // Only the admin app shows reads (it asks): nothing to tell the tablets.
            applyFacilityNoticeRead(store, m.read);
            break;
        }
      }
      store.parentNotices.setMessagesCursor(page.cursor);
      return count;
    });
    if (stored > 0) {
      this.o.logger.info({ stored, cursor: page.cursor }, 'parent messages received');
      this.o.onStored();
    }
    if (pickups > 0) this.o.onPickups?.();
    return stored;
  }

  /** Within the page's transaction; true when the notice was new. */
  private storeNotice(n: ParentNotice): boolean {
    const { store } = this.o;
    if (!store.parentNotices.insert(n)) return false;
    store.audit.append({
      actorKind: 'device',
      actorId: PARENT_DEVICE_ID,
      action: 'parent.notice_received',
      subject: `guardian:${n.guardianId}`,
      deviceId: PARENT_DEVICE_ID,
      outcome: 'ok',
      after: { noticeId: n.id, kind: n.kind, date: n.date, until: n.until, childIds: n.childIds },
    });
    return true;
  }

  /** Within the page's transaction: one row per child (stored once); true when any was new. No names. */
  private storePickup(p: ParentPickup): boolean {
    const { store } = this.o;
    if (store.pickups.insertPlan(p) === 0) return false;
    store.audit.append({
      actorKind: 'device',
      actorId: PARENT_DEVICE_ID,
      action: 'parent.pickup_received',
      subject: `guardian:${p.guardianId}`,
      deviceId: PARENT_DEVICE_ID,
      outcome: 'ok',
      after: {
        pickupId: p.id,
        date: p.date,
        time: p.time,
        childIds: p.childIds,
        personKind: p.person.kind,
        personId: p.person.id,
      },
    });
    return true;
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
