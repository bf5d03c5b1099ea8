import Database from 'better-sqlite3';
import { join } from 'node:path';
import { ConflictError, GenkanError, NotFoundError } from '../../common/errors.ts';
import { silentLogger, type Logger } from '../../common/logger.ts';
import { hashToken } from '../../common/secrets.ts';
import { openDatabase, schemaVersion, type Db } from '../../common/sqlite.ts';
import { DEFAULT_TIME_ZONE, localDate, systemClock, type Clock } from '../../common/time.ts';
import type { AttendanceEvent, Rejection } from '../../protocol/index.ts';
import type { FacilitySnapshot } from '../../protocol/ledger.ts';
import { CloudErrorCodes } from '../errors.ts';
import { openFacilityEventStore } from './event-store.ts';
import { eventFromColumns, type EventColumns, type EventStore } from '../../common/event-store.ts';
import { deriveRow, EVENT_COLUMN_NAMES, instantKey, storeRejection } from './events.ts';
import { canonicalTimeZone, checkDate, checkId, checkName } from './inputs.ts';
import { assembleOrgFacilities, assembleRollupInputs, orgMismatch, unknownOrg } from './orgs.ts';
import { cloudMigrations } from './migrations.ts';
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

/** The cloud database inside the data directory. */
export const CLOUD_DB_FILE = 'cloud.sqlite';

export interface SqliteCloudStoreOptions {
  /** Defaults to a silent logger (tests, the EventStore adapter). */
  logger?: Logger;
  clock?: Clock;
}

interface FacilityRow {
  facility_id: string;
  time_zone: string;
}

interface HubRow {
  facility_id: string;
  token_hash: Buffer;
  prev_token_hash: Buffer | null;
  prev_token_expires_at: string | null;
  revoked_at: string | null;
}

interface OrgFacilityRow {
  facility_id: string;
  time_zone: string;
  name: string | null;
}

interface RollupFacilityRow {
  facility_id: string;
  snapshot: string | null;
  last_relay_at: string | null;
}

type EventRow = EventColumns & {
  facility_id: string;
  occurred_ms: number;
  occurred_sub_ms: number;
  local_date: string;
  hub_id: string;
  received_at: string;
};

const EVENT_COLUMNS = EVENT_COLUMN_NAMES.join(', ');

/** What became of one event of a batch. */
type Outcome = 'accepted' | 'duplicate' | Rejection;

/**
 * SQLite's refusals of a value: constraints (CHECK, NOT NULL, a trigger's RAISE, a STRICT column's type),
 * a datatype mismatch, a string or blob over the size limit. Busy, locked, I/O, full-disk and out-of-memory
 * errors are the database's state, not the event's, and are not among them.
 */
const DATA_ERROR_RE = /^SQLITE_(?:CONSTRAINT(?:_[A-Z]+)?|MISMATCH|TOOBIG)$/;

function isDataError(err: unknown): err is InstanceType<typeof Database.SqliteError> {
  return err instanceof Database.SqliteError && DATA_ERROR_RE.test(err.code);
}

/**
 * The events of a date range, then the voids dated outside it of events inside it (through
 * events_by_voided). A void names one event, so the join adds each void at most once.
 */
const LEDGER_EVENTS = `
  SELECT ${EVENT_COLUMNS}, occurred_ms, occurred_sub_ms FROM events
  WHERE facility_id = @facility AND local_date BETWEEN @from AND @to
  UNION ALL
  SELECT ${EVENT_COLUMN_NAMES.map((c) => `v.${c}`).join(', ')}, v.occurred_ms, v.occurred_sub_ms
  FROM events t JOIN events v ON v.facility_id = t.facility_id AND v.voids = t.id
  WHERE t.facility_id = @facility AND t.local_date BETWEEN @from AND @to
    AND v.voids IS NOT NULL AND v.local_date NOT BETWEEN @from AND @to
  ORDER BY occurred_ms, occurred_sub_ms, device_id, seq, id`;

