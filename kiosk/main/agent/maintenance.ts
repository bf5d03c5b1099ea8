import type { Logger } from '../../../common/logger.ts';
import type { Clock } from '../../../common/time.ts';
import type { GuardianChoice, RecentEvent, UiReply } from '../../common/ui-api.ts';
import type { OutboxStore } from '../store/outbox.ts';
import { StaffPinError, type StaffPin } from '../staff-pin.ts';
import type { FacilityState } from './facility.ts';
import type { KioskLifecycle } from './lifecycle.ts';

/** Recent events the maintenance screen lists. */
export const RECENT_EVENTS = 20;

/** The maintenance screen's content that only the agent knows (the rest is in KioskState). */
export interface MaintenanceInfo {
  /** The hub address without any user name or password in it. */
  hubUrl: string;
  /** The last RECENT_EVENTS events recorded here, newest first. */
  recent: RecentEvent[];
  /** Every guardian on the roster, for the enrolment picker (empty without a roster). */
  guardians: GuardianChoice[];
}

export interface MaintenanceOptions {
  /** mqtt://HOST:PORT of the hub's broker, as configured (possibly with credentials in it). */
  hubUrl: string;
  store: { readonly outbox: Pick<OutboxStore, 'recent' | 'pruneSettled'> };
  staffPin: Pick<StaffPin, 'verify'>;
  facility: FacilityState;
  lifecycle: Pick<KioskLifecycle, 'closed'>;
  clock: Clock;
  logger: Logger;
  /** Settled events are deleted from the outbox after this many days. */
  retentionDays: number;
}

const DAY_MS = 86_400_000;

/** The hub URL as the maintenance screen may show it: without user name, password, query or fragment. */
function publicHubUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '';
  }
}

/** The maintenance screen's staff PIN and content, and the upkeep of the outbox (retention). */
export class Maintenance {
  readonly #o: MaintenanceOptions;
  #pruneTimer: NodeJS.Timeout | undefined;

  constructor(options: MaintenanceOptions) {
    this.#o = options;
  }

  verifyStaffPin(pin: string): UiReply {
    if (this.#o.lifecycle.closed) return { ok: false, code: 'closed', message: 'the kiosk is shutting down' };
    try {
      this.#o.staffPin.verify(pin);
      return { ok: true };
    } catch (err) {
      if (err instanceof StaffPinError) return { ok: false, code: err.code, message: err.message };
      this.#o.logger.error({ err }, 'checking the staff PIN failed');
      return { ok: false, code: 'storage_failed', message: 'the PIN could not be checked' };
    }
  }

  info(): MaintenanceInfo {
    const index = this.#o.facility.roster?.index;
    const recent: RecentEvent[] = this.#o.lifecycle.closed
      ? []
      : this.#o.store.outbox.recent(RECENT_EVENTS).map(({ event, delivery, code }) => ({
          id: event.id,
          at: event.occurredAt,
          // An event of a child no longer on the roster still shows, by id.
          childName: index?.childById.get(event.childId)?.name ?? event.childId,
          type: event.type,
          delivery,
          ...(code !== null && { code }),
        }));
    const guardians: GuardianChoice[] = (index?.roster.guardians ?? []).map((g) => ({
      id: g.id,
      name: g.name,
      children: g.childIds.flatMap((id) => {
        const child = index?.childById.get(id);
        return child ? [{ name: child.name, kana: child.kana }] : [];
      }),
      cards: g.credentials.length,
    }));
    return { hubUrl: publicHubUrl(this.#o.hubUrl), recent, guardians };
  }

  /** Prunes now and then daily: that is plenty, a day's events are a few hundred rows. */
  startRetention(): void {
    this.#prune();
    this.#pruneTimer = setInterval(() => {
      this.#prune();
    }, DAY_MS);
    this.#pruneTimer.unref();
  }

  close(): void {
    clearInterval(this.#pruneTimer);
  }

  /** Deletes settled events older than the retention; a failure is logged and retried tomorrow. */
  #prune(): void {
    const { lifecycle, retentionDays: days, store, clock, logger } = this.#o;
    if (lifecycle.closed) return;
    try {
      const removed = store.outbox.pruneSettled(new Date(clock.now().getTime() - days * DAY_MS));
      if (removed > 0) logger.info({ removed, days }, 'settled events older than the retention deleted');
    } catch (err) {
      logger.warn({ err }, 'pruning the outbox failed');
    }
  }
}
