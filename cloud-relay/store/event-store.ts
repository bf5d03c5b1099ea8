import { GenkanError } from '../../common/errors.ts';
import type { EventStore } from '../../common/event-store.ts';
import { DEFAULT_TIME_ZONE } from '../../common/time.ts';
import { ErrorCodes } from '../../protocol/index.ts';
import type { CloudStore } from './types.ts';

/** Uploader recorded for events written through the EventStore adapter rather than by a hub. */
export const DIRECT_UPLOADER_ID = 'direct';

/**
 * The common EventStore view of one facility of a cloud store, for the shared event-store contract suite.
 * Takes ownership of `store`: closing the adapter closes it.
 */
export function facilityEventStore(
  store: CloudStore,
  facilityId: string,
  uploaderId: string = DIRECT_UPLOADER_ID,
): EventStore {
  return {
    insertEvents: async (events) => {
      const { accepted, duplicates, rejected } = await store.insertBatch(facilityId, uploaderId, events);
      // The EventStore contract has no per-event refusal: an event the database refused is an error of
      // the call (the others are stored, and a repeat reports them as duplicates).
      if (rejected.length > 0) {
        throw new GenkanError(
          ErrorCodes.storeError,
          `the database refused ${String(rejected.length)} event(s): ${rejected.map((r) => r.id ?? '?').join(', ')}`,
        );
      }
      return { inserted: accepted, duplicates };
    },
    eventsOn: (date) => store.eventsOn(facilityId, date),
    countEvents: () => store.countEvents(facilityId),
    close: () => store.close(),
  };
}

/**
 * The shared EventStore contract view of one facility of the store `open` opens (each backend's
 * openCloud…EventStore): creates the facility with `timeZone` when missing (refuses another zone for an
 * existing one) and closes the store when that fails. Closing the view closes the store.
 */
export async function openFacilityEventStore(
  open: () => Promise<CloudStore>,
  facilityId: string,
  timeZone: string = DEFAULT_TIME_ZONE,
): Promise<EventStore> {
  const store = await open();
  try {
    await store.ensureFacility(facilityId, timeZone);
  } catch (err) {
    await store.close();
    throw err;
  }
  return facilityEventStore(store, facilityId);
}
