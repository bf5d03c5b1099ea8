import type { EventStore } from '../../common/event-store.ts';
import { openCloudSqliteEventStore } from '../../cloud-relay/store/sqlite.ts';
import { openHubEventStore } from '../../edge-hub/store/event-store.ts';
import { openKioskEventStore } from '../../kiosk/main/store/event-store.ts';
import { tempDir } from '../support/process.ts';
import { describeEventStoreContract, type EventStoreHarness } from './event-store.ts';

/** Every event log in the system passes the same contract (PostgreSQL joins when its backend lands). */
const TZ = 'Asia/Tokyo';

function harness(open: (dir: string) => Promise<EventStore>) {
  return async (): Promise<EventStoreHarness> => {
    const dir = await tempDir('genkan-contract-');
    return { open: () => open(dir.path), cleanup: () => dir.remove() };
  };
}

describeEventStoreContract(
  'kiosk outbox (SQLite)',
  harness((dir) => Promise.resolve(openKioskEventStore(dir, TZ))),
);
describeEventStoreContract(
  'hub (SQLite)',
  harness((dir) => Promise.resolve(openHubEventStore(dir, TZ))),
);
describeEventStoreContract(
  'cloud (SQLite)',
  harness((dir) => openCloudSqliteEventStore(dir, 'f1', TZ)),
);
