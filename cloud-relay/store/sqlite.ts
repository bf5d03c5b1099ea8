import { join } from 'node:path';
import type { EventStore } from '../../common/event-store.ts';
import { silentLogger, type Logger } from '../../common/logger.ts';
import { openDatabase, schemaVersion, type Db } from '../../common/sqlite.ts';
import { DEFAULT_TIME_ZONE, systemClock, type Clock } from '../../common/time.ts';
import type { AttendanceEvent } from '../../protocol/index.ts';
import type { FacilitySnapshot } from '../../protocol/ledger.ts';
import { openFacilityEventStore } from './event-store.ts';
import { cloudMigrations } from './migrations.ts';
import { settle, SqliteConnection } from './sqlite/connection.ts';
import { SqliteEvents } from './sqlite/events.ts';
import { SqliteFacilities } from './sqlite/facilities.ts';
import { SqliteHubs } from './sqlite/hubs.ts';
import { SqliteOrgs } from './sqlite/orgs.ts';
import { SqliteRollupInputs } from './sqlite/rollup-inputs.ts';
import { SqliteSnapshots } from './sqlite/snapshots.ts';
import type {
  BatchInsertResult,
  CloudStore,
  Facility,
  HubIdentity,
  OrgFacility,
  Organisation,
  RollupInput,
} from './types.ts';

/** The cloud database inside the data directory. */
export const CLOUD_DB_FILE = 'cloud.sqlite';

export interface SqliteCloudStoreOptions {
  /** Defaults to a silent logger (tests, the EventStore adapter). */
  logger?: Logger;
  clock?: Clock;
}

/**
 * CloudStore on one SQLite file (WAL, synchronous=FULL: a commit is on disk before a call resolves),
 * composed of one module per aggregate (sqlite/) over the one database. A CLI process and the running
 * server may share the file; nothing is cached, so a token added or rotated by `genkan cloud hub add`
 * takes effect on the server's next request.
 */
export class SqliteCloudStore implements CloudStore {
  private readonly conn: SqliteConnection;
  private readonly facilities: SqliteFacilities;
  private readonly hubs: SqliteHubs;
  private readonly orgs: SqliteOrgs;
  private readonly rollup: SqliteRollupInputs;
  private readonly events: SqliteEvents;
  private readonly snapshots: SqliteSnapshots;

  constructor(db: Db, logger: Logger, clock: Clock = systemClock) {
    this.conn = new SqliteConnection(db, logger, clock);
    this.facilities = new SqliteFacilities(this.conn);
    this.hubs = new SqliteHubs(this.conn, this.facilities);
    this.orgs = new SqliteOrgs(this.conn, this.facilities);
    this.rollup = new SqliteRollupInputs(this.conn);
    this.events = new SqliteEvents(this.conn, this.facilities, this.hubs);
    this.snapshots = new SqliteSnapshots(this.conn, this.facilities, this.hubs);
  }

  addHub(hubId: string, facilityId: string, timeZone?: string): Promise<string> {
    return this.hubs.addHub(hubId, facilityId, timeZone);
  }

  authenticateHub(token: string): Promise<HubIdentity | undefined> {
    return this.hubs.authenticateHub(token);
  }

  rotateHub(hubId: string, graceMs: number): Promise<string> {
    return this.hubs.rotateHub(hubId, graceMs);
  }

  revokeHub(hubId: string): Promise<void> {
    return this.hubs.revokeHub(hubId);
  }

  addOrganisation(orgId: string, name: string): Promise<Organisation> {
    return this.orgs.addOrganisation(orgId, name);
  }

  getOrganisation(orgId: string): Promise<Organisation | undefined> {
    return this.orgs.getOrganisation(orgId);
  }

  addFacility(facilityId: string, orgId: string, timeZone?: string): Promise<Facility> {
    return this.orgs.addFacility(facilityId, orgId, timeZone);
  }

  facilityOrg(facilityId: string): Promise<string | null | undefined> {
    return this.orgs.facilityOrg(facilityId);
  }

  issueOrgToken(orgId: string): Promise<string> {
    return this.orgs.issueOrgToken(orgId);
  }

  revokeOrgTokens(orgId: string): Promise<number> {
    return this.orgs.revokeOrgTokens(orgId);
  }

  authenticateOrg(token: string): Promise<string | undefined> {
    return this.orgs.authenticateOrg(token);
  }

  orgFacilities(orgId: string): Promise<OrgFacility[]> {
    return this.orgs.orgFacilities(orgId);
  }

  orgRollupInputs(orgId: string, date: string): Promise<RollupInput[]> {
    return this.rollup.orgRollupInputs(orgId, date);
  }

  ping(): Promise<void> {
    return this.conn.ping();
  }

  waitingForConnection(): number {
    return 0;
  }

  ensureFacility(facilityId: string, timeZone?: string): Promise<Facility> {
    return this.facilities.ensureFacility(facilityId, timeZone);
  }

  getFacility(facilityId: string): Promise<Facility | undefined> {
    return this.facilities.getFacility(facilityId);
  }

  insertBatch(
    facilityId: string,
    hubId: string,
    events: readonly AttendanceEvent[],
  ): Promise<BatchInsertResult> {
    return this.events.insertBatch(facilityId, hubId, events);
  }

  eventsOn(facilityId: string, date: string): Promise<AttendanceEvent[]> {
    return this.events.eventsOn(facilityId, date);
  }

  ledgerEvents(facilityId: string, from: string, to: string): Promise<AttendanceEvent[]> {
    return this.events.ledgerEvents(facilityId, from, to);
  }

  putSnapshot(facilityId: string, hubId: string, snapshot: FacilitySnapshot): Promise<void> {
    return this.snapshots.putSnapshot(facilityId, hubId, snapshot);
  }

  getSnapshot(facilityId: string): Promise<FacilitySnapshot | undefined> {
    return this.snapshots.getSnapshot(facilityId);
  }

  countEvents(facilityId?: string): Promise<number> {
    return this.events.countEvents(facilityId);
  }

  close(): Promise<void> {
    return this.conn.close();
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
