import type { ParentNotice } from '../../../protocol/parent-notices.ts';
import { addDays, clockTime, dayLabel } from './format.ts';
import type { Locale, Messages } from './messages.ts';

/** A day as the parent says it: 今日, 明日, or the date (4月3日(金)). */
export function dayWord(date: string, today: string, m: Messages, locale: Locale): string {
  if (date === today) return m.notice.today;
  if (date === addDays(today, 1)) return m.notice.tomorrow;
  return dayLabel(date, locale);
}

/** The days a notice covers: 明日, or 12月7日(月)〜12月9日(水). */
export function noticeDays(notice: ParentNotice, today: string, m: Messages, locale: Locale): string {
  const from = dayWord(notice.date, today, m, locale);
  return notice.until === notice.date ? from : m.notice.range(from, dayWord(notice.until, today, m, locale));
}

/** One line for the child's card: 欠席連絡 明日 病欠 / 遅刻連絡 今日 10:30 登園予定 家庭都合. */
export function noticeSummary(notice: ParentNotice, today: string, m: Messages, locale: Locale): string {
  return [
    m.notice.kindTitle[notice.kind],
    noticeDays(notice, today, m, locale),
    ...(notice.arriveAt === undefined ? [] : [m.notice.arriving(notice.arriveAt)]),
    m.notice.reason[notice.reason],
  ].join(' ');
}

/** What the parent told of the child's health: 発熱・咳 38.2℃ (empty when nothing). */
export function noticeHealth(notice: ParentNotice, m: Messages): string {
  const symptoms = (notice.symptoms ?? []).map((s) => m.notice.symptom[s]);
  return [
    ...(symptoms.length > 0 ? [symptoms.join(m.notice.separator)] : []),
    ...(notice.temperature === undefined ? [] : [m.notice.celsius(notice.temperature)]),
  ].join(' ');
}

/** When the cloud accepted it, in the facility's time: 12月5日(土) 21:40. */
export function sentWhen(notice: ParentNotice, locale: Locale): string {
  return `${dayLabel(notice.sentAt.slice(0, 10), locale)} ${clockTime(notice.sentAt)}`;
}
