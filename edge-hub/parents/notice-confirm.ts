import { NotFoundError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import type { TabletParentNotice } from '../../protocol/parent-notices.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';
import type { RosterData } from '../store/roster.ts';
import { noticeNamesOf, tabletNoticeOf } from './notice-view.ts';

export interface NoticeConfirmOptions {
  store: StoreOf<'parentNotices' | 'audit' | 'people'> & Transactional;
  roster: () => RosterData;
  logger: Logger;
  /** A notice was confirmed: the tablets show it, and the relay takes the confirmation to the cloud. */
  onConfirmed: () => void;
}

/**
 * Staff confirm (確認) a parent's notice on a tablet: the first confirmation is kept (who, when), audited,
 * shown on every tablet and relayed to the cloud for the parent to see; a second one answers the same.
 */
export class NoticeConfirmations {
  private readonly o: NoticeConfirmOptions;

  constructor(options: NoticeConfirmOptions) {
    this.o = options;
  }

  confirm(actor: { staffId: string; deviceId: string }, noticeId: string): TabletParentNotice {
    const { store } = this.o;
    const marked = store.transaction(() => {
      const result = store.parentNotices.markRead(noticeId, actor.staffId);
      if (result?.first === true) {
        store.audit.append({
          actorKind: 'staff',
          actorId: actor.staffId,
          action: 'tablet.notice_read',
          subject: `guardian:${result.record.notice.guardianId}`,
          deviceId: actor.deviceId,
          outcome: 'ok',
          after: { noticeId: result.record.notice.id, readAt: result.record.notice.readAt },
        });
      }
      return result;
    });
    if (marked === undefined) throw new NotFoundError('unknown_notice', 'no such parent notice');
    if (marked.first) {
      this.o.logger.info({ noticeId: marked.record.notice.id, staffId: actor.staffId }, 'notice confirmed');
      this.o.onConfirmed();
    }
    return tabletNoticeOf(marked.record, noticeNamesOf(this.o.roster(), store.people.staffNames()));
  }
}
