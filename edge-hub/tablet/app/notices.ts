import type { TabletParentNotice } from '../../../protocol/parent-notices.ts';
import type { TabletChild } from '../../../protocol/tablet.ts';
import type { Messages } from './messages.ts';
import { addDays, hhmm } from './state.ts';

/**
 * Parents' notices on the tablet, pure: the days a notice covers in words (今日, 明日, 6月14日(土)), the
 * panel's order, and the row's badge.
 */

/** The calendar date (YYYY-MM-DD) of an instant in the facility's time zone. */
export function localDateOf(instant: string, timeZone: string): string | null {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return null;
  // en-CA writes YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(date);
}

/** One day in words relative to the roll-call's day: 今日, 明日, 昨日, else 6月14日(土). */
export function dayText(date: string, today: string, m: Messages): string {
  if (date === today) return m.notices.today;
  if (date === addDays(today, 1)) return m.notices.tomorrow;
  if (date === addDays(today, -1)) return m.notices.yesterday;
  const d = new Date(`${date}T12:00:00Z`);
  if (Number.isNaN(d.getTime())) return date;
  return m.notices.date(d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCDay());
}

/** The days a notice covers: one day, or a range (今日〜6月20日(金)). */
export function daysText(notice: { date: string; until: string }, today: string, m: Messages): string {
  const from = dayText(notice.date, today, m);
  return notice.until === notice.date ? from : m.notices.range(from, dayText(notice.until, today, m));
}

/** When a notice was sent: the time today, or the day and the time before (昨日 20:15). */
export function sentText(sentAt: string, today: string, timeZone: string, m: Messages): string {
  const day = localDateOf(sentAt, timeZone);
  const time = hhmm(sentAt, timeZone);
  return day === null || day === today ? time : `${dayText(day, today, m)} ${time}`;
}

/**
 * The panel's order: unconfirmed first, then by the first day, then by when sent (as the hub orders
 * them, but on fields that do not change with a confirmation). Notices in `keepPlace` (just confirmed on
 * this screen) sort as unconfirmed, so that the list does not move under the finger.
 */
export function panelOrder(
  notices: readonly TabletParentNotice[],
  keepPlace: ReadonlySet<string> = new Set(),
): TabletParentNotice[] {
  const done = (n: TabletParentNotice): number =>
    Number(n.notice.status === 'read' && !keepPlace.has(n.notice.id));
  const key = (n: TabletParentNotice): [number, string, number, string] => [
    done(n),
    n.notice.date,
    Date.parse(n.notice.sentAt),
    n.notice.id,
  ];
  return [...notices].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    return ka[0] - kb[0] || ka[1].localeCompare(kb[1]) || ka[2] - kb[2] || ka[3].localeCompare(kb[3]);
  });
}

export function unreadCount(notices: readonly TabletParentNotice[]): number {
  return notices.filter((n) => n.notice.status === 'sent').length;
}

/** The badge on a child's row: 欠席連絡（体調不良） or 遅刻連絡 10:30. */
export function noticeBadgeText(notice: NonNullable<TabletChild['parentNotice']>, m: Messages): string {
  return notice.kind === 'absence'
    ? m.notices.badgeAbsence(m.reason[notice.reason])
    : m.notices.badgeLate(notice.arriveAt ?? null);
}
