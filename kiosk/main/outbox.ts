import { join } from 'node:path';
import {
  decodeJson,
  EventSchema,
  RollcallSchema,
  RosterSchema,
  type AttendanceEvent,
  type EventType,
  type Rejection,
  type Rollcall,
  type Roster,
} from '../../protocol/index.ts';
import { describeIssues } from '../../protocol/validate.ts';
import type { EventStore, InsertResult } from '../../common/event-store.ts';
import { openDatabase, type Db, type Migration } from '../../common/sqlite.ts';
import { localDate, localDayRange, systemClock, type Clock } from '../../common/time.ts';
import type { OwnEvent } from '../common/decide.ts';
import { KioskError } from './errors.ts';

/**
 * The kiosk's durable store, DATA/kiosk.sqlite: the outbox of events not yet acknowledged by the hub
 * (and the acknowledged ones, as the kiosk's own history), the device's sequence counter, and the
 * last roster and roll-call for offline restarts. Every write is one synchronous=FULL transaction, so
 * when a method returns its effect survives a power cut.
 */

export const KIOSK_DB_FILE = 'kiosk.sqlite';

export const kioskMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'outbox and meta',
    up: (db) => {
      db.exec(`
        CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) STRICT;
        CREATE TABLE outbox (
          id TEXT PRIMARY KEY NOT NULL,
          seq INTEGER NOT NULL,
          device_id TEXT NOT NULL,
          child_id TEXT NOT NULL,
          type TEXT NOT NULL,
          occurred_at TEXT NOT NULL,
          occurred_ms INTEGER NOT NULL,
          payload TEXT NOT NULL,
          created_at TEXT NOT NULL,
          acked_at TEXT,
          rejected_code TEXT,
          rejected_message TEXT
        ) STRICT;
        -- The resend queue: small, read oldest first on every (re)connect.
        CREATE INDEX outbox_pending ON outbox (seq) WHERE acked_at IS NULL AND rejected_code IS NULL;
        CREATE INDEX outbox_child_day ON outbox (child_id, occurred_ms);
        CREATE INDEX outbox_occurred ON outbox (occurred_ms);
      `);
    },
  },
  {
    version: 2,
    name: 'roster and roll-call cache',
    up: (db) => {
      // Keyed by facility: a kiosk moved to another facility never reads the old one's roster.
      db.exec(`
        CREATE TABLE roster_cache (
          facility_id TEXT PRIMARY KEY NOT NULL,
          version INTEGER NOT NULL,
          json TEXT NOT NULL,
          received_at TEXT NOT NULL
        ) STRICT;
        CREATE TABLE rollcall_cache (
          facility_id TEXT PRIMARY KEY NOT NULL,
          date TEXT NOT NULL,
          json TEXT NOT NULL,
          received_at TEXT NOT NULL
        ) STRICT;
      `);
    },
  },
];

/** An event as the kiosk builds it, before the store gives it its sequence number. */
export type EventDraft = Omit<AttendanceEvent, 'seq'>;

export interface OutboxCounts {
  total: number;
  /** Neither acknowledged nor rejected: these are (re)sent. */
  pending: number;
  acked: number;
  rejected: number;
}

export interface OutboxRow {
  event: AttendanceEvent;
  createdAt: string;
  ackedAt: string | null;
  rejected: { code: string; message: string } | null;
}

export interface Cached<T> {
  value: T;
  /** When the kiosk received it, ISO 8601 UTC by the kiosk's clock. */
  receivedAt: string;
}

interface RowShape {
  id: string;
  payload: string;
  created_at: string;
  acked_at: string | null;
  rejected_code: string | null;
  rejected_message: string | null;
}

const META = { deviceId: 'device_id', facilityId: 'facility_id', nextSeq: 'next_seq' } as const;

/** Settings other modules keep in the meta table (e.g. the staff PIN): each names its own keys here. */
export type ExtraMetaKey =
  | 'staff_pin'
  | 'staff_pin_failures'
  | 'staff_pin_locked_until'
  /** The newest time the kiosk has seen, ms since 1970 (kiosk-clock.ts): stamps never go below it. */
  | 'clock_floor';

