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
