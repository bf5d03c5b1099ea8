import type { EventStore } from '../../../common/event-store.ts';
import { systemClock, type Clock } from '../../../common/time.ts';
import { KioskStore } from './kiosk-store.ts';

/**
 * The kiosk outbox behind the shared EventStore contract (test/contract/event-store.ts): events are
 * stored as outbox rows in DIR/kiosk.sqlite, and eventsOn reads business dates in `timeZone`.
 */
export function openKioskEventStore(dir: string, timeZone: string, clock: Clock = systemClock): EventStore {
  const store = KioskStore.open(dir);
  const { outbox } = store;
  // The Promise executor turns a synchronous throw into a rejection, as callers of an async API expect.
  const later = <T>(fn: () => T) =>
    new Promise<T>((resolve) => {
      resolve(fn());
    });
  return {
    insertEvents: (events) => later(() => outbox.insertEvents(events, clock.now())),
    eventsOn: (date) => later(() => outbox.eventsOn(date, timeZone)),
    countEvents: () => later(() => outbox.counts().total),
    close: () =>
      later(() => {
        store.close();
      }),
  };
}
