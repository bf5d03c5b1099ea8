import { Pool } from 'pg';
import type { EventStore } from '../../common/event-store.ts';
import { GenkanError } from '../../common/errors.ts';
import { silentLogger, type Logger } from '../../common/logger.ts';
import { DEFAULT_TIME_ZONE, systemClock, type Clock } from '../../common/time.ts';
import type { AttendanceEvent } from '../../protocol/index.ts';
import type { FacilitySnapshot } from '../../protocol/ledger.ts';
import { openFacilityEventStore } from './event-store.ts';
import { migratePostgres, pgCloudMigrations } from './pg-migrations.ts';
import { PgConnection } from './postgres/connection.ts';
import { PgEvents } from './postgres/events.ts';
import { PgFacilities } from './postgres/facilities.ts';
import { PgHubs } from './postgres/hubs.ts';
import { PgOrgs } from './postgres/orgs.ts';
import { PgRollupInputs } from './postgres/rollup-inputs.ts';
import { PgSnapshots } from './postgres/snapshots.ts';
import type {
  BatchInsertResult,
  CloudStore,
  Facility,
  HubIdentity,
  OrgFacility,
  Organisation,
  RollupInput,
} from './types.ts';

export interface PostgresCloudStoreOptions {
  /** Defaults to a silent logger (tests, the EventStore adapter). */
  logger?: Logger;
  clock?: Clock;
  /** Connections in the pool; defaults to 10. */
  maxConnections?: number;
}

/** PostgreSQL refuses to open when commits could be acknowledged before they are durable. */
export const NOT_DURABLE = 'postgres_not_durable';

/**
 * CloudStore on PostgreSQL, composed of one module per aggregate (postgres/) over one pool. Every call is
 * one statement (one round trip) or one transaction on one pooled connection; commits use the server's
 * synchronous_commit, which open() requires to be durable.
 */
export class PostgresCloudStore implements CloudStore {
  private readonly conn: PgConnection;
  private readonly facilities: PgFacilities;
  private readonly hubs: PgHubs;
  private readonly orgs: PgOrgs;
  private readonly rollup: PgRollupInputs;
  private readonly events: PgEvents;
  private readonly snapshots: PgSnapshots;

  constructor(pool: Pool, logger: Logger, clock: Clock = systemClock) {
    this.conn = new PgConnection(pool, logger, clock);
    this.facilities = new PgFacilities(this.conn);
    this.hubs = new PgHubs(this.conn, this.facilities);
    this.orgs = new PgOrgs(this.conn, this.facilities);
    this.rollup = new PgRollupInputs(this.conn);
    this.events = new PgEvents(this.conn, this.facilities, this.hubs);
    this.snapshots = new PgSnapshots(this.conn, this.facilities, this.hubs);
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
    return this.conn.waitingForConnection();
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

/**
 * Connects to `url`, applies pending migrations (serialised across replicas by an advisory lock) and
 * checks that commits are durable: with synchronous_commit off, an acknowledged batch could be lost in a
 * server crash, which the hubs would never resend.
 */
export async function openCloudPostgresStore(
  url: string,
  options: PostgresCloudStoreOptions = {},
): Promise<PostgresCloudStore> {
  const logger = (options.logger ?? silentLogger()).child({ ns: 'cloud.store' });
  const pool = new Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    application_name: 'genkan-cloud',
  });
  // An idle pooled connection that dies (server restart) emits 'error'; unhandled, it would end the process.
  pool.on('error', (err) => {
    logger.warn({ err: err.message }, 'idle PostgreSQL connection lost');
  });
  try {
    const client = await pool.connect();
    try {
      const version = await migratePostgres(client, pgCloudMigrations);
      const { rows } = await client.query<{ synchronous_commit: string }>('SHOW synchronous_commit');
      if (rows[0]?.synchronous_commit === 'off') {
        throw new GenkanError(
          NOT_DURABLE,
          'synchronous_commit is off for this database or role; Genkan needs durable commits (set it to on)',
        );
      }
      logger.debug({ schemaVersion: version }, 'cloud store opened');
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end();
    throw err;
  }
  return new PostgresCloudStore(pool, logger, options.clock);
}

/**
 * The shared EventStore contract view of one facility in the PostgreSQL store: creates the facility with
 * `timeZone` when missing (refuses another zone for an existing one). Closing it closes the pool.
 */
export function openCloudPostgresEventStore(
  url: string,
  facilityId: string,
  timeZone: string = DEFAULT_TIME_ZONE,
): Promise<EventStore> {
  return openFacilityEventStore(() => openCloudPostgresStore(url), facilityId, timeZone);
}
