import type { EventStore, InsertResult } from '../../common/event-store.ts';
import { ValidationError } from '../../common/errors.ts';
import { describeIssues, ErrorCodes, EventSchema } from '../../protocol/index.ts';
import { HubStore } from './hub-store.ts';

/**
 * The hub store behind the shared EventStore contract (test/contract/event-store.ts). Unlike ingest it
 * does no roster checks: it is the storage layer only. Events are validated against the protocol
 * schema; one bad event rejects the whole call and stores nothing.
 */
export function openHubEventStore(dataDir: string, timeZone: string): EventStore {
  const store = HubStore.open(dataDir, { timeZone });
  // The Promise constructor turns a synchronous throw into a rejection.
  const settle = <T>(fn: () => T) =>
    new Promise<T>((resolve) => {
      resolve(fn());
    });
  return {
    insertEvents: (events) =>
      settle(() => {
        for (const e of events) {
          const r = EventSchema.safeParse(e);
          if (!r.success)
            throw new ValidationError(ErrorCodes.invalidEvent, describeIssues(r.error), 'events');
        }
        const out = store.events.insertEvents(events);
        const result: InsertResult = {
          inserted: out.inserted.map((s) => s.event.id),
          duplicates: out.duplicates,
        };
        return result;
      }),
    eventsOn: (date) => settle(() => store.events.eventsOn(date)),
    countEvents: () => settle(() => store.events.countEvents()),
    close: () =>
      settle(() => {
        store.close();
      }),
  };
}
