import type { Logger } from '../../../common/logger.ts';
import type { Clock } from '../../../common/time.ts';
import type { AttendanceEvent } from '../../../protocol/index.ts';
import { KioskClock, type ClockReading } from '../kiosk-clock.ts';
import type { KioskStoreOf, KioskTransactional } from '../store/kiosk-store.ts';
import type { EventDraft, OutboxStore } from '../store/outbox.ts';
import type { SettingsStore } from '../store/settings.ts';

/** The time of stamps, QR expiry and the business day, its floor kept in the kiosk store's settings. */
export function createKioskClock(store: KioskStoreOf<'settings'>, clock: Clock, logger: Logger): KioskClock {
  return new KioskClock({
    clock,
    floor: {
      load: () => {
        const v = Number(store.settings.extraMeta('clock_floor'));
        return Number.isFinite(v) && v > 0 ? v : undefined;
      },
      save: (ms) => {
        try {
          store.settings.setExtraMeta({ clock_floor: String(ms) });
        } catch (err) {
          // The floor only guards against a clock set back across a restart: a tap still goes ahead.
          logger.warn({ err }, 'saving the clock floor failed');
        }
      },
    },
  });
}

/** The event field for a stamp made while the kiosk's clock was in doubt (nothing when it was not). */
export function clockDoubt(reading: ClockReading): Pick<EventDraft, 'clockDoubt'> {
  return reading.doubt === undefined ? {} : { clockDoubt: reading.doubt };
}

/** Commits a stamp's reading; the raised floor goes into the event's own transaction (no extra write). */
export function floorMeta(time: KioskClock, reading: ClockReading): { clock_floor?: string } {
  const floor = time.commit(reading);
  return floor === undefined ? {} : { clock_floor: String(floor) };
}

/** Where a stamp's events go: the outbox, with the clock floor in the same transaction. */
export type StampStore = KioskTransactional & {
  readonly outbox: Pick<OutboxStore, 'append'>;
  readonly settings: Pick<SettingsStore, 'setExtraMeta'>;
};

/**
 * Stores a stamp's events and commits its reading: the raised floor is written in the events' own
 * transaction, so both survive or neither does. Returns the stored events.
 */
export function appendStamped(
  store: StampStore,
  time: KioskClock,
  reading: ClockReading,
  drafts: readonly EventDraft[],
  createdAt: Date,
): AttendanceEvent[] {
  const meta = floorMeta(time, reading);
  return store.transaction(() => {
    store.settings.setExtraMeta(meta);
    return store.outbox.append(drafts, createdAt);
  });
}