/** The date's events of every facility of an organisation, plus voids dated later of those events. */
const ORG_DAY_EVENTS = `
  SELECT e.facility_id, ${EVENT_COLUMN_NAMES.map((c) => `e.${c}`).join(', ')}
  FROM facilities f JOIN events e ON e.facility_id = f.facility_id AND e.local_date = @date
  WHERE f.org_id = @org
  UNION ALL
  SELECT v.facility_id, ${EVENT_COLUMN_NAMES.map((c) => `v.${c}`).join(', ')}
  FROM facilities f
    JOIN events t ON t.facility_id = f.facility_id AND t.local_date = @date
    JOIN events v ON v.facility_id = t.facility_id AND v.voids = t.id
  WHERE f.org_id = @org AND v.voids IS NOT NULL AND v.local_date <> @date`;

/** Runs synchronous SQLite work behind the async CloudStore interface; a throw becomes a rejection. */
function settle<T>(work: () => T): Promise<T> {
  return new Promise((resolve) => {
    resolve(work());
  });
}

/**
 * CloudStore on one SQLite file (WAL, synchronous=FULL: a commit is on disk before a call resolves).
 * A CLI process and the running server may share the file; nothing is cached, so a token added or rotated
 * by `genkan cloud hub add` takes effect on the server's next request.
 */
export class SqliteCloudStore implements CloudStore {
  private readonly db: Db;
  private readonly log: Logger;
  private readonly clock: Clock;
  private closed = false;
  private readonly stmt;
  /** One insert inside a savepoint (called within a transaction): a refused row is rolled back alone. */
  private readonly insertSavepointed: (row: EventRow) => number;

