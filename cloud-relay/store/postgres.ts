import { DatabaseError, Pool, type ClientBase, type PoolClient } from 'pg';
import { eventFromColumns, type EventColumns, type EventStore } from '../../common/event-store.ts';
import { ConflictError, GenkanError, NotFoundError } from '../../common/errors.ts';
import { silentLogger, type Logger } from '../../common/logger.ts';
import { hashToken } from '../../common/secrets.ts';
import { DEFAULT_TIME_ZONE, LocalDates, systemClock, type Clock } from '../../common/time.ts';
import { ErrorCodes, type AttendanceEvent, type Rejection } from '../../protocol/index.ts';
import type { FacilitySnapshot } from '../../protocol/ledger.ts';
import { CloudErrorCodes } from '../errors.ts';
import { openFacilityEventStore } from './event-store.ts';
import { deriveRow, EVENT_COLUMN_NAMES, instantKey, storeRejection, type InstantKey } from './events.ts';
import { canonicalTimeZone, checkDate, checkId, checkName } from './inputs.ts';
import { assembleOrgFacilities, assembleRollupInputs, orgMismatch, unknownOrg } from './orgs.ts';
import { migratePostgres, pgCloudMigrations } from './pg-migrations.ts';
import { checkDateRange, checkSnapshotZone, snapshotFromText, snapshotText } from './snapshots.ts';
import { hubIdOfToken, hubTokenVerdict, newHubToken } from './tokens.ts';
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

type EventRow = Omit<EventColumns, 'seq'> & { seq: string };

/** An event of a batch with what its row is derived from, and its position in the batch. */
interface PgRow {
  e: AttendanceEvent;
  index: number;
  key: InstantKey;
  date: string;
}

/** What became of one event of a batch. */
type Outcome = 'accepted' | 'duplicate' | Rejection;

/**
 * SQLSTATE classes 22 (data exception: a value out of range, a malformed date, a NUL in text) and 23
 * (integrity constraint violation: CHECK, NOT NULL, a trigger's refusal coded so): the event's own
 * fault. Every other error (connection, resources, locks, serialization, a bug in a statement) says
 * nothing against the event, so it fails the call for a resend.
 */
function isDataError(err: unknown): err is DatabaseError & { code: string } {
  return err instanceof DatabaseError && err.code !== undefined && /^2[23]/.test(err.code);
}

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

/**
 * deadlock_detected and serialization_failure (what SERIALIZABLE databases such as CockroachDB answer to
 * conflicting writers): retried, since an aborted transaction wrote nothing.
 */
const RETRYABLE = new Set(['40P01', '40001']);
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
    clock_doubt, occurred_ms, occurred_sub_ms, local_date, $2, $3
  FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::text[],
      $11::text[], $12::text[], $13::text[], $14::text[], $15::bigint[], $16::integer[], $17::date[])
    WITH ORDINALITY AS input (id, type, child_id, occurred_at, device_id, seq, method, actor, voids, note,
      clock_doubt, occurred_ms, occurred_sub_ms, local_date, ord)
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

/** The date's events of every facility of an organisation, plus voids dated later of those events. */
const ORG_DAY_EVENTS = `
  SELECT e.facility_id, ${EVENT_COLUMN_NAMES.map((c) => `e.${c}`).join(', ')}
  FROM facilities f JOIN events e ON e.facility_id = f.facility_id AND e.local_date = $2::date
  WHERE f.org_id = $1
  UNION ALL
  SELECT v.facility_id, ${EVENT_COLUMN_NAMES.map((c) => `v.${c}`).join(', ')}
  FROM facilities f
    JOIN events t ON t.facility_id = f.facility_id AND t.local_date = $2::date
    JOIN events v ON v.facility_id = t.facility_id AND (v.voids COLLATE "C") = t.id
  WHERE f.org_id = $1 AND v.voids IS NOT NULL AND v.local_date <> $2::date`;

const iso = (value: Date | null): string | null => (value === null ? null : value.toISOString());

