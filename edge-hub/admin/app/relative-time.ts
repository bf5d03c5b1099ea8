import type { RelativeTexts } from './devices-messages.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * How long before `nowMs` the instant `iso` was, in the largest whole unit: 「たった今」 under a minute,
 * then minutes, hours, days. A time ahead of `now` (clocks a little apart) reads as just now.
 */
export function relativeTime(iso: string, nowMs: number, t: RelativeTexts): string {
  const ago = nowMs - Date.parse(iso);
  if (!Number.isFinite(ago) || ago < MINUTE) return t.justNow;
  if (ago < HOUR) return t.minutes(Math.floor(ago / MINUTE));
  if (ago < DAY) return t.hours(Math.floor(ago / HOUR));
  return t.days(Math.floor(ago / DAY));
}
