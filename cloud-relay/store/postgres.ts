import { DatabaseError, Pool, type ClientBase, type PoolClient } from 'pg';
import { eventFromColumns, type EventColumns, type EventStore } from '../../common/event-store.ts';
import { GenkanError, NotFoundError } from '../../common/errors.ts';
import { silentLogger, type Logger } from '../../common/logger.ts';
import { DEFAULT_TIME_ZONE, LocalDates, systemClock, type Clock } from '../../common/time.ts';
import type { AttendanceEvent } from '../../protocol/index.ts';
import type { FacilitySnapshot } from '../../protocol/ledger.ts';
import { CloudErrorCodes, ConflictError } from '../errors.ts';
import { openFacilityEventStore } from './event-store.ts';
import { EVENT_COLUMN_NAMES, instantKey } from './events.ts';
import { canonicalTimeZone, checkDate, checkId } from './inputs.ts';
import { migratePostgres, pgCloudMigrations } from './pg-migrations.ts';
import { checkDateRange, checkSnapshotZone, snapshotFromText, snapshotText } from './snapshots.ts';
import { hashToken, hubIdOfToken, newHubToken, sameDigest } from './tokens.ts';
import type { BatchInsertResult, CloudStore, Facility, HubIdentity } from './types.ts';

export interface PostgresCloudStoreOptions {
  /** Defaults to a silent logger (tests, the EventStore adapter). */
  logger?: Logger;
  clock?: Clock;
  /** Connections in the pool; defaults to 10. */
  maxConnections?: number;
}

/** PostgreSQL refuses to open when commits could be acknowledged before they are durable. */
export const NOT_DURABLE = 'postgres_not_durable';

type EventRow = Omit<EventColumns, 'seq'> & { seq: string };

const EVENT_COLUMNS = EVENT_COLUMN_NAMES.join(', ');

/**
 * The events of a date range, then the voids dated outside it of events inside it (through
 * events_by_voided, hence the collation of the comparison). A void names one event, so the join adds
 * each void at most once.
 */
const LEDGER_EVENTS = `
  SELECT ${EVENT_COLUMNS}, occurred_ms, occurred_sub_ms FROM events
  WHERE facility_id = $1 AND local_date BETWEEN $2::date AND $3::date
  UNION ALL
  SELECT ${EVENT_COLUMN_NAMES.map((c) => `v.${c}`).join(', ')}, v.occurred_ms, v.occurred_sub_ms
  FROM events t JOIN events v ON v.facility_id = t.facility_id AND (v.voids COLLATE "C") = t.id
  WHERE t.facility_id = $1 AND t.local_date BETWEEN $2::date AND $3::date
    AND v.voids IS NOT NULL AND v.local_date NOT BETWEEN $2::date AND $3::date
  ORDER BY occurred_ms, occurred_sub_ms, device_id, seq, id`;

/**
 * Stores the snapshot only while the facility has the zone the caller checked against; no row comes
 * back when the facility does not exist (zones never change, so that is the only other outcome).
 */
const PUT_SNAPSHOT = `
  INSERT INTO facility_snapshots (facility_id, snapshot, hub_id, updated_at)
  SELECT facility_id, $2, $3, $4 FROM facilities WHERE facility_id = $1
  ON CONFLICT (facility_id) DO UPDATE SET snapshot = EXCLUDED.snapshot, hub_id = EXCLUDED.hub_id,
    updated_at = EXCLUDED.updated_at
  RETURNING facility_id`;

/** deadlock_detected: retried, since an aborted statement wrote nothing. */
const DEADLOCK = '40P01';
const DEADLOCK_RETRIES = 3;

/**
 * The whole batch in one statement: one array parameter per column, unnested with the input position.
 * DISTINCT ON keeps the first copy of an id repeated in the batch, and inserts in id order, so that two
 * concurrent batches sharing ids take their row locks in the same order and cannot deadlock. ON CONFLICT
 * makes a concurrent or earlier insert of the same (facility, id) a no-op; RETURNING says which ids this
 * statement stored.
 */
