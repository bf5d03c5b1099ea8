import type { Logger } from '../../common/logger.ts';
import { hashPasswordSync, verifyPasswordSync } from '../../common/passwords.ts';
import { systemClock, type Clock } from '../../common/time.ts';
import { lockedOutMessage } from '../common/messages.ts';
import { KioskError } from './errors.ts';
import type { KioskStoreOf } from './store/kiosk-store.ts';

/**
 * The kiosk's staff PIN, which unlocks the maintenance screen. Stored in kiosk.sqlite as a scrypt hash
 * with a random salt (common/passwords.ts, like the hub's PINs); wrong PINs are counted in the store too,
 * so restarting the kiosk does not reset the lockout.
 */

export const PIN_RE = /^[0-9]{4,12}$/;
/** Wrong PINs in a row before the lockout. */
export const PIN_MAX_FAILURES = 5;
export const PIN_LOCKOUT_MS = 5 * 60_000;

/** Errors of the staff PIN: bad_pin, locked_out (see retryAt), no_pin, bad_pin_format. */
export class StaffPinError extends KioskError {
  /** When a locked-out PIN pad accepts a PIN again. */
  readonly retryAt: Date | undefined;

  constructor(code: string, message: string, retryAt?: Date) {
    super(code, message);
    this.retryAt = retryAt;
  }
}

/** A salted scrypt hash of a well-formed PIN (synchronous: the PIN pad serves one person at a time). */
export function hashPin(pin: string): string {
  if (!PIN_RE.test(pin)) throw new StaffPinError('bad_pin_format', 'the PIN must be 4–12 digits');
  return hashPasswordSync(pin, 'chosen');
}

/** Whether `pin` matches a stored hashPin() value; false for a malformed one. */
export function pinMatches(pin: string, stored: string): boolean {
  return verifyPasswordSync(pin, stored);
}

/** Sets the staff PIN of the kiosk whose store this is (genkan kiosk pin); resets any lockout. */
export function setStaffPin(store: KioskStoreOf<'settings'>, pin: string): void {
  store.settings.setExtraMeta({
    staff_pin: hashPin(pin),
    staff_pin_failures: undefined,
    staff_pin_locked_until: undefined,
  });
}

export class StaffPin {
  readonly #store: KioskStoreOf<'settings'>;
  readonly #clock: Clock;
  readonly #logger: Logger;

  constructor(options: { store: KioskStoreOf<'settings'>; logger: Logger; clock?: Clock }) {
    this.#store = options.store;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger;
  }

  get isSet(): boolean {
    return this.#store.settings.extraMeta('staff_pin') !== undefined;
  }

  /** Checks a PIN; throws StaffPinError (no_pin, locked_out, bad_pin) unless it is right. */
  verify(pin: string): void {
    const stored = this.#store.settings.extraMeta('staff_pin');
    if (stored === undefined) {
      throw new StaffPinError(
        'no_pin',
        'no staff PIN is set on this kiosk; set one with: genkan kiosk pin --data DIR',
      );
    }
    const now = this.#clock.now().getTime();
    const lockedUntil = Number(this.#store.settings.extraMeta('staff_pin_locked_until') ?? '0');
    // A clock set far back would otherwise keep the pad locked for ever: a lockout never exceeds its length.
    if (now < lockedUntil && lockedUntil - now <= PIN_LOCKOUT_MS) throw this.#lockedOut(lockedUntil, now);
    if (PIN_RE.test(pin) && pinMatches(pin, stored)) {
      this.#store.settings.setExtraMeta({ staff_pin_failures: undefined, staff_pin_locked_until: undefined });
      this.#logger.info('maintenance unlocked with the staff PIN');
      return;
    }
    const failures = Number(this.#store.settings.extraMeta('staff_pin_failures') ?? '0') + 1;
    if (failures >= PIN_MAX_FAILURES) {
      const until = now + PIN_LOCKOUT_MS;
      this.#store.settings.setExtraMeta({
        staff_pin_failures: undefined,
        staff_pin_locked_until: String(until),
      });
      this.#logger.warn({ failures }, 'too many wrong staff PINs; the PIN pad is locked');
      throw this.#lockedOut(until, now);
    }
    this.#store.settings.setExtraMeta({ staff_pin_failures: String(failures) });
    this.#logger.info({ failures }, 'wrong staff PIN');
    throw new StaffPinError(
      'bad_pin',
      `wrong PIN (${PIN_MAX_FAILURES - failures} tries left before a lockout)`,
    );
  }

  #lockedOut(until: number, now: number): StaffPinError {
    const seconds = Math.max(1, Math.ceil((until - now) / 1000));
    return new StaffPinError('locked_out', lockedOutMessage(seconds), new Date(until));
  }
}
