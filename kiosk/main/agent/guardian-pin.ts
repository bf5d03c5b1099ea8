import type { Logger } from '../../../common/logger.ts';
import { verifyPasswordSync } from '../../../common/passwords.ts';
import { formatRfc3339, type Clock } from '../../../common/time.ts';
import type { RosterGuardian } from '../../common/decide.ts';
import { familyKanaOf, kanaRowOf } from '../../common/kana-rows.ts';
import { lockedOutMessage } from '../../common/messages.ts';
import type { FamilyChoice, UiReply } from '../../common/ui-api.ts';
import type { KioskStoreOf } from '../store/kiosk-store.ts';
import type { FacilityState } from './facility.ts';

/**
 * The "no card, no phone" fallback: the family chooser's list and the guardian PIN check. PINs are set
 * at the hub (genkan guardian pin, admin app) and arrive as slow salted hashes in the roster, so they are
 * checked here offline. Wrong PINs are counted per guardian in the kiosk store: five in a row lock that
 * guardian's PIN at this kiosk for 15 minutes, across restarts.
 */

export const GUARDIAN_PIN_RE = /^[0-9]{4,8}$/;
export const GUARDIAN_PIN_MAX_FAILURES = 5;
export const GUARDIAN_PIN_LOCKOUT_MS = 15 * 60_000;

export interface GuardianPinsOptions {
  store: KioskStoreOf<'pinLockouts'>;
  facility: FacilityState;
  clock: Clock;
  logger: Logger;
}

/** What checking a PIN found: the guardian to record a tap for, or the refusal for the screen. */
export type PinCheck = { ok: true; guardian: RosterGuardian } | { ok: false; reply: UiReply & { ok: false } };

function refusal(code: string, message: string): PinCheck {
  return { ok: false, reply: { ok: false, code, message } };
}

export class GuardianPins {
  readonly #o: GuardianPinsOptions;

  constructor(options: GuardianPinsOptions) {
    this.#o = options;
  }

  /** Every guardian of the roster for the chooser, by row and reading; empty without a roster. */
  families(): FamilyChoice[] {
    const held = this.#o.facility.roster;
    if (!held) return [];
    const { roster, index } = held;
    const now = this.#o.clock.now().getTime();
    const locked = this.#o.store.pinLockouts.lockedAt(now);
    const families = roster.guardians.map((g): FamilyChoice => {
      const children = g.childIds.flatMap((id) => {
        const child = index.childById.get(id);
        return child ? [{ name: child.name, kana: child.kana }] : [];
      });
      const kana = familyKanaOf(children);
      const until = locked.get(g.id);
      return {
        id: g.id,
        name: g.name,
        row: kanaRowOf(kana),
        kana,
        children,
        pin: g.pinHash !== undefined,
        lockedUntil:
          until !== undefined && until - now <= GUARDIAN_PIN_LOCKOUT_MS
            ? formatRfc3339(new Date(until), roster.timeZone)
            : null,
      };
    });
    return families.sort(
      (a, b) =>
        a.kana.localeCompare(b.kana, 'ja') || a.name.localeCompare(b.name, 'ja') || (a.id < b.id ? -1 : 1),
    );
  }

  /**
   * Checks a guardian's PIN: the guardian, or a refusal (no_roster, unknown_guardian, no_pin, locked_out,
   * bad_pin). Synchronous on purpose: the scrypt check takes a fraction of a second, and the PIN pad
   * serves one person at a time.
   */
  check(guardianId: string, pin: string): PinCheck {
    const { store, facility, clock, logger } = this.#o;
    const held = facility.roster;
    if (!held) return refusal('no_roster', 'the kiosk has no roster yet');
    const guardian = held.index.guardianById.get(guardianId);
    if (!guardian) return refusal('unknown_guardian', 'this guardian is not on the roster');
    if (guardian.pinHash === undefined) {
      return refusal('no_pin', 'no PIN is set for this guardian; ask staff to set one');
    }
    const now = clock.now().getTime();
    const record = store.pinLockouts.get(guardianId);
    const until = record?.lockedUntil ?? null;
    // A clock set far back would otherwise keep the PIN locked for ever: a lockout never exceeds its length.
    if (until !== null && now < until && until - now <= GUARDIAN_PIN_LOCKOUT_MS) {
      return this.#lockedOut(until, now);
    }
    if (GUARDIAN_PIN_RE.test(pin) && verifyPasswordSync(pin, guardian.pinHash)) {
      if (record !== undefined) store.pinLockouts.set(guardianId, undefined);
      logger.info({ guardianId }, 'guardian PIN accepted');
      return { ok: true, guardian };
    }
    // An expired lockout starts a new count.
    const failures = (until === null ? (record?.failures ?? 0) : 0) + 1;
    if (failures >= GUARDIAN_PIN_MAX_FAILURES) {
      const lockedUntil = now + GUARDIAN_PIN_LOCKOUT_MS;
      store.pinLockouts.set(guardianId, { failures: 0, lockedUntil });
      logger.warn(
        { guardianId, failures },
        "too many wrong guardian PINs; the guardian's PIN is locked here",
      );
      return this.#lockedOut(lockedUntil, now);
    }
    store.pinLockouts.set(guardianId, { failures, lockedUntil: null });
    logger.info({ guardianId, failures }, 'wrong guardian PIN');
    return refusal(
      'bad_pin',
      `wrong PIN (${GUARDIAN_PIN_MAX_FAILURES - failures} tries left before a lockout)`,
    );
  }

  #lockedOut(until: number, now: number): PinCheck {
    return refusal('locked_out', lockedOutMessage(Math.max(1, Math.ceil((until - now) / 1000))));
  }
}
