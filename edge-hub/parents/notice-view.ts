import type { TabletChild } from '../../protocol/index.ts';
import type { ParentNotice, TabletParentNotice } from '../../protocol/parent-notices.ts';
import type { ParentNoticeRecord } from '../store/parent-notices.ts';
import type { RosterData } from '../store/roster.ts';

/**
 * Parents' notices as the tablet shows them (issue 17): the list staff confirm (確認) from, with the
 * names the hub knows now, and each child's notice of today on its row. Pure: the view reads the store.
 */

/** The names a notice is shown with (the roster's and the staff's; the store keeps ids). */
export interface NoticeNames {
  guardians: ReadonlyMap<string, string>;
  children: ReadonlyMap<string, { name: string; classId: string }>;
  staff: ReadonlyMap<string, string>;
}

export function noticeNamesOf(roster: RosterData, staff: ReadonlyMap<string, string>): NoticeNames {
  return {
    guardians: new Map(roster.guardians.map((g) => [g.id, g.name])),
    children: new Map(roster.children.map((c) => [c.id, { name: c.name, classId: c.classId }])),
    staff,
  };
}

/** One notice for the tablet; a guardian or child the roster no longer lists shows with its id. */
export function tabletNoticeOf(record: ParentNoticeRecord, names: NoticeNames): TabletParentNotice {
  const { notice } = record;
  return {
    notice,
    guardianName: names.guardians.get(notice.guardianId) ?? notice.guardianId,
    children: notice.childIds.map((id) => {
      const child = names.children.get(id);
      return { id, name: child?.name ?? id, classId: child?.classId ?? null };
    }),
    readBy: record.readBy === null ? null : (names.staff.get(record.readBy) ?? record.readBy),
  };
}

/** Newest sent first (the cloud's instants may carry different offsets: compared as instants). */
function newestFirst(a: ParentNoticeRecord, b: ParentNoticeRecord): number {
  return (
    Date.parse(b.notice.sentAt) - Date.parse(a.notice.sentAt) ||
    (a.receivedAt < b.receivedAt ? 1 : a.receivedAt > b.receivedAt ? -1 : 0)
  );
}

/**
 * The tablet's list (TabletRollcall.parentNotices) from the store's notices of the day (forDay):
 * unconfirmed first, then by first day, then oldest sent first.
 */
export function tabletNotices(
  records: readonly ParentNoticeRecord[],
  names: NoticeNames,
): TabletParentNotice[] {
  const rank = (r: ParentNoticeRecord) => (r.notice.status === 'sent' ? 0 : 1);
  return [...records]
    .sort(
      (a, b) =>
        rank(a) - rank(b) ||
        (a.notice.date < b.notice.date ? -1 : a.notice.date > b.notice.date ? 1 : 0) ||
        -newestFirst(a, b),
    )
    .map((r) => tabletNoticeOf(r, names));
}

/** Each child's newest notice covering `today`. */
export function childNoticesOn(
  records: readonly ParentNoticeRecord[],
  today: string,
): Map<string, ParentNotice> {
  const out = new Map<string, ParentNotice>();
  const covering = records.filter((r) => r.notice.date <= today && today <= r.notice.until);
  for (const r of covering.sort(newestFirst)) {
    for (const childId of r.notice.childIds) if (!out.has(childId)) out.set(childId, r.notice);
  }
  return out;
}

/** A child row's `parentNotice`. */
export function childParentNotice(notice: ParentNotice | undefined): TabletChild['parentNotice'] {
  if (notice === undefined) return null;
  return {
    id: notice.id,
    kind: notice.kind,
    reason: notice.reason,
    ...(notice.arriveAt !== undefined && { arriveAt: notice.arriveAt }),
    status: notice.status,
  };
}

/** Whether a lateness notice still explains a child's not being here at local time `nowHm` (HH:MM). */
export function lateAndExpected(notice: ParentNotice | undefined, nowHm: string): boolean {
  return notice?.kind === 'late' && notice.arriveAt !== undefined && nowHm < notice.arriveAt;
}