  constructor(db: Db, logger: Logger, clock: Clock = systemClock) {
    this.db = db;
    this.log = logger;
    this.clock = clock;
    this.stmt = {
      facility: db.prepare<[string], FacilityRow>(
        'SELECT facility_id, time_zone FROM facilities WHERE facility_id = ?',
      ),
      insertFacility: db.prepare<[string, string, string]>(
        'INSERT INTO facilities (facility_id, time_zone, created_at) VALUES (?, ?, ?)',
      ),
      hub: db.prepare<[string], HubRow>(
        `SELECT facility_id, token_hash, prev_token_hash, prev_token_expires_at, revoked_at
         FROM hubs WHERE hub_id = ?`,
      ),
      endGrace: db.prepare<[string, Buffer]>(
        `UPDATE hubs SET prev_token_hash = NULL, prev_token_expires_at = NULL
         WHERE hub_id = ? AND token_hash = ? AND prev_token_hash IS NOT NULL`,
      ),
      rotateWithGrace: db.prepare<[{ hash: Buffer; now: string; expires: string; hub: string }]>(
        // Right-hand sides see the row before the update: the current token becomes the previous one,
        // unless the hub was revoked (then no earlier token comes back).
        `UPDATE hubs SET
           prev_token_hash = CASE WHEN revoked_at IS NULL THEN token_hash END,
           prev_token_expires_at = CASE WHEN revoked_at IS NULL THEN @expires END,
           token_hash = @hash, token_issued_at = @now, revoked_at = NULL
         WHERE hub_id = @hub`,
      ),
      revokeHub: db.prepare<[string, string]>(
        `UPDATE hubs SET revoked_at = ?, prev_token_hash = NULL, prev_token_expires_at = NULL
         WHERE hub_id = ?`,
      ),
      touchHub: db.prepare<[string, string]>('UPDATE hubs SET last_relay_at = ? WHERE hub_id = ?'),
      org: db.prepare<[string], { org_id: string; name: string }>(
        'SELECT org_id, name FROM organisations WHERE org_id = ?',
      ),
      upsertOrg: db.prepare<[string, string, string]>(
        `INSERT INTO organisations (org_id, name, created_at) VALUES (?, ?, ?)
         ON CONFLICT (org_id) DO UPDATE SET name = excluded.name`,
      ),
      facilityOrg: db.prepare<[string], { org_id: string | null }>(
        'SELECT org_id FROM facilities WHERE facility_id = ?',
      ),
      setFacilityOrg: db.prepare<[string, string]>('UPDATE facilities SET org_id = ? WHERE facility_id = ?'),
      insertOrgToken: db.prepare<[Buffer, string, string]>(
        'INSERT INTO org_tokens (token_hash, org_id, created_at) VALUES (?, ?, ?)',
      ),
      revokeOrgTokens: db.prepare<[string]>('DELETE FROM org_tokens WHERE org_id = ?'),
      orgToken: db.prepare<[Buffer, string], { org_id: string }>(
        'SELECT org_id FROM org_tokens WHERE token_hash = ? AND org_id = ?',
      ),
      orgFacilities: db.prepare<[string], OrgFacilityRow>(
        `SELECT f.facility_id, f.time_zone, json_extract(s.snapshot, '$.facilityName') AS name
         FROM facilities f LEFT JOIN facility_snapshots s ON s.facility_id = f.facility_id
         WHERE f.org_id = ? ORDER BY f.facility_id`,
      ),
      orgHubs: db.prepare<[string], { hub_id: string; facility_id: string; last_relay_at: string | null }>(
        `SELECT h.hub_id, h.facility_id, h.last_relay_at
         FROM facilities f JOIN hubs h ON h.facility_id = f.facility_id
         WHERE f.org_id = ? ORDER BY h.hub_id`,
      ),
      rollupFacilities: db.prepare<[string], RollupFacilityRow>(
        `SELECT f.facility_id, s.snapshot,
           (SELECT max(h.last_relay_at) FROM hubs h WHERE h.facility_id = f.facility_id) AS last_relay_at
         FROM facilities f LEFT JOIN facility_snapshots s ON s.facility_id = f.facility_id
         WHERE f.org_id = ? ORDER BY f.facility_id`,
      ),
      orgDayEvents: db.prepare<[{ org: string; date: string }], EventColumns & { facility_id: string }>(
        ORG_DAY_EVENTS,
      ),
      ping: db.prepare<[], { one: number }>('SELECT 1 AS one'),
      insertHub: db.prepare<[string, string, Buffer, string, string]>(
        'INSERT INTO hubs (hub_id, facility_id, token_hash, created_at, token_issued_at) VALUES (?, ?, ?, ?, ?)',
      ),
      // Re-adding a hub: the new token alone works, at once (a lost or leaked token is replaced).
      replaceHubToken: db.prepare<[Buffer, string, string]>(
        `UPDATE hubs SET token_hash = ?, token_issued_at = ?, prev_token_hash = NULL,
           prev_token_expires_at = NULL, revoked_at = NULL
         WHERE hub_id = ?`,
      ),
      insertEvent: db.prepare<[EventRow]>(
        `INSERT INTO events (facility_id, ${EVENT_COLUMNS}, occurred_ms, occurred_sub_ms, local_date, hub_id,
           received_at)
         VALUES (@facility_id, @id, @type, @child_id, @occurred_at, @device_id, @seq, @method, @actor, @voids,
           @note, @clock_doubt, @occurred_ms, @occurred_sub_ms, @local_date, @hub_id, @received_at)
         ON CONFLICT (facility_id, id) DO NOTHING`,
      ),
      eventsOn: db.prepare<[string, string], EventColumns>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE facility_id = ? AND local_date = ?
         ORDER BY occurred_ms, occurred_sub_ms, device_id, seq, id`,
      ),
      ledgerEvents: db.prepare<[{ facility: string; from: string; to: string }], EventColumns>(LEDGER_EVENTS),
      putSnapshot: db.prepare<[string, string, string, string]>(
        `INSERT INTO facility_snapshots (facility_id, snapshot, hub_id, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (facility_id) DO UPDATE SET snapshot = excluded.snapshot, hub_id = excluded.hub_id,
           updated_at = excluded.updated_at`,
      ),
      snapshot: db.prepare<[string], { snapshot: string }>(
        'SELECT snapshot FROM facility_snapshots WHERE facility_id = ?',
      ),
      countAll: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM events'),
      countFacility: db.prepare<[string], { n: number }>(
        'SELECT count(*) AS n FROM events WHERE facility_id = ?',
      ),
    };
    const insertEvent = this.stmt.insertEvent;
    this.insertSavepointed = db.transaction((row: EventRow) => insertEvent.run(row).changes);
  }

  addHub(hubId: string, facilityId: string, timeZone?: string): Promise<string> {
    return this.run(() => {
      checkId(hubId, 'hubId');
      checkId(facilityId, 'facilityId');
      const zone = timeZone === undefined ? undefined : canonicalTimeZone(timeZone);
      const token = newHubToken(hubId);
      const hash = hashToken(token);
      const now = this.clock.now().toISOString();
      const { created, rotated } = this.db
        .transaction(() => {
          const existing = this.stmt.hub.get(hubId);
          if (existing !== undefined && existing.facility_id !== facilityId) {
            throw new ConflictError(
              CloudErrorCodes.hubFacilityMismatch,
              `hub ${hubId} belongs to facility ${existing.facility_id}, not ${facilityId}`,
            );
          }
          const facility = this.ensureFacilitySync(facilityId, zone);
          if (existing === undefined) this.stmt.insertHub.run(hubId, facilityId, hash, now, now);
          else this.stmt.replaceHubToken.run(hash, now, hubId);
          return { created: facility.created, rotated: existing !== undefined };
        })
        .immediate();
      if (created) this.log.info({ facilityId }, 'facility added');
      this.log.info({ hubId, facilityId }, rotated ? 'hub token rotated' : 'hub added');
      return token;
    });
  }

  authenticateHub(token: string): Promise<HubIdentity | undefined> {
    return this.run(() => {
      const hubId = hubIdOfToken(token);
      if (hubId === undefined) return undefined;
      const row = this.stmt.hub.get(hubId);
      if (row === undefined) return undefined;
      // Looked up by id, then digests compared in constant time: no timing signal on how much matched.
      const verdict = hubTokenVerdict(
        token,
        {
          tokenHash: row.token_hash,
          prevTokenHash: row.prev_token_hash,
          prevExpiresMs: row.prev_token_expires_at === null ? null : Date.parse(row.prev_token_expires_at),
          revoked: row.revoked_at !== null,
        },
        this.clock.now().getTime(),
      );
      if (verdict === undefined) return undefined;
      // The hub now uses its new token: the previous one has served its purpose.
      if (verdict === 'current' && row.prev_token_hash !== null) {
        this.stmt.endGrace.run(hubId, row.token_hash);
        this.log.info({ hubId }, 'hub uses its rotated token; previous token retired');
      }
      return { hubId, facilityId: row.facility_id };
    });
  }

  rotateHub(hubId: string, graceMs: number): Promise<string> {
    return this.run(() => {
      checkId(hubId, 'hubId');
      const token = newHubToken(hubId);
      const now = this.clock.now();
      const expires = new Date(now.getTime() + Math.max(0, graceMs)).toISOString();
      const { changes } = this.stmt.rotateWithGrace.run({
        hash: hashToken(token),
        now: now.toISOString(),
        expires,
        hub: hubId,
      });
      if (changes === 0) throw new NotFoundError(CloudErrorCodes.unknownHub, `unknown hub ${hubId}`);
      this.log.info({ hubId, graceMs }, 'hub token rotated with grace period');
      return token;
    });
  }

  revokeHub(hubId: string): Promise<void> {
    return this.run(() => {
      checkId(hubId, 'hubId');
      const { changes } = this.stmt.revokeHub.run(this.clock.now().toISOString(), hubId);
      if (changes === 0) throw new NotFoundError(CloudErrorCodes.unknownHub, `unknown hub ${hubId}`);
      this.log.info({ hubId }, 'hub tokens revoked');
    });
  }

  addOrganisation(orgId: string, name: string): Promise<Organisation> {
    return this.run(() => {
      checkId(orgId, 'orgId');
      const orgName = checkName(name);
      this.stmt.upsertOrg.run(orgId, orgName, this.clock.now().toISOString());
      this.log.info({ orgId }, 'organisation saved');
      return { orgId, name: orgName };
    });
  }

  getOrganisation(orgId: string): Promise<Organisation | undefined> {
    return this.run(() => {
      const row = this.stmt.org.get(orgId);
      return row === undefined ? undefined : { orgId: row.org_id, name: row.name };
    });
  }

  addFacility(facilityId: string, orgId: string, timeZone?: string): Promise<Facility> {
    return this.run(() => {
      checkId(facilityId, 'facilityId');
      checkId(orgId, 'orgId');
      const zone = timeZone === undefined ? undefined : canonicalTimeZone(timeZone);
      const { created, ...facility } = this.db
        .transaction(() => {
          if (this.stmt.org.get(orgId) === undefined) throw unknownOrg(orgId);
          const current = this.stmt.facilityOrg.get(facilityId)?.org_id ?? null;
          if (current !== null && current !== orgId) throw orgMismatch(facilityId, current, orgId);
          const ensured = this.ensureFacilitySync(facilityId, zone);
          if (current === null) this.stmt.setFacilityOrg.run(orgId, facilityId);
          return ensured;
        })
        .immediate();
      this.log.info({ facilityId, orgId, created }, 'facility attached to organisation');
      return facility;
    });
  }

  facilityOrg(facilityId: string): Promise<string | null | undefined> {
    return this.run(() => {
      const row = this.stmt.facilityOrg.get(facilityId);
      return row === undefined ? undefined : row.org_id;
    });
  }

  issueOrgToken(orgId: string): Promise<string> {
    return this.run(() => {
      checkId(orgId, 'orgId');
      if (this.stmt.org.get(orgId) === undefined) throw unknownOrg(orgId);
      const token = newHubToken(orgId);
      this.stmt.insertOrgToken.run(hashToken(token), orgId, this.clock.now().toISOString());
      this.log.info({ orgId }, 'org token issued');
      return token;
    });
  }

  revokeOrgTokens(orgId: string): Promise<number> {
    return this.run(() => {
      checkId(orgId, 'orgId');
      if (this.stmt.org.get(orgId) === undefined) throw unknownOrg(orgId);
      const { changes } = this.stmt.revokeOrgTokens.run(orgId);
      this.log.info({ orgId, revoked: changes }, 'org tokens revoked');
      return changes;
    });
  }

  authenticateOrg(token: string): Promise<string | undefined> {
    return this.run(() => {
      const orgId = hubIdOfToken(token);
      if (orgId === undefined) return undefined;
      // Looked up by the digest of a 256-bit random secret: timing can only reveal digest prefixes,
      // which do not help to forge a token.
      return this.stmt.orgToken.get(hashToken(token), orgId)?.org_id;
    });
  }

  orgFacilities(orgId: string): Promise<OrgFacility[]> {
    return this.run(() => {
      const facilities = this.stmt.orgFacilities.all(orgId);
      const hubs = this.stmt.orgHubs.all(orgId);
      return assembleOrgFacilities(
        facilities.map((f) => ({ facilityId: f.facility_id, timeZone: f.time_zone, name: f.name })),
        hubs.map((h) => ({ hubId: h.hub_id, facilityId: h.facility_id, lastRelayAt: h.last_relay_at })),
      );
    });
  }

  orgRollupInputs(orgId: string, date: string): Promise<RollupInput[]> {
    return this.run(() => {
      checkDate(date);
      const facilities = this.stmt.rollupFacilities.all(orgId);
      const events = this.stmt.orgDayEvents.all({ org: orgId, date });
      return assembleRollupInputs(
        facilities.map((f) => ({
          facilityId: f.facility_id,
          snapshot: f.snapshot === null ? undefined : snapshotFromText(f.snapshot),
          lastRelayAt: f.last_relay_at,
        })),
        events.map((e) => ({ facilityId: e.facility_id, event: eventFromColumns(e) })),
      );
    });
  }

  ping(): Promise<void> {
    return this.run(() => {
      this.stmt.ping.get();
    });
  }

  waitingForConnection(): number {
    return 0;
  }

  ensureFacility(facilityId: string, timeZone?: string): Promise<Facility> {
    return this.run(() => {
      checkId(facilityId, 'facilityId');
      const zone = timeZone === undefined ? undefined : canonicalTimeZone(timeZone);
      const { created, ...facility } = this.db
        .transaction(() => this.ensureFacilitySync(facilityId, zone))
        .immediate();
      if (created) this.log.info({ facilityId }, 'facility added');
      return facility;
    });
  }

  getFacility(facilityId: string): Promise<Facility | undefined> {
    return this.run(() => {
      const row = this.stmt.facility.get(facilityId);
      return row === undefined ? undefined : { facilityId: row.facility_id, timeZone: row.time_zone };
    });
  }

  insertBatch(
    facilityId: string,
    hubId: string,
    events: readonly AttendanceEvent[],
  ): Promise<BatchInsertResult> {
    return this.run(() => {
      checkId(facilityId, 'facilityId');
      checkId(hubId, 'hubId');
      const facility = this.stmt.facility.get(facilityId);
      if (facility === undefined) {
        throw new NotFoundError(CloudErrorCodes.unknownFacility, `unknown facility ${facilityId}`);
      }
      const receivedAt = this.clock.now().toISOString();
      // Every row is derived (and every instant checked) before the transaction; an event whose row
      // cannot be derived is refused on its own.
      const derived = events.map((e) =>
        deriveRow(e, (): EventRow => {
          const key = instantKey(e.occurredAt);
          return {
            facility_id: facilityId,
            id: e.id,
            type: e.type,
            child_id: e.childId,
            occurred_at: e.occurredAt,
            device_id: e.deviceId,
            seq: e.seq,
            method: e.method,
            actor: e.actor,
            voids: e.voids ?? null,
            note: e.note ?? null,
            clock_doubt: e.clockDoubt ?? null,
            occurred_ms: key.ms,
            occurred_sub_ms: key.subMs,
            local_date: localDate(new Date(key.ms), facility.time_zone),
            hub_id: hubId,
            received_at: receivedAt,
          };
        }),
      );
      let outcomes: Outcome[];
      try {
        outcomes = this.insertRows(derived, receivedAt, hubId, false);
      } catch (err) {
        // The transaction rolled back whole. A refusal of data is the refused event's alone: redone one
        // event at a time to find it. Anything else (busy, I/O, full disk) fails the call for a resend.
        if (!isDataError(err)) throw err;
        this.log.warn(
          { facilityId, hubId, reason: err.code },
          'batch refused by the database; storing one by one',
        );
        outcomes = this.insertRows(derived, receivedAt, hubId, true);
      }
      const result: BatchInsertResult = { accepted: [], duplicates: [], rejected: [] };
      outcomes.forEach((outcome, i) => {
        const id = events[i]?.id ?? '';
        if (outcome === 'accepted') result.accepted.push(id);
        else if (outcome === 'duplicate') result.duplicates.push(id);
        else result.rejected.push(outcome);
      });
      // Ids and the database's code only: the refused values may be personal data.
      for (const r of result.rejected) {
        this.log.warn(
          { facilityId, hubId, eventId: r.id, reason: r.message },
          'event refused by the database',
        );
      }
      return result;
    });
  }

  /**
   * Inserts the derived rows in input order in one immediate transaction and records the relay. With
   * `eachOnItsOwn`, every row gets a savepoint: a row the database refuses as data is rolled back alone
   * and becomes a store_error; without, the first error rolls the whole transaction back and is thrown.
   */
  private insertRows(
    derived: readonly ({ row: EventRow } | { rejection: Rejection })[],
    receivedAt: string,
    hubId: string,
    eachOnItsOwn: boolean,
  ): Outcome[] {
    return this.db
      .transaction(() => {
        const outcomes = derived.map((d): Outcome => {
          if ('rejection' in d) return d.rejection;
          if (!eachOnItsOwn) return this.stmt.insertEvent.run(d.row).changes === 1 ? 'accepted' : 'duplicate';
          try {
            return this.insertSavepointed(d.row) === 1 ? 'accepted' : 'duplicate';
          } catch (err) {
            if (!isDataError(err)) throw err;
            return storeRejection(d.row.id, err.code);
          }
        });
        this.stmt.touchHub.run(receivedAt, hubId);
        return outcomes;
      })
      .immediate();
  }

  eventsOn(facilityId: string, date: string): Promise<AttendanceEvent[]> {
    return this.run(() => {
      checkDate(date);
      return this.stmt.eventsOn.all(facilityId, date).map(eventFromColumns);
    });
  }

  ledgerEvents(facilityId: string, from: string, to: string): Promise<AttendanceEvent[]> {
    return this.run(() => {
      checkDateRange(from, to);
      return this.stmt.ledgerEvents.all({ facility: facilityId, from, to }).map(eventFromColumns);
    });
  }

  putSnapshot(facilityId: string, hubId: string, snapshot: FacilitySnapshot): Promise<void> {
    return this.run(() => {
      checkId(facilityId, 'facilityId');
      checkId(hubId, 'hubId');
      const text = snapshotText(facilityId, snapshot);
      const row = this.stmt.facility.get(facilityId);
      if (row === undefined) {
        throw new NotFoundError(CloudErrorCodes.unknownFacility, `unknown facility ${facilityId}`);
      }
      checkSnapshotZone({ facilityId, timeZone: row.time_zone }, snapshot);
      const now = this.clock.now().toISOString();
      this.db.transaction(() => {
        this.stmt.putSnapshot.run(facilityId, text, hubId, now);
        this.stmt.touchHub.run(now, hubId);
      })();
    });
  }

  getSnapshot(facilityId: string): Promise<FacilitySnapshot | undefined> {
    return this.run(() => {
      const row = this.stmt.snapshot.get(facilityId);
      return row === undefined ? undefined : snapshotFromText(row.snapshot);
    });
  }

  countEvents(facilityId?: string): Promise<number> {
    return this.run(() =>
      facilityId === undefined
        ? this.countOf(this.stmt.countAll.get())
        : this.countOf(this.stmt.countFacility.get(facilityId)),
    );
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.db.close();
    }
    return Promise.resolve();
  }

  private countOf(row: { n: number } | undefined): number {
    return row?.n ?? 0;
  }

  /** Inside a transaction: the facility, created with the given or default zone when missing. */
  private ensureFacilitySync(facilityId: string, zone: string | undefined): Facility & { created: boolean } {
    const row = this.stmt.facility.get(facilityId);
    if (row === undefined) {
      const timeZone = zone ?? DEFAULT_TIME_ZONE;
      this.stmt.insertFacility.run(facilityId, timeZone, this.clock.now().toISOString());
      return { facilityId, timeZone, created: true };
    }
    // Business dates are derived with the zone at insert time, so it cannot change under stored events.
    if (zone !== undefined && zone !== row.time_zone) {
      throw new ConflictError(
        CloudErrorCodes.timeZoneMismatch,
        `facility ${facilityId} uses time zone ${row.time_zone}, not ${zone}`,
      );
    }
    return { facilityId, timeZone: row.time_zone, created: false };
  }

  private run<T>(work: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new GenkanError('store_closed', 'the cloud store is closed'));
    return settle(work);
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
