import type { Clock } from '../../common/time.ts';
import type { StoreOf } from '../store/hub-store.ts';

/** From this many failures of one staff id on, each failure starts a wait … */
export const BACKOFF_AFTER_FAILURES = 5;
/** … the first one this long, doubled at each further failure … */
export const BACKOFF_BASE_MS = 1000;
/** … up to this. */
export const BACKOFF_MAX_MS = 15 * 60_000;
/** A staff id with no failure for this long starts again from zero. */
export const BACKOFF_FORGET_MS = 24 * 60 * 60_000;
/** Staff ids (known or not) whose failures are kept at most. */
export const BACKOFF_MAX_IDS = 10_000;

/**
 * Growing back-off per staff id, persisted (issue 15): from the BACKOFF_AFTER_FAILURES-th failed sign-in on,
 * each failure makes the id wait 1 s, 2 s, 4 s … at most 15 minutes, during which every sign-in of the
 * id is refused (429 with Retry-After), the right PIN too. Once the wait is over the right PIN signs in
 * and resets the count. Someone on the LAN can thus slow the guessing of an id's PIN to about 100 tries
 * a day, but no longer lock its owner out (the old limit refused the right PIN for 5 minutes after 5
 * failures, and could be renewed for ever). Kept in hub.sqlite: a restart does not forget it.
 */
export class SignInBackoff {
  readonly #store: StoreOf<'signInLimits'>;
  readonly #clock: Clock;

  constructor(store: StoreOf<'signInLimits'>, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  /** Seconds until `staffId` may try again, or undefined when it may now. */
  retryAfter(staffId: string): number | undefined {
    const until = this.#store.signInLimits.failures(staffId)?.blockedUntil ?? null;
    if (until === null) return undefined;
    const ms = Date.parse(until) - this.#clock.now().getTime();
    return ms > 0 ? Math.ceil(ms / 1000) : undefined;
  }

  fail(staffId: string): void {
    const now = this.#clock.now();
    const before = this.#store.signInLimits.failures(staffId);
    const stale = before !== undefined && now.getTime() - Date.parse(before.lastFailedAt) > BACKOFF_FORGET_MS;
    const failures = (before === undefined || stale ? 0 : before.failures) + 1;
    const doublings = failures - BACKOFF_AFTER_FAILURES;
    const waitMs =
      doublings < 0 ? 0 : Math.min(BACKOFF_BASE_MS * 2 ** Math.min(doublings, 30), BACKOFF_MAX_MS);
    this.#store.signInLimits.recordFailure(
      staffId,
      {
        failures,
        lastFailedAt: now.toISOString(),
        blockedUntil: waitMs === 0 ? null : new Date(now.getTime() + waitMs).toISOString(),
      },
      new Date(now.getTime() - BACKOFF_FORGET_MS).toISOString(),
      BACKOFF_MAX_IDS,
    );
  }

  succeed(staffId: string): void {
    this.#store.signInLimits.clear(staffId);
  }
}
