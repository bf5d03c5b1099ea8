import type { Locale } from './messages.ts';

/**
 * The clock time of an instant as the facility saw it: the cloud sends ISO 8601 with the facility's own
 * offset, so its HH:MM is the nursery's time whatever zone the parent's phone is in.
 */
export function clockTime(instant: string): string {
  const m = /T(\d{2}):(\d{2})/.exec(instant);
  return m ? `${m[1] ?? ''}:${m[2] ?? ''}` : '';
}

/** A business day (YYYY-MM-DD) as a heading: 4月1日(火) / Tue 1 Apr. */
export function dayLabel(date: string, locale: Locale): string {
  const d = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return date;
  // UTC on both sides: the label is the date as given, never shifted by the phone's zone.
  const format =
    locale === 'ja'
      ? new Intl.DateTimeFormat('ja-JP', { month: 'long', day: 'numeric', weekday: 'short', timeZone: 'UTC' })
      : new Intl.DateTimeFormat('en-GB', {
          weekday: 'short',
          day: 'numeric',
          month: 'short',
          timeZone: 'UTC',
        });
  return format.format(d);
}

const DAY_MS = 86_400_000;
const utcDay = (date: string): number | null => {
  const t = Date.parse(`${date}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(date) && !Number.isNaN(t) ? t : null;
};

/** `date` plus `days` calendar days (YYYY-MM-DD), counted in UTC so the phone's zone never shifts it. */
export function addDays(date: string, days: number): string {
  const t = utcDay(date);
  return t === null ? date : new Date(t + days * DAY_MS).toISOString().slice(0, 10);
}

/** Calendar days from `from` to `to` (0 for the same day), or null for a malformed date. */
export function daysBetween(from: string, to: string): number | null {
  const a = utcDay(from);
  const b = utcDay(to);
  return a === null || b === null ? null : Math.round((b - a) / DAY_MS);
}