const INSERT_BATCH = `
  INSERT INTO events (facility_id, ${EVENT_COLUMNS}, occurred_ms, occurred_sub_ms, local_date, hub_id,
    received_at)
  SELECT DISTINCT ON (id) $1, id, type, child_id, occurred_at, device_id, seq, method, actor, voids, note,
    occurred_ms, occurred_sub_ms, local_date, $2, $3
  FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::text[],
      $11::text[], $12::text[], $13::text[], $14::bigint[], $15::integer[], $16::date[])
    WITH ORDINALITY AS input (id, type, child_id, occurred_at, device_id, seq, method, actor, voids, note,
      occurred_ms, occurred_sub_ms, local_date, ord)
  ORDER BY id, ord
  ON CONFLICT (facility_id, id) DO NOTHING
  RETURNING id`;

/**
 * Creates the facility when missing and returns it either way, in one statement. When another transaction
 * inserts the same facility concurrently, ON CONFLICT waits for it but the statement's snapshot predates
 * its commit, so no row comes back; the caller then runs the statement again.
 */
const ENSURE_FACILITY = `
  WITH created AS (
    INSERT INTO facilities (facility_id, time_zone, created_at) VALUES ($1, $2, $3)
    ON CONFLICT (facility_id) DO NOTHING
    RETURNING time_zone
  )
  SELECT time_zone, true AS created FROM created
  UNION ALL
  SELECT time_zone, false AS created FROM facilities WHERE facility_id = $1`;

type Queryable = Pick<ClientBase, 'query'>;

/**
 * CloudStore on PostgreSQL. Every call is one statement (one round trip) or one transaction on one pooled
 * connection; commits use the server's synchronous_commit, which open() requires to be durable.
 * Nothing about hubs is cached, so a token rotated by another process takes effect at once. Facility time
 * zones are cached: they never change once created (see ensureFacility), and facilities are never deleted.
 */
export class PostgresCloudStore implements CloudStore {
  private readonly pool: Pool;
  private readonly log: Logger;
  private readonly clock: Clock;
  private closed = false;
  private readonly zones = new Map<string, { timeZone: string; dates: LocalDates }>();

  constructor(pool: Pool, logger: Logger, clock: Clock = systemClock) {
    this.pool = pool;
    this.log = logger;
    this.clock = clock;
  }

  async addHub(hubId: string, facilityId: string, timeZone?: string): Promise<string> {
    this.checkOpen();
    checkId(hubId, 'hubId');
    checkId(facilityId, 'facilityId');
    const zone = timeZone === undefined ? undefined : canonicalTimeZone(timeZone);
    const token = newHubToken(hubId);
    const hash = hashToken(token);
    const now = this.clock.now().toISOString();
    const { created, rotated } = await this.transaction(async (client) => {
      // Row lock on an existing hub: a concurrent add of the same hub waits, then sees this one's result.
      const existing = await client.query<{ facility_id: string }>(
        'SELECT facility_id FROM hubs WHERE hub_id = $1 FOR UPDATE',
        [hubId],
      );
      const owner = existing.rows[0]?.facility_id;
      if (owner !== undefined && owner !== facilityId) throw hubMismatch(hubId, facilityId, owner);
      const facility = await this.ensureFacilityOn(client, facilityId, zone);
      // The WHERE guards against a hub created under another facility since the SELECT above.
      const upsert = await client.query<{ inserted: boolean }>(
        `INSERT INTO hubs (hub_id, facility_id, token_hash, created_at, token_issued_at)
         VALUES ($1, $2, $3, $4, $4)
         ON CONFLICT (hub_id) DO UPDATE SET token_hash = EXCLUDED.token_hash,
           token_issued_at = EXCLUDED.token_issued_at
         WHERE hubs.facility_id = EXCLUDED.facility_id
         RETURNING (xmax = 0) AS inserted`,
        [hubId, facilityId, hash, now],
      );
      const row = upsert.rows[0];
      if (row === undefined) throw hubMismatch(hubId, facilityId);
      return { created: facility.created, rotated: !row.inserted };
    });
    if (created) this.log.info({ facilityId }, 'facility added');
    this.log.info({ hubId, facilityId }, rotated ? 'hub token rotated' : 'hub added');
    return token;
  }

  async authenticateHub(token: string): Promise<HubIdentity | undefined> {
    this.checkOpen();
    const hubId = hubIdOfToken(token);
    if (hubId === undefined) return undefined;
    const { rows } = await this.pool.query<{ facility_id: string; token_hash: Buffer }>(
      'SELECT facility_id, token_hash FROM hubs WHERE hub_id = $1',
      [hubId],
    );
    const row = rows[0];
    // Look up by id, then compare digests in constant time: no timing signal on how much matched.
    if (row === undefined || !sameDigest(hashToken(token), row.token_hash)) return undefined;
    return { hubId, facilityId: row.facility_id };
  }

