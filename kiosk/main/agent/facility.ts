import type { KeyObject } from 'node:crypto';
import { importQrPublicKey, type Rollcall, type Roster } from '../../../protocol/index.ts';
import type { Logger } from '../../../common/logger.ts';
import { indexRoster, type RosterIndex } from '../../common/decide.ts';
import { KioskError } from '../errors.ts';
import type { Cached } from '../store/cache.ts';
import type { KioskStoreOf } from '../store/kiosk-store.ts';
import { PickupPlans } from './pickups.ts';

export interface RosterHeld {
  roster: Roster;
  index: RosterIndex;
  /** The roster's qrPublicKey, imported once: signed QR codes are verified offline with it. */
  qrKey: KeyObject;
  /** Canonical JSON, to tell a changed roster from the same one retained again. */
  json: string;
}

/**
 * What the kiosk knows of the facility it serves: its id, the roster in use and the latest roll-call.
 * Hub messages change it; taps, enrolment, status and maintenance read it.
 */
export class FacilityState {
  /** Today's pickup plans from the hub (topics.pickups), shown when a guardian taps. */
  readonly pickups = new PickupPlans();
  #id: string | undefined;
  #roster: RosterHeld | undefined;
  #rollcall: Cached<Rollcall> | undefined;

  constructor(id: string | undefined) {
    this.#id = id;
  }

  get id(): string | undefined {
    return this.#id;
  }

  get roster(): RosterHeld | undefined {
    return this.#roster;
  }

  get rollcall(): Cached<Rollcall> | undefined {
    return this.#rollcall;
  }

  /** The facility learned from its first roster. */
  learn(id: string): void {
    this.#id = id;
  }

  adopt(roster: Roster): void {
    this.#roster = {
      roster,
      index: indexRoster(roster),
      // RosterSchema has checked the key's form, so this import does not throw.
      qrKey: importQrPublicKey(roster.qrPublicKey),
      json: JSON.stringify(roster),
    };
  }

  setRollcall(rollcall: Cached<Rollcall> | undefined): void {
    this.#rollcall = rollcall;
  }
}

/**
 * The facility this kiosk serves: --facility if given, else the one learned earlier. Moving a kiosk
 * to another facility is refused while events of the old one are still undelivered, because they
 * would be sent to the new facility's topics.
 */
export function resolveFacility(
  store: KioskStoreOf<'identity' | 'outbox'>,
  requested: string | undefined,
  logger: Logger,
): string | undefined {
  const stored = store.identity.facilityId();
  if (requested === undefined || requested === stored) return stored;
  if (stored !== undefined) {
    const pending = store.outbox.pendingCount();
    if (pending > 0) {
      throw new KioskError(
        'facility_mismatch',
        `data directory holds ${pending} undelivered events of facility ${stored}; cannot switch to ${requested}`,
      );
    }
    logger.warn({ from: stored, to: requested }, 'kiosk moved to another facility');
  }
  store.identity.setFacilityId(requested);
  return requested;
}
