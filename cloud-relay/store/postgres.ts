import { Pool } from 'pg';
import type { EventStore } from '../../common/event-store.ts';
import { GenkanError } from '../../common/errors.ts';
import { silentLogger, type Logger } from '../../common/logger.ts';
import { DEFAULT_TIME_ZONE, systemClock, type Clock } from '../../common/time.ts';
import type { CloudAggregates } from './aggregates.ts';
import { ComposedCloudStore } from './composed.ts';
import { openFacilityEventStore } from './event-store.ts';
import { migratePostgres, pgCloudMigrations } from './pg-migrations.ts';
import { PgAmendments } from './postgres/amendments.ts';
import { PgConnection } from './postgres/connection.ts';
import { PgEvents } from './postgres/events.ts';
import { PgFacilities } from './postgres/facilities.ts';
import { PgHubs } from './postgres/hubs.ts';
import { PgOrgs } from './postgres/orgs.ts';
import { PgFacilityNotices } from './postgres/facility-notices.ts';
import { PgParentNotices } from './postgres/parent-notices.ts';
import { PgParentPickups } from './postgres/parent-pickups.ts';
import { PgParents } from './postgres/parents.ts';
import { PgPush } from './postgres/push.ts';
import { PgRetention } from './postgres/retention.ts';
import { PgRollupInputs } from './postgres/rollup-inputs.ts';
import { PgSnapshots } from './postgres/snapshots.ts';
import { PgWebhooks } from './postgres/webhooks.ts';

export interface PostgresCloudStoreOptions {
  /** Defaults to a silent logger (tests, the EventStore adapter). */
  logger?: Logger;
  clock?: Clock;
  /** Connections in the pool; defaults to 10. */
  maxConnections?: number;
}

/** PostgreSQL refuses to open when commits could be acknowledged before they are durable. */
export const NOT_DURABLE = 'postgres_not_durable';

/** The aggregates of the PostgreSQL store (postgres/), all over the one pool. */
function postgresAggregates(conn: PgConnection): CloudAggregates {
  const facilities = new PgFacilities(conn);
  const hubs = new PgHubs(conn, facilities);
  return {
    connection: conn,
    facilities,
    hubs,
    orgs: new PgOrgs(conn, facilities),
    rollup: new PgRollupInputs(conn),
    events: new PgEvents(conn, facilities, hubs),
    snapshots: new PgSnapshots(conn, facilities, hubs),
    amendments: new PgAmendments(conn, hubs),
    retention: new PgRetention(conn),
    parents: new PgParents(conn),
    push: new PgPush(conn),
    parentNotices: new PgParentNotices(conn),
    pickups: new PgParentPickups(conn),
    facilityNotices: new PgFacilityNotices(conn),
    webhooks: new PgWebhooks(conn),
  };
}

/**
 * CloudStore on PostgreSQL, composed of one module per aggregate (postgres/) over one pool. Every call is
 * one statement (one round trip) or one transaction on one pooled connection; commits use the server's
 * synchronous_commit, which open() requires to be durable.
 */
export class PostgresCloudStore extends ComposedCloudStore {
  constructor(pool: Pool, logger: Logger, clock: Clock = systemClock) {
    super(postgresAggregates(new PgConnection(pool, logger, clock)));
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
