import type { EventStore } from '../../common/event-store.ts';
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
      const { accepted, duplicates } = await store.insertBatch(facilityId, uploaderId, events);
      return { inserted: accepted, duplicates };
    },
    eventsOn: (date) => store.eventsOn(facilityId, date),
    countEvents: () => store.countEvents(facilityId),
    close: () => store.close(),
  };
}