  async ensureFacility(facilityId: string, timeZone?: string): Promise<Facility> {
    this.checkOpen();
    checkId(facilityId, 'facilityId');
    const zone = timeZone === undefined ? undefined : canonicalTimeZone(timeZone);
    const { created, ...facility } = await this.ensureFacilityOn(this.pool, facilityId, zone);
    if (created) this.log.info({ facilityId }, 'facility added');
    return facility;
  }

  async getFacility(facilityId: string): Promise<Facility | undefined> {
    this.checkOpen();
    const { rows } = await this.pool.query<{ time_zone: string }>(
      'SELECT time_zone FROM facilities WHERE facility_id = $1',
      [facilityId],
    );
    const row = rows[0];
    return row === undefined ? undefined : { facilityId, timeZone: row.time_zone };
  }

  async insertBatch(
    facilityId: string,
    hubId: string,
    events: readonly AttendanceEvent[],
  ): Promise<BatchInsertResult> {
    this.checkOpen();
    checkId(facilityId, 'facilityId');
    checkId(hubId, 'hubId');
    // Every instant is checked before anything is sent: a bad event fails the call with nothing written.
    const keyed = events.map((e) => ({ e, key: instantKey(e.occurredAt) }));
    const dates = await this.localDatesOf(facilityId);
    if (events.length === 0) return { accepted: [], duplicates: [] };
    const column = <T>(pick: (row: (typeof keyed)[number]) => T): T[] => keyed.map(pick);
    const params = [
      facilityId,
      hubId,
      this.clock.now().toISOString(),
      column(({ e }) => e.id),
      column(({ e }) => e.type),
      column(({ e }) => e.childId),
      column(({ e }) => e.occurredAt),
      column(({ e }) => e.deviceId),
      column(({ e }) => e.seq),
      column(({ e }) => e.method),
      column(({ e }) => e.actor),
      column(({ e }) => e.voids ?? null),
      column(({ e }) => e.note ?? null),
      column(({ key }) => key.ms),
      column(({ key }) => key.subMs),
      column(({ key }) => dates.of(new Date(key.ms))),
    ];
    const { rows } = await this.withDeadlockRetry(() =>
      this.pool.query<{ id: string }>(INSERT_BATCH, params),
    );
    // Classified in input order: a stored id is accepted the first time it appears, any other copy is a
    // duplicate, so every input event lands in exactly one list.
    const stored = new Set(rows.map((r) => r.id));
    const result: BatchInsertResult = { accepted: [], duplicates: [] };
    for (const e of events) {
      if (stored.delete(e.id)) result.accepted.push(e.id);
      else result.duplicates.push(e.id);
    }
    return result;
  }

