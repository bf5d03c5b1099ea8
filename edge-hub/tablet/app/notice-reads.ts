import type { TabletChild, TabletRollcall } from '../../../protocol/tablet.ts';

/**
 * Confirmations (確認) of parents' notices this tablet made that the hub's roll-call does not show yet,
 * pure: the reducer keeps them and lays them over each roll-call it takes.
 */

/** A confirmation (確認) this tablet made: who and when, until the hub's roll-call says so itself. */
export interface NoticeRead {
  readonly readBy: string;
  readonly readAt: string;
}

export type NoticeReads = Readonly<Record<string, NoticeRead>>;

/**
 * The roll-call with this tablet's confirmations applied where the hub still says `sent` (its push may
 * come a moment later, or a push generated just before the confirmation may arrive after it). Children
 * and notices the reads do not touch keep their objects.
 */
export function withNoticeReads(rollcall: TabletRollcall, reads: NoticeReads): TabletRollcall {
  const pending = (id: string, status: 'sent' | 'read'): NoticeRead | undefined =>
    status === 'sent' ? reads[id] : undefined;
  if (Object.keys(reads).length === 0) return rollcall;
  const patchChild = (child: TabletChild): TabletChild => {
    const pn = child.parentNotice;
    if (pn === null || pending(pn.id, pn.status) === undefined) return child;
    return { ...child, parentNotice: { ...pn, status: 'read' } };
  };
  return {
    ...rollcall,
    parentNotices: rollcall.parentNotices.map((n) => {
      const read = pending(n.notice.id, n.notice.status);
      if (read === undefined) return n;
      return { ...n, notice: { ...n.notice, status: 'read', readAt: read.readAt }, readBy: read.readBy };
    }),
    classes: rollcall.classes.map((c) => ({ ...c, children: c.children.map(patchChild) })),
  };
}