/** One of the kiosk's recent events with its delivery state, for the maintenance screen. */
export interface RecentOutboxRow {
  event: AttendanceEvent;
  delivery: 'pending' | 'acked' | 'rejected';
  code: string | null;
}

const HOUR_MS = 3_600_000;

/**
 * Instants whose local date can be `date` in some time zone (offsets span −12 h to +14 h): a coarse
 * range for an index scan, refined with localDate.
 */
function dayWindow(date: string): [number, number] {
  const midnightUtc = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(midnightUtc)) throw new KioskError('bad_date', `not a date: ${date}`);
  return [midnightUtc - 15 * HOUR_MS, midnightUtc + 39 * HOUR_MS];
}

/** The query range for a local day, and whether rows in it still need checking one by one. */
function dayQuery(date: string, timeZone: string): { from: number; to: number; exact: boolean } {
  const exact = localDayRange(date, timeZone);
  if (exact) return { from: exact[0], to: exact[1], exact: true };
  const [from, to] = dayWindow(date);
  return { from, to, exact: false };
}

function occurredMs(event: Pick<AttendanceEvent, 'occurredAt'>): number {
  return Date.parse(event.occurredAt);
}

export class KioskStore {
  readonly file: string;
  readonly #db: Db;
  readonly #q;

  private constructor(db: Db, file: string) {
    this.#db = db;
    this.file = file;
    this.#q = {
      getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare<[string, string]>(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
      insert: db.prepare<[string, number, string, string, string, string, number, string, string]>(
        `INSERT OR IGNORE INTO outbox
           (id, seq, device_id, child_id, type, occurred_at, occurred_ms, payload, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      pendingAfter: db.prepare<[number, number], { payload: string }>(
        `SELECT payload FROM outbox WHERE acked_at IS NULL AND rejected_code IS NULL AND seq > ?
         ORDER BY seq LIMIT ?`,
      ),
      pendingById: db.prepare<[string], { payload: string; seq: number }>(
        'SELECT payload, seq FROM outbox WHERE id = ? AND acked_at IS NULL AND rejected_code IS NULL',
      ),
      ack: db.prepare<[string, string]>(
        'UPDATE outbox SET acked_at = ? WHERE id = ? AND acked_at IS NULL AND rejected_code IS NULL',
      ),
      reject: db.prepare<[string, string, string]>(
        `UPDATE outbox SET rejected_code = ?, rejected_message = ?
         WHERE id = ? AND acked_at IS NULL AND rejected_code IS NULL`,
      ),
      counts: db.prepare<[], { total: number; pending: number; acked: number; rejected: number }>(
        `SELECT count(*) AS total,
                coalesce(sum(acked_at IS NULL AND rejected_code IS NULL), 0) AS pending,
                coalesce(sum(acked_at IS NOT NULL), 0) AS acked,
                coalesce(sum(rejected_code IS NOT NULL), 0) AS rejected
         FROM outbox`,
      ),
      pendingCount: db.prepare<[], { n: number }>(
        'SELECT count(*) AS n FROM outbox WHERE acked_at IS NULL AND rejected_code IS NULL',
      ),
      inWindow: db.prepare<[number, number], { payload: string }>(
        `SELECT payload FROM outbox WHERE occurred_ms >= ? AND occurred_ms < ?
         ORDER BY occurred_ms, device_id, seq`,
      ),
      recent: db.prepare<
        [number],
        { payload: string; acked_at: string | null; rejected_code: string | null }
      >('SELECT payload, acked_at, rejected_code FROM outbox ORDER BY seq DESC LIMIT ?'),
      deleteMeta: db.prepare<[string]>('DELETE FROM meta WHERE key = ?'),
      prune: db.prepare<[string, string]>(
        `DELETE FROM outbox
         WHERE (acked_at IS NOT NULL AND acked_at < ?) OR (rejected_code IS NOT NULL AND created_at < ?)`,
      ),
      row: db.prepare<[string], RowShape>(
        'SELECT id, payload, created_at, acked_at, rejected_code, rejected_message FROM outbox WHERE id = ?',
      ),
      childDay: db.prepare<
        [string, number, number],
        Omit<OwnEvent, 'voidedType'> & { ackedAt: string | null; voidedType: EventType | null }
      >(
        `SELECT o.child_id AS childId, o.type, o.occurred_at AS occurredAt, o.acked_at AS ackedAt,
                v.type AS voidedType
         FROM outbox o LEFT JOIN outbox v ON o.type = 'void' AND v.id = o.payload ->> '$.voids'
         WHERE o.child_id = ? AND o.occurred_ms >= ? AND o.occurred_ms < ? AND o.rejected_code IS NULL
         ORDER BY o.seq`,
      ),
      saveRoster: db.prepare<[string, number, string, string]>(
        `INSERT INTO roster_cache (facility_id, version, json, received_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (facility_id) DO UPDATE
           SET version = excluded.version, json = excluded.json, received_at = excluded.received_at`,
      ),
      loadRoster: db.prepare<[string], { json: string; received_at: string }>(
        'SELECT json, received_at FROM roster_cache WHERE facility_id = ?',
      ),
      saveRollcall: db.prepare<[string, string, string, string]>(
        `INSERT INTO rollcall_cache (facility_id, date, json, received_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (facility_id) DO UPDATE
           SET date = excluded.date, json = excluded.json, received_at = excluded.received_at`,
      ),
      loadRollcall: db.prepare<[string], { json: string; received_at: string }>(
        'SELECT json, received_at FROM rollcall_cache WHERE facility_id = ?',
      ),
    };
  }

  /** Opens (creating and migrating) DIR/kiosk.sqlite. */
  static open(dir: string): KioskStore {
    const file = join(dir, KIOSK_DB_FILE);
    return new KioskStore(openDatabase(file, { migrations: kioskMigrations }), file);
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  // --- device identity -------------------------------------------------------------------------

  deviceId(): string | undefined {
    return this.#meta(META.deviceId);
  }

  /**
   * Ties the data directory to one device on first use. Sequence numbers and queued events belong to
   * that device, so starting it under another id is refused rather than sending them under a wrong name.
   */
  bindDevice(deviceId: string): void {
    const bound = this.deviceId();
    if (bound === undefined) this.#q.setMeta.run(META.deviceId, deviceId);
    else if (bound !== deviceId) {
      throw new KioskError(
        'device_mismatch',
        `data directory belongs to device ${bound}, not ${deviceId}; use another --data directory`,
      );
    }
  }

  facilityId(): string | undefined {
    return this.#meta(META.facilityId);
  }

  setFacilityId(facilityId: string): void {
    this.#q.setMeta.run(META.facilityId, facilityId);
  }

  /** The sequence number the next appended event gets. */
  nextSeq(): number {
    return Number(this.#meta(META.nextSeq) ?? '1');
  }

  // --- outbox ----------------------------------------------------------------------------------

  /**
   * Gives the drafts consecutive sequence numbers and stores them, all in one transaction: either every
   * event of a tap is durable with no gap in seq, or none is. `meta` (the clock floor) is written in the
   * same transaction. Returns the stored events.
   */
  append(
    drafts: readonly EventDraft[],
    createdAt: Date,
    meta: Partial<Record<ExtraMetaKey, string>> = {},
  ): AttendanceEvent[] {
    const created = createdAt.toISOString();
    const run = this.#db.transaction(() => {
      for (const [key, value] of Object.entries(meta)) this.#q.setMeta.run(key, value);
      let seq = this.nextSeq();
      const events = drafts.map((draft) => {
        const parsed = EventSchema.safeParse({ ...draft, seq });
        if (!parsed.success) {
          throw new KioskError(
            'invalid_event',
            `refusing to store an invalid event: ${describeIssues(parsed.error)}`,
          );
        }
        const event = parsed.data;
        const r = this.#insert(event, created);
        if (r === 0) throw new KioskError('duplicate_event', `event ${event.id} is already stored`);
        seq++;
        return event;
      });
      this.#q.setMeta.run(META.nextSeq, String(seq));
      return events;
    });
    // IMMEDIATE: take the write lock before reading next_seq, so two writers can never share a number.
    return run.immediate();
  }

  /** Stores pre-built events as pending rows, idempotently by id (the first copy wins). */
  insertEvents(events: readonly AttendanceEvent[], createdAt: Date): InsertResult {
    const created = createdAt.toISOString();
    const run = this.#db.transaction(() => {
      const result: InsertResult = { inserted: [], duplicates: [] };
      for (const e of events) {
        if (this.#insert(e, created) > 0) result.inserted.push(e.id);
        else result.duplicates.push(e.id);
      }
      return result;
    });
    return run.immediate();
  }

  /** Pending events with seq above `afterSeq`, oldest first. */
  pending(options: { afterSeq?: number; limit?: number } = {}): AttendanceEvent[] {
    return this.#q.pendingAfter
      .all(options.afterSeq ?? 0, options.limit ?? -1)
      .map((r) => JSON.parse(r.payload) as AttendanceEvent);
  }

  /** Those of `ids` that are still pending, oldest first. */
  pendingByIds(ids: Iterable<string>): AttendanceEvent[] {
    const rows: { payload: string; seq: number }[] = [];
    for (const id of ids) {
      const row = this.#q.pendingById.get(id);
      if (row) rows.push(row);
    }
    return rows.sort((a, b) => a.seq - b.seq).map((r) => JSON.parse(r.payload) as AttendanceEvent);
  }

  /** Marks events acknowledged; returns the ids this call changed (unknown, acked or rejected ids are skipped). */
  markAcked(ids: readonly string[], at: Date): string[] {
    const when = at.toISOString();
    return this.#db.transaction(() => ids.filter((id) => this.#q.ack.run(when, id).changes > 0))();
  }

  /** Marks events rejected by the hub (never resent); returns the rejections this call recorded. */
  markRejected(rejections: readonly Rejection[]): (Rejection & { id: string })[] {
    return this.#db.transaction(() =>
      rejections.filter(
        (r): r is Rejection & { id: string } =>
          r.id !== null && this.#q.reject.run(r.code, r.message, r.id).changes > 0,
      ),
    )();
  }

  counts(): OutboxCounts {
    const c = this.#q.counts.get();
    return c ?? { total: 0, pending: 0, acked: 0, rejected: 0 };
  }

  pendingCount(): number {
    return this.#q.pendingCount.get()?.n ?? 0;
  }

  /** One outbox row with its delivery state, for inspection. */
  row(id: string): OutboxRow | undefined {
    const r = this.#q.row.get(id);
    if (!r) return undefined;
    return {
      event: JSON.parse(r.payload) as AttendanceEvent,
      createdAt: r.created_at,
      ackedAt: r.acked_at,
      rejected:
        r.rejected_code === null ? null : { code: r.rejected_code, message: r.rejected_message ?? '' },
    };
  }

  /** The last `limit` events recorded here, newest first, with their delivery state. */
  /**
   * Deletes events settled before `before`: acknowledged by the hub (stored there and relayed on) or
   * rejected by it. Pending events are never touched, whatever their age: they are the only copy.
   * Returns how many rows went.
   */
  pruneSettled(before: Date): number {
    const at = before.toISOString();
    return this.#q.prune.run(at, at).changes;
  }

  recent(limit: number): RecentOutboxRow[] {
    return this.#q.recent.all(limit).map((r) => ({
      event: JSON.parse(r.payload) as AttendanceEvent,
      delivery: r.rejected_code !== null ? 'rejected' : r.acked_at !== null ? 'acked' : 'pending',
      code: r.rejected_code,
    }));
  }

  // --- other settings ----------------------------------------------------------------------------

  extraMeta(key: ExtraMetaKey): string | undefined {
    return this.#meta(key);
  }

  /** Sets (or with undefined, removes) settings in one transaction: all of them or none survive. */
  setExtraMeta(values: Partial<Record<ExtraMetaKey, string | undefined>>): void {
    this.#db.transaction(() => {
      for (const [key, value] of Object.entries(values)) {
        if (value === undefined) this.#q.deleteMeta.run(key);
        else this.#q.setMeta.run(key, value);
      }
    })();
  }

  /** Events whose local date in `timeZone` is `date`, by occurredAt, then deviceId and seq. */
  eventsOn(date: string, timeZone: string): AttendanceEvent[] {
    const q = dayQuery(date, timeZone);
    const events = this.#q.inWindow.all(q.from, q.to).map((r) => JSON.parse(r.payload) as AttendanceEvent);
    return q.exact ? events : events.filter((e) => localDate(e.occurredAt, timeZone) === date);
  }

  /**
   * The kiosk's own events of `date` for these children that the hub's roll-call may not reflect yet,
   * oldest first: those not acknowledged, plus those acknowledged at or after `ackedSince` (when the
   * roll-call in hand was received). With `ackedSince` null, all of the day's events count. Rejected
   * events never count.
   */
  dayEventsFor(
    childIds: readonly string[],
    options: { date: string; timeZone: string; ackedSince: string | null },
  ): OwnEvent[] {
    const q = dayQuery(options.date, options.timeZone);
    const { ackedSince } = options;
    const out: OwnEvent[] = [];
    // Grouped by child, each child's events by seq: children do not affect each other's state.
    for (const childId of new Set(childIds)) {
      for (const e of this.#q.childDay.all(childId, q.from, q.to)) {
        if (ackedSince !== null && e.ackedAt !== null && e.ackedAt < ackedSince) continue;
        if (!q.exact && localDate(e.occurredAt, options.timeZone) !== options.date) continue;
        out.push({
          childId: e.childId,
          type: e.type,
          occurredAt: e.occurredAt,
          ...(e.voidedType !== null && { voidedType: e.voidedType }),
        });
      }
    }
    return out;
  }

  // --- roster and roll-call cache ----------------------------------------------------------------

  saveRoster(roster: Roster, receivedAt: Date): void {
    this.#q.saveRoster.run(
      roster.facilityId,
      roster.version,
      JSON.stringify(roster),
      receivedAt.toISOString(),
    );
  }

  /** Binds the kiosk to the roster's facility and caches the roster, in one transaction. */
  learnFacility(roster: Roster, receivedAt: Date): void {
    this.#db.transaction(() => {
      this.setFacilityId(roster.facilityId);
      this.saveRoster(roster, receivedAt);
    })();
  }

  /** The cached roster; a copy that no longer reads (damaged, or older than the schema) is a miss. */
  loadRoster(facilityId: string): Cached<Roster> | undefined {
    const row = this.#q.loadRoster.get(facilityId);
    if (!row) return undefined;
    const r = decodeJson(RosterSchema, row.json);
    return r.ok ? { value: r.value, receivedAt: row.received_at } : undefined;
  }

  saveRollcall(rollcall: Rollcall, receivedAt: Date): void {
    this.#q.saveRollcall.run(
      rollcall.facilityId,
      rollcall.date,
      JSON.stringify(rollcall),
      receivedAt.toISOString(),
    );
  }

  /** The cached roll-call; like loadRoster, a copy that no longer reads is a miss. */
  loadRollcall(facilityId: string): Cached<Rollcall> | undefined {
    const row = this.#q.loadRollcall.get(facilityId);
    if (!row) return undefined;
    const r = decodeJson(RollcallSchema, row.json);
    return r.ok ? { value: r.value, receivedAt: row.received_at } : undefined;
  }

  #meta(key: string): string | undefined {
    return this.#q.getMeta.get(key)?.value;
  }

  #insert(e: AttendanceEvent, createdAt: string): number {
    return this.#q.insert.run(
      e.id,
      e.seq,
      e.deviceId,
      e.childId,
      e.type,
      e.occurredAt,
      occurredMs(e),
      JSON.stringify(e),
      createdAt,
    ).changes;
  }
}

/**
 * The kiosk outbox behind the shared EventStore contract (test/contract/event-store.ts): events are
 * stored as outbox rows in DIR/kiosk.sqlite, and eventsOn reads business dates in `timeZone`.
 */
export function openKioskEventStore(dir: string, timeZone: string, clock: Clock = systemClock): EventStore {
  const store = KioskStore.open(dir);
  // The Promise executor turns a synchronous throw into a rejection, as callers of an async API expect.
  const later = <T>(fn: () => T) =>
    new Promise<T>((resolve) => {
      resolve(fn());
    });
  return {
    insertEvents: (events) => later(() => store.insertEvents(events, clock.now())),
    eventsOn: (date) => later(() => store.eventsOn(date, timeZone)),
    countEvents: () => later(() => store.counts().total),
    close: () =>
      later(() => {
        store.close();
      }),
  };
}
