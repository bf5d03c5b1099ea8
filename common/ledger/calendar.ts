import holidayJp from '@holiday-jp/holiday_jp';
import type { LedgerLanguage, LedgerSettings } from '../../protocol/settings.ts';
import type { ColumnMark } from './document.ts';

/**
 * The calendar the ledger files print: weekdays, Japan's public holidays, the facility's closed days and
 * the Japanese era. Holidays come from @holiday-jp/holiday_jp (the holiday_jp project's data, kept up to
 * date with the Cabinet Office's list; the package holds 1970–2050): a day outside its data is no holiday.
 */

export interface CalendarDay {
  /** YYYY-MM-DD */
  date: string;
  /** 0 (Sunday) … 6 (Saturday). */
  weekday: number;
  /** The holiday's name in the language, or null. */
  holiday: string | null;
  /** A closed day by the settings: a closed weekday, a holiday (closedOnHolidays) or a closed date. */
  closed: boolean;
  /** What shades its column: closed, else holiday, else Sunday or Saturday; null on an ordinary day. */
  mark: ColumnMark | null;
}

interface Holiday {
  name: string;
  name_en: string;
}

const HOLIDAYS: Readonly<Record<string, Holiday | undefined>> = holidayJp.holidays;

/** 0 (Sunday) … 6 (Saturday) of a date YYYY-MM-DD. */
export function weekdayOf(date: string): number {
  const [y = 0, m = 1, d = 1] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

/** The public holiday of `date` (YYYY-MM-DD) in the language, or null. */
export function holidayName(date: string, language: LedgerLanguage): string | null {
  const h = HOLIDAYS[date];
  if (h === undefined) return null;
  return language === 'ja' ? h.name : h.name_en;
}

/** The settings' `closedDates` hold the day: as YYYY-MM-DD, or as MM-DD (every year). */
function closedDate(date: string, closedDates: readonly string[]): boolean {
  return closedDates.includes(date) || closedDates.includes(date.slice(5));
}

export function calendarDay(date: string, settings: LedgerSettings, language: LedgerLanguage): CalendarDay {
  const weekday = weekdayOf(date);
  const holiday = holidayName(date, language);
  const closed =
    settings.closedWeekdays.includes(weekday) ||
    (settings.closedOnHolidays && holiday !== null) ||
    closedDate(date, settings.closedDates);
  const mark: ColumnMark | null = closed
    ? 'closed'
    : holiday !== null
      ? 'holiday'
      : weekday === 0
        ? 'sunday'
        : weekday === 6
          ? 'saturday'
          : null;
  return { date, weekday, holiday, closed, mark };
}

/** Every day of month `YYYY-MM`. */
export function monthCalendar(
  month: string,
  settings: LedgerSettings,
  language: LedgerLanguage,
): CalendarDay[] {
  const [y = 0, m = 1] = month.split('-').map(Number);
  const n = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return Array.from({ length: n }, (_, i) =>
    calendarDay(`${month}-${String(i + 1).padStart(2, '0')}`, settings, language),
  );
}

/**
 * The Japanese era year of a date YYYY-MM-DD: 令和 from 2019-05-01, 平成 from 1989-01-08 before it (the
 * ledgers need no earlier); the first year is 元年. E.g. 2026-12-01 → 令和8年, 2019-04-30 → 平成31年.
 */
export function japaneseEraYear(date: string): string {
  const year = Number(date.slice(0, 4));
  const [era, first] = date >= '2019-05-01' ? ['令和', 2019] : ['平成', 1989];
  const n = year - first + 1;
  return `${era}${n === 1 ? '元' : String(n)}年`;
}

/** 令和8年12月 of month YYYY-MM (the era of its first day). */
export function japaneseEraMonth(month: string): string {
  return `${japaneseEraYear(`${month}-01`)}${String(Number(month.slice(5, 7)))}月`;
}

/** 令和8年12月1日 of a date YYYY-MM-DD. */
export function japaneseEraDate(date: string): string {
  return `${japaneseEraYear(date)}${String(Number(date.slice(5, 7)))}月${String(Number(date.slice(8, 10)))}日`;
}