  async eventsOn(facilityId: string, date: string): Promise<AttendanceEvent[]> {
    this.checkOpen();
    checkDate(date);
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE facility_id = $1 AND local_date = $2::date
       ORDER BY occurred_ms, occurred_sub_ms, device_id, seq, id`,
      [facilityId, date],
    );
    // bigint comes back as text; seq is a safe integer by the protocol's schema.
    return rows.map((r) => eventFromColumns({ ...r, seq: Number(r.seq) }));
  }

  async ledgerEvents(facilityId: string, from: string, to: string): Promise<AttendanceEvent[]> {
    this.checkOpen();
    checkDateRange(from, to);
    const { rows } = await this.pool.query<EventRow>(LEDGER_EVENTS, [facilityId, from, to]);
    return rows.map((r) => eventFromColumns({ ...r, seq: Number(r.seq) }));
  }

  async putSnapshot(facilityId: string, hubId: string, snapshot: FacilitySnapshot): Promise<void> {
    this.checkOpen();
    checkId(facilityId, 'facilityId');
    checkId(hubId, 'hubId');
    const text = snapshotText(facilityId, snapshot);
    // The zone is checked from the cache (a facility's zone never changes); the statement itself
    // fails to insert when the facility does not exist.
    checkSnapshotZone(await this.facilityOf(facilityId), snapshot);
    const { rows } = await this.pool.query(PUT_SNAPSHOT, [
      facilityId,
      text,
      hubId,
      this.clock.now().toISOString(),
    ]);
    if (rows.length === 0) {
      throw new NotFoundError(CloudErrorCodes.unknownFacility, `unknown facility ${facilityId}`);
    }
  }

  async getSnapshot(facilityId: string): Promise<FacilitySnapshot | undefined> {
    this.checkOpen();
    const { rows } = await this.pool.query<{ snapshot: string }>(
      'SELECT snapshot FROM facility_snapshots WHERE facility_id = $1',
      [facilityId],
    );
    const row = rows[0];
    return row === undefined ? undefined : snapshotFromText(row.snapshot);
  }

  async countEvents(facilityId?: string): Promise<number> {
    this.checkOpen();
    const { rows } =
      facilityId === undefined
        ? await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM events')
        : await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM events WHERE facility_id = $1', [
            facilityId,
          ]);
    return Number(rows[0]?.n ?? 0);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private checkOpen(): void {
    if (this.closed) throw new GenkanError('store_closed', 'the cloud store is closed');
  }

  /** The business-date function of a stored facility; NotFoundError when it does not exist. */
  private async localDatesOf(facilityId: string): Promise<LocalDates> {
    return (await this.zoneOf(facilityId)).dates;
  }

  /** A stored facility, from the cache when seen before; NotFoundError when it does not exist. */
  private async facilityOf(facilityId: string): Promise<Facility> {
    return { facilityId, timeZone: (await this.zoneOf(facilityId)).timeZone };
  }

  private async zoneOf(facilityId: string): Promise<{ timeZone: string; dates: LocalDates }> {
    const cached = this.zones.get(facilityId);
    if (cached !== undefined) return cached;
    const facility = await this.getFacility(facilityId);
    if (facility === undefined) {
      throw new NotFoundError(CloudErrorCodes.unknownFacility, `unknown facility ${facilityId}`);
    }
    return this.remember(facility);
  }

  private remember(facility: Facility): { timeZone: string; dates: LocalDates } {
    let zone = this.zones.get(facility.facilityId);
    if (zone === undefined) {
      zone = { timeZone: facility.timeZone, dates: new LocalDates(facility.timeZone) };
      this.zones.set(facility.facilityId, zone);
    }
    return zone;
  }

  private async ensureFacilityOn(
    db: Queryable,
    facilityId: string,
    zone: string | undefined,
  ): Promise<Facility & { created: boolean }> {
    // A second attempt always sees the row (a new statement, a new snapshot); the bound is only a guard.
    for (let attempt = 1; attempt <= 3; attempt++) {
      const { rows } = await db.query<{ time_zone: string; created: boolean }>(ENSURE_FACILITY, [
        facilityId,
        zone ?? DEFAULT_TIME_ZONE,
        this.clock.now().toISOString(),
      ]);
      const row = rows[0];
      if (row === undefined) continue; // created concurrently, committed after this statement's snapshot
      // Business dates are derived with the zone at insert time, so it cannot change under stored events.
      if (zone !== undefined && zone !== row.time_zone) {
        throw new ConflictError(
          CloudErrorCodes.timeZoneMismatch,
          `facility ${facilityId} uses time zone ${row.time_zone}, not ${zone}`,
        );
      }
      const facility = { facilityId, timeZone: row.time_zone };
      this.remember(facility);
      return { ...facility, created: row.created };
    }
    throw new GenkanError('facility_race', `facility ${facilityId} could not be read after creation`);
  }

  /** Runs `work` in one transaction on one pooled connection; any throw rolls it back. */
  private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        // A connection that cannot roll back is discarded rather than returned to the pool.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw err;
    } finally {
      client.release(broken);
    }
  }

  private async withDeadlockRetry<T>(statement: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await statement();
      } catch (err) {
        if (!(err instanceof DatabaseError && err.code === DEADLOCK) || attempt >= DEADLOCK_RETRIES)
          throw err;
        this.log.warn({ attempt }, 'batch insert deadlocked; retrying');
      }
    }
  }
}

function hubMismatch(hubId: string, facilityId: string, owner?: string): ConflictError {
  return new ConflictError(
    CloudErrorCodes.hubFacilityMismatch,
    `hub ${hubId} belongs to ${owner === undefined ? 'another facility' : `facility ${owner}`}, not ${facilityId}`,
  );
}

/** True for the URLs openCloudPostgresStore accepts (postgres:// or postgresql://). */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(value);
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
