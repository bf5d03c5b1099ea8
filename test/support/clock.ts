import { localDate, localDayRange, type Clock } from '../../common/time.ts';

/** A clock that stands still where the test sets it. */
export type MovableClock = Clock & { set(iso: string): void };

/** A clock at `start` (an RFC 3339 instant) until the test sets it elsewhere. */
export function movableClock(start: string): MovableClock {
  let now = new Date(start);
  return {
    now: () => new Date(now),
    set(iso: string) {
      now = new Date(iso);
    },
  };
}

/**
 * The instant `minutes` before now, but never before today's midnight in `tz`: a tap that must fall on
 * today whenever the run is (just after midnight, "3 minutes ago" is yesterday). Near midnight the
 * instants are squeezed into the day's first seconds, a larger `minutes` still the earlier.
 */
export function minutesAgoToday(minutes: number, tz: string, now: Date = new Date()): string {
  const [midnight = 0] = localDayRange(localDate(now, tz), tz) ?? [];
  const squeezed = Math.min(now.getTime(), midnight + Math.max(0, 1440 - minutes));
  return new Date(Math.max(now.getTime() - minutes * 60_000, squeezed)).toISOString();
}
