import type { Logger } from '../../../common/logger.ts';
import type { Clock } from '../../../common/time.ts';
import { KioskClock, type ClockReading } from '../kiosk-clock.ts';
import type { EventDraft, KioskStore } from '../outbox.ts';

/** The time of stamps, QR expiry and the business day, its floor kept in the outbox store's meta table. */
export function createKioskClock(store: KioskStore, clock: Clock, logger: Logger): KioskClock {
  return new KioskClock({
    clock,
    floor: {
      load: () => {
        const v = Number(store.extraMeta('clock_floor'));
        return Number.isFinite(v) && v > 0 ? v : undefined;
      },
      save: (ms) => {
        try {
          store.setExtraMeta({ clock_floor: String(ms) });
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
