import { join } from 'node:path';
import type { EventStore } from '../../common/event-store.ts';
import { silentLogger, type Logger } from '../../common/logger.ts';
import { openDatabase, schemaVersion, type Db } from '../../common/sqlite.ts';
import { DEFAULT_TIME_ZONE, systemClock, type Clock } from '../../common/time.ts';
import type { CloudAggregates } from './aggregates.ts';
import { ComposedCloudStore } from './composed.ts';
import { openFacilityEventStore } from './event-store.ts';
import { cloudMigrations } from './migrations.ts';
import { SqliteAmendments } from './sqlite/amendments.ts';
import { settle, SqliteConnection } from './sqlite/connection.ts';
import { SqliteEvents } from './sqlite/events.ts';
import { SqliteFacilities } from './sqlite/facilities.ts';
import { SqliteHubs } from './sqlite/hubs.ts';
import { SqliteRetention } from './sqlite/retention.ts';
import { SqliteOrgs } from './sqlite/orgs.ts';
import { SqliteFacilityNotices } from './sqlite/facility-notices.ts';
import { SqliteParentNotices } from './sqlite/parent-notices.ts';
import { SqliteParentPickups } from './sqlite/parent-pickups.ts';
import { SqliteParents } from './sqlite/parents.ts';
import { SqlitePush } from './sqlite/push.ts';
import { SqliteRollupInputs } from './sqlite/rollup-inputs.ts';
import { SqliteSnapshots } from './sqlite/snapshots.ts';
import { SqliteWebhooks } from './sqlite/webhooks.ts';

/** The cloud database inside the data directory. */
export const CLOUD_DB_FILE = 'cloud.sqlite';

export interface SqliteCloudStoreOptions {
  /** Defaults to a silent logger (tests, the EventStore adapter). */
  logger?: Logger;
  clock?: Clock;
}

/** The aggregates of the SQLite store (sqlite/), all over the one database. */
function sqliteAggregates(conn: SqliteConnection): CloudAggregates {
  const facilities = new SqliteFacilities(conn);
  const hubs = new SqliteHubs(conn, facilities);
  return {
    connection: conn,
    facilities,
    hubs,
    orgs: new SqliteOrgs(conn, facilities),
    rollup: new SqliteRollupInputs(conn),
    events: new SqliteEvents(conn, facilities, hubs),
    snapshots: new SqliteSnapshots(conn, facilities, hubs),
    amendments: new SqliteAmendments(conn, facilities, hubs),
    retention: new SqliteRetention(conn),
    parents: new SqliteParents(conn, facilities),
    push: new SqlitePush(conn),
    parentNotices: new SqliteParentNotices(conn, facilities),
    pickups: new SqliteParentPickups(conn, facilities),
    facilityNotices: new SqliteFacilityNotices(conn, facilities),
    webhooks: new SqliteWebhooks(conn, facilities),
  };
}

/**
 * CloudStore on one SQLite file (WAL, synchronous=FULL: a commit is on disk before a call resolves),
 * composed of one module per aggregate (sqlite/) over the one database. A CLI process and the running
 * server may share the file; nothing is cached, so a token added or rotated by `genkan cloud hub add`
 * takes effect on the server's next request.
 */
export class SqliteCloudStore extends ComposedCloudStore {
  constructor(db: Db, logger: Logger, clock: Clock = systemClock) {
    super(sqliteAggregates(new SqliteConnection(db, logger, clock)));
  }
}

/** Opens (creating and migrating as needed) DATA/cloud.sqlite. */
export function openCloudSqliteStore(
  dataDir: string,
  options: SqliteCloudStoreOptions = {},
): Promise<SqliteCloudStore> {
  return settle(() => {
    const logger = (options.logger ?? silentLogger()).child({ ns: 'cloud.store' });
    const db = openDatabase(join(dataDir, CLOUD_DB_FILE), { migrations: cloudMigrations });
    logger.debug({ schemaVersion: schemaVersion(db) }, 'cloud store opened');
    return new SqliteCloudStore(db, logger, options.clock);
  });
}

/**
 * The shared EventStore contract view of one facility in DATA/cloud.sqlite: creates the facility with
 * `timeZone` when missing (refuses another zone for an existing one). Closing it closes the file.
 */
export function openCloudSqliteEventStore(
  dataDir: string,
  facilityId: string,
  timeZone: string = DEFAULT_TIME_ZONE,
): Promise<EventStore> {
  return openFacilityEventStore(() => openCloudSqliteStore(dataDir), facilityId, timeZone);
}