/** INSERT_BATCH's parameters for `rows`: one array per column. */
function batchParams(
  facilityId: string,
  hubId: string,
  receivedAt: string,
  rows: readonly PgRow[],
): unknown[] {
  const column = <T>(pick: (row: PgRow) => T): T[] => rows.map(pick);
  return [
    facilityId,
    hubId,
    receivedAt,
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
    column(({ e }) => e.clockDoubt ?? null),
    column(({ key }) => key.ms),
    column(({ key }) => key.subMs),
    column(({ date }) => date),
  ];
}

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
           token_issued_at = EXCLUDED.token_issued_at, prev_token_hash = NULL,
           prev_token_expires_at = NULL, revoked_at = NULL
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
    const { rows } = await this.pool.query<{
      facility_id: string;
      token_hash: Buffer;
      prev_token_hash: Buffer | null;
      prev_token_expires_at: Date | null;
      revoked: boolean;
    }>(
      `SELECT facility_id, token_hash, prev_token_hash, prev_token_expires_at, revoked_at IS NOT NULL AS revoked
       FROM hubs WHERE hub_id = $1`,
      [hubId],
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    // Looked up by id, then digests compared in constant time: no timing signal on how much matched.
    const verdict = hubTokenVerdict(
      token,
      {
        tokenHash: row.token_hash,
        prevTokenHash: row.prev_token_hash,
        prevExpiresMs: row.prev_token_expires_at?.getTime() ?? null,
        revoked: row.revoked,
      },
      this.clock.now().getTime(),
    );
    if (verdict === undefined) return undefined;
    // The hub now uses its new token: the previous one has served its purpose. The token_hash guard
    // keeps a rotation made meanwhile by another process intact.
    if (verdict === 'current' && row.prev_token_hash !== null) {
      await this.pool.query(
        `UPDATE hubs SET prev_token_hash = NULL, prev_token_expires_at = NULL
         WHERE hub_id = $1 AND token_hash = $2 AND prev_token_hash IS NOT NULL`,
        [hubId, row.token_hash],
      );
      this.log.info({ hubId }, 'hub uses its rotated token; previous token retired');
    }
    return { hubId, facilityId: row.facility_id };
  }

  async rotateHub(hubId: string, graceMs: number): Promise<string> {
    this.checkOpen();
    checkId(hubId, 'hubId');
    const token = newHubToken(hubId);
    const now = this.clock.now();
    const expires = new Date(now.getTime() + Math.max(0, graceMs));
    // Right-hand sides see the row before the update: the current token becomes the previous one,
    // unless the hub was revoked (then no earlier token comes back).
    const { rowCount } = await this.pool.query(
      `UPDATE hubs SET
         prev_token_hash = CASE WHEN revoked_at IS NULL THEN token_hash END,
         prev_token_expires_at = CASE WHEN revoked_at IS NULL THEN $3::timestamptz END,
         token_hash = $1, token_issued_at = $2, revoked_at = NULL
       WHERE hub_id = $4`,
      [hashToken(token), now.toISOString(), expires.toISOString(), hubId],
    );
    if (rowCount === 0) throw new NotFoundError(CloudErrorCodes.unknownHub, `unknown hub ${hubId}`);
    this.log.info({ hubId, graceMs }, 'hub token rotated with grace period');
    return token;
  }

  async revokeHub(hubId: string): Promise<void> {
    this.checkOpen();
    checkId(hubId, 'hubId');
    const { rowCount } = await this.pool.query(
      `UPDATE hubs SET revoked_at = $1, prev_token_hash = NULL, prev_token_expires_at = NULL
       WHERE hub_id = $2`,
      [this.clock.now().toISOString(), hubId],
    );
    if (rowCount === 0) throw new NotFoundError(CloudErrorCodes.unknownHub, `unknown hub ${hubId}`);
    this.log.info({ hubId }, 'hub tokens revoked');
  }

  async addOrganisation(orgId: string, name: string): Promise<Organisation> {
    this.checkOpen();
    checkId(orgId, 'orgId');
    const orgName = checkName(name);
    await this.pool.query(
      `INSERT INTO organisations (org_id, name, created_at) VALUES ($1, $2, $3)
       ON CONFLICT (org_id) DO UPDATE SET name = EXCLUDED.name`,
      [orgId, orgName, this.clock.now().toISOString()],
    );
    this.log.info({ orgId }, 'organisation saved');
    return { orgId, name: orgName };
  }

  async getOrganisation(orgId: string): Promise<Organisation | undefined> {
    this.checkOpen();
    const { rows } = await this.pool.query<{ name: string }>(
      'SELECT name FROM organisations WHERE org_id = $1',
      [orgId],
    );
    const row = rows[0];
    return row === undefined ? undefined : { orgId, name: row.name };
  }

  async addFacility(facilityId: string, orgId: string, timeZone?: string): Promise<Facility> {
    this.checkOpen();
    checkId(facilityId, 'facilityId');
    checkId(orgId, 'orgId');
    const zone = timeZone === undefined ? undefined : canonicalTimeZone(timeZone);
    const { created, ...facility } = await this.transaction(async (client) => {
      // Share-locks the organisation: it cannot vanish (it never does) nor be attached concurrently twice.
      const org = await client.query('SELECT 1 FROM organisations WHERE org_id = $1 FOR SHARE', [orgId]);
      if (org.rows.length === 0) throw unknownOrg(orgId);
      const ensured = await this.ensureFacilityOn(client, facilityId, zone);
      // Attaches only a facility without an organisation; the returned owner tells a mismatch apart.
      const { rows } = await client.query<{ org_id: string | null }>(
        `UPDATE facilities SET org_id = coalesce(org_id, $2) WHERE facility_id = $1 RETURNING org_id`,
        [facilityId, orgId],
      );
      const owner = rows[0]?.org_id ?? null;
      if (owner !== orgId) throw orgMismatch(facilityId, owner ?? '(none)', orgId);
      return ensured;
    });
    this.log.info({ facilityId, orgId, created }, 'facility attached to organisation');
    return facility;
  }

  async facilityOrg(facilityId: string): Promise<string | null | undefined> {
    this.checkOpen();
    const { rows } = await this.pool.query<{ org_id: string | null }>(
      'SELECT org_id FROM facilities WHERE facility_id = $1',
      [facilityId],
    );
    const row = rows[0];
    return row === undefined ? undefined : row.org_id;
  }

  async issueOrgToken(orgId: string): Promise<string> {
    this.checkOpen();
    checkId(orgId, 'orgId');
    const token = newHubToken(orgId);
    const { rowCount } = await this.pool.query(
      `INSERT INTO org_tokens (token_hash, org_id, created_at)
       SELECT $1, org_id, $3 FROM organisations WHERE org_id = $2`,
      [hashToken(token), orgId, this.clock.now().toISOString()],
    );
    if (rowCount === 0) throw unknownOrg(orgId);
    this.log.info({ orgId }, 'org token issued');
    return token;
  }

  async revokeOrgTokens(orgId: string): Promise<number> {
    this.checkOpen();
    checkId(orgId, 'orgId');
    if ((await this.getOrganisation(orgId)) === undefined) throw unknownOrg(orgId);
    const { rowCount } = await this.pool.query('DELETE FROM org_tokens WHERE org_id = $1', [orgId]);
    this.log.info({ orgId, revoked: rowCount ?? 0 }, 'org tokens revoked');
    return rowCount ?? 0;
  }

  async authenticateOrg(token: string): Promise<string | undefined> {
    this.checkOpen();
    const orgId = hubIdOfToken(token);
    if (orgId === undefined) return undefined;
    // Looked up by the digest of a 256-bit random secret: timing can only reveal digest prefixes,
    // which do not help to forge a token.
    const { rows } = await this.pool.query<{ org_id: string }>(
      'SELECT org_id FROM org_tokens WHERE token_hash = $1 AND org_id = $2',
      [hashToken(token), orgId],
    );
    return rows[0]?.org_id;
  }

  async orgFacilities(orgId: string): Promise<OrgFacility[]> {
    this.checkOpen();
    const [facilities, hubs] = await Promise.all([
      this.pool.query<{ facility_id: string; time_zone: string; name: string | null }>(
        `SELECT f.facility_id, f.time_zone, (s.snapshot::json ->> 'facilityName') AS name
         FROM facilities f LEFT JOIN facility_snapshots s ON s.facility_id = f.facility_id
         WHERE f.org_id = $1 ORDER BY f.facility_id`,
        [orgId],
      ),
      this.pool.query<{ hub_id: string; facility_id: string; last_relay_at: Date | null }>(
        `SELECT h.hub_id, h.facility_id, h.last_relay_at
         FROM facilities f JOIN hubs h ON h.facility_id = f.facility_id
         WHERE f.org_id = $1 ORDER BY h.hub_id`,
        [orgId],
      ),
    ]);
    return assembleOrgFacilities(
      facilities.rows.map((f) => ({ facilityId: f.facility_id, timeZone: f.time_zone, name: f.name })),
      hubs.rows.map((h) => ({
        hubId: h.hub_id,
        facilityId: h.facility_id,
        lastRelayAt: iso(h.last_relay_at),
      })),
    );
  }

  async orgRollupInputs(orgId: string, date: string): Promise<RollupInput[]> {
    this.checkOpen();
    checkDate(date);
    const [facilities, events] = await Promise.all([
      this.pool.query<{ facility_id: string; snapshot: string | null; last_relay_at: Date | null }>(
        `SELECT f.facility_id, s.snapshot,
           (SELECT max(h.last_relay_at) FROM hubs h WHERE h.facility_id = f.facility_id) AS last_relay_at
         FROM facilities f LEFT JOIN facility_snapshots s ON s.facility_id = f.facility_id
         WHERE f.org_id = $1 ORDER BY f.facility_id`,
        [orgId],
      ),
      this.pool.query<EventRow & { facility_id: string }>(ORG_DAY_EVENTS, [orgId, date]),
    ]);
    return assembleRollupInputs(
      facilities.rows.map((f) => ({
        facilityId: f.facility_id,
        snapshot: f.snapshot === null ? undefined : snapshotFromText(f.snapshot),
        lastRelayAt: iso(f.last_relay_at),
      })),
      events.rows.map((r) => ({
        facilityId: r.facility_id,
        event: eventFromColumns({ ...r, seq: Number(r.seq) }),
      })),
    );
  }

  async ping(): Promise<void> {
    this.checkOpen();
    await this.pool.query('SELECT 1');
  }

  waitingForConnection(): number {
    return this.pool.waitingCount;
  }

  /**
   * Records a relay from the hub. A separate statement after the upload's own: the upload stays one
   * statement with its lock order, and a failure here costs only freshness of the last relay time.
   */
  private async touchHub(hubId: string, at: string): Promise<void> {
    try {
      await this.pool.query('UPDATE hubs SET last_relay_at = $2 WHERE hub_id = $1', [hubId, at]);
    } catch (err) {
      this.log.warn(
        { hubId, err: err instanceof Error ? err.message : String(err) },
        'last relay time not recorded',
      );
    }
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
    const dates = await this.localDatesOf(facilityId);
    const receivedAt = this.clock.now().toISOString();
    // Every row is derived (and every instant checked) before anything is sent; an event whose row cannot
    // be derived is refused on its own.
    const outcomes: (Outcome | undefined)[] = events.map(() => undefined);
    const rows: PgRow[] = [];
    events.forEach((e, index) => {
      const derived = deriveRow(e, (): PgRow => {
        const key = instantKey(e.occurredAt);
        return { e, index, key, date: dates.of(new Date(key.ms)) };
      });
      if ('row' in derived) rows.push(derived.row);
      else outcomes[index] = derived.rejection;
    });
    if (rows.length > 0) {
      try {
        const { rows: stored } = await this.withDeadlockRetry(() =>
          this.pool.query<{ id: string }>(INSERT_BATCH, batchParams(facilityId, hubId, receivedAt, rows)),
        );
        // Classified in input order: a stored id is accepted the first time it appears, any other copy is
        // a duplicate.
        const ids = new Set(stored.map((r) => r.id));
        for (const row of rows) outcomes[row.index] = ids.delete(row.e.id) ? 'accepted' : 'duplicate';
      } catch (err) {
        // The statement stored nothing. A refusal of data is the refused event's alone: redone one event
        // at a time to find it. Anything else (connection lost, overload, deadlock after retries) fails
        // the call for a resend.
        if (!isDataError(err)) throw err;
        this.log.warn(
          { facilityId, hubId, reason: err.code },
          'batch refused by the database; storing one by one',
        );
        const each = await this.withDeadlockRetry(() =>
          this.insertOneByOne(facilityId, hubId, receivedAt, rows),
        );
        for (const [index, outcome] of each) outcomes[index] = outcome;
      }
    }
    await this.touchHub(hubId, receivedAt);
    const result: BatchInsertResult = { accepted: [], duplicates: [], rejected: [] };
    outcomes.forEach((outcome, i) => {
      const id = events[i]?.id ?? '';
      // Every event has an outcome by now; answering for one without would claim it stored.
      if (outcome === undefined) throw new GenkanError(ErrorCodes.internal, `no outcome for event ${id}`);
      if (outcome === 'accepted') result.accepted.push(id);
      else if (outcome === 'duplicate') result.duplicates.push(id);
      else result.rejected.push(outcome);
    });
    // Ids and the database's code only: the refused values may be personal data.
    for (const r of result.rejected) {
      this.log.warn({ facilityId, hubId, eventId: r.id, reason: r.message }, 'event refused by the database');
    }
    return result;
  }

  /**
   * The rows one statement each, in one transaction with a savepoint per row: a row the database refuses
   * as data is rolled back alone and becomes a store_error. In id order, as INSERT_BATCH locks them, so
   * that it cannot deadlock with other replicas' batches; copies of an id in input order, so the first
   * copy the database takes wins. One commit for the whole batch.
   */
  private async insertOneByOne(
    facilityId: string,
    hubId: string,
    receivedAt: string,
    rows: readonly PgRow[],
  ): Promise<Map<number, Outcome>> {
    const ordered = [...rows].sort((a, b) =>
      a.e.id === b.e.id ? a.index - b.index : a.e.id < b.e.id ? -1 : 1,
    );
    return this.transaction(async (client) => {
      const outcomes = new Map<number, Outcome>();
      await client.query('SAVEPOINT one_event');
      for (const row of ordered) {
        try {
          const { rowCount } = await client.query(
            INSERT_BATCH,
            batchParams(facilityId, hubId, receivedAt, [row]),
          );
          // The next row's savepoint in the same round trip.
          await client.query('RELEASE SAVEPOINT one_event; SAVEPOINT one_event');
          outcomes.set(row.index, rowCount === 1 ? 'accepted' : 'duplicate');
        } catch (err) {
          if (!isDataError(err)) throw err;
          // Undoes this row only; the savepoint stays for the next one.
          await client.query('ROLLBACK TO SAVEPOINT one_event');
          outcomes.set(row.index, storeRejection(row.e.id, `SQLSTATE ${err.code}`));
        }
      }
      return outcomes;
    });
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
    const now = this.clock.now().toISOString();
    const { rows } = await this.pool.query(PUT_SNAPSHOT, [facilityId, text, hubId, now]);
    if (rows.length === 0) {
      throw new NotFoundError(CloudErrorCodes.unknownFacility, `unknown facility ${facilityId}`);
    }
    await this.touchHub(hubId, now);
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
        const code = err instanceof DatabaseError ? err.code : undefined;
        if (code === undefined || !RETRYABLE.has(code) || attempt >= DEADLOCK_RETRIES) throw err;
        this.log.warn({ attempt, code }, 'batch insert deadlocked or not serializable; retrying');
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
