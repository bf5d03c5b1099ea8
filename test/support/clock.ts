import type { Clock } from '../../common/time.ts';

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
