import type { Statement, Transaction } from 'better-sqlite3';
import { eventFromColumns, type EventColumns } from '../../common/event-store.ts';
import type { Db } from '../../common/sqlite.ts';
import { LocalDates, type Clock } from '../../common/time.ts';
import type { AttendanceEvent } from '../../protocol/index.ts';

/** An event just stored, with the business day it was filed under. */
export interface StoredEvent {
  event: AttendanceEvent;
  localDate: string;
}

/** A stored event as ingest's checks see it. */
export interface EventRef {
  childId: string;
  deviceId: string;
  /** occurredAt as epoch milliseconds. */
  occurredMs: number;
}

export interface InsertOutcome {
  inserted: StoredEvent[];
  /** Ids already stored, or repeated within the same call. */
  duplicates: string[];
}

/** An event a kiosk stamped while its clock was in doubt. */
export interface ClockDoubtEventRow {
  id: string;
  type: AttendanceEvent['type'];
  childId: string;
  deviceId: string;
  occurredAt: string;
  receivedAt: string;
  clockDoubt: NonNullable<AttendanceEvent['clockDoubt']>;
}

/**
 * The attendance events (table events), filed under the facility's business day, and the per-device
 * sequence of the events the hub records itself (device_seq). Events are never changed; only the
 * retention job deletes them (deleteBefore).
 */
export interface EventsStore {
  /** What ingest checks of a stored event (duplicates, voids): its child, device and instant. */
  eventRef(id: string): EventRef | undefined;
  eventById(id: string): AttendanceEvent | undefined;
  /** Ids of the events that void `id`. */
  voidersOf(id: string): string[];
  /**
   * Inserts already-validated events idempotently, all in one IMMEDIATE transaction (IMMEDIATE so that a
   * concurrent writer in another process makes us wait on the busy timeout instead of failing).
   */
  insertEvents(events: readonly AttendanceEvent[], receivedAt?: string): InsertOutcome;
  /** Inserts within the caller's transaction (HubStore.transaction). */
  insertInTransaction(events: readonly AttendanceEvent[], receivedAt: string): InsertOutcome;
  /**
   * The next sequence number of an event the hub records for a device (staff actions of a tablet), within
   * the caller's transaction. Never below what the device's stored events already use.
   */
  nextDeviceSeq(deviceId: string): number;
  /** Events filed under business day `date`, by occurredAt then deviceId, seq. */
  eventsOn(date: string): AttendanceEvent[];
  /**
   * What the roll-call of `date` needs: the day's events plus voids made on other days that cancel one of
   * them (staff correcting yesterday's record this morning).
   */
  rollcallEventsOn(date: string): AttendanceEvent[];
  /**
   * What the ledgers of the business days `from`…`to` (inclusive) need: those days' events plus voids made
   * on any other day that cancel one of them. One query; the cloud's ledgerEvents answers the same.
   */
  ledgerEvents(from: string, to: string): AttendanceEvent[];
  /**
   * The events filed under the business days `from`…`to` (of one child when given) with every void that
   * cancels one of them, however deep (a void of such a void too), by occurredAt: what a past-day
   * correction and the open-days list fold (edge-hub/records).
   */
  eventsWithVoids(from: string, to: string, childId?: string): AttendanceEvent[];
  /** The earliest business day with an event, or undefined when there is none. */
  firstDate(): string | undefined;
  /** The business day an event at `instant` is filed under (the facility's zone). */
  localDateOf(instant: string | Date): string;
  countEvents(): number;
  clockDoubtCount(): number;
  /** The `limit` most recently stored events with a clock doubt, newest first (admin app). */
  clockDoubtEvents(limit: number): ClockDoubtEventRow[];
  /** Every event of a child (its voids too), oldest first: a disclosure request (child export). */
  eventsOfChild(childId: string): AttendanceEvent[];
  /**
   * Deletes the events of the business days before `date` (retention), within the caller's transaction,
   * and the cloud's refusals of them (relay_rejects). A void of such a day that cancels an event of a kept
   * day stays: the kept day's ledger needs it. `unrelayed`: how many of them the relay had not sent yet.
   */
  deleteBefore(date: string): EventDisposal;
}

/** What EventsStore.deleteBefore deleted. */
export interface EventDisposal {
  events: number;
  unrelayed: number;
  relayRejects: number;
}

/** A row of table events as read back (shared with outbox.ts). */
export interface EventRow extends EventColumns {
  hub_seq: number;
}

/** The columns eventFromColumns reads, and hub_seq (shared with outbox.ts). */
export const EVENT_COLUMNS =
  'hub_seq, id, type, child_id, occurred_at, device_id, seq, method, actor, voids, note, clock_doubt';
/** The order EventStore.eventsOn promises; id last so that the order is total. */
const EVENT_ORDER = 'occurred_ms, device_id, seq, id';

/**
 * Synchronous on purpose: better-sqlite3 is synchronous, and the ingest path relies on a group of events
 * being checked and committed without yielding to the event loop.
 */
export class SqliteEventsStore implements EventsStore {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly localDates: LocalDates;
  private readonly stmts: {
    insertEvent: Statement;
    eventRef: Statement<[string], { child_id: string; device_id: string; occurred_ms: number }>;
    eventsOn: Statement<[string], EventRow>;
    countEvents: Statement<[], { n: number }>;
  };
  private readonly insertTx: Transaction<
    (events: readonly AttendanceEvent[], receivedAt: string) => InsertOutcome
  >;

  /** `timeZone`: the facility's, which decides an event's business day. */
  constructor(db: Db, clock: Clock, timeZone: string) {
    this.db = db;
    this.clock = clock;
    this.localDates = new LocalDates(timeZone);
    this.stmts = {
      insertEvent: db.prepare(
        `INSERT INTO events (id, type, child_id, occurred_at, occurred_ms, device_id, seq, method, actor, voids,
           note, clock_doubt, local_date, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      ),
      eventRef: db.prepare('SELECT child_id, device_id, occurred_ms FROM events WHERE id = ?'),
      eventsOn: db.prepare(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE local_date = ? ORDER BY ${EVENT_ORDER}`,
      ),
      countEvents: db.prepare('SELECT count(*) AS n FROM events'),
    };
    this.insertTx = db.transaction((events: readonly AttendanceEvent[], receivedAt: string) =>
      this.insertInTransaction(events, receivedAt),
    );
  }

  eventRef(id: string): EventRef | undefined {
    const r = this.stmts.eventRef.get(id);
    return r && { childId: r.child_id, deviceId: r.device_id, occurredMs: r.occurred_ms };
  }

  eventById(id: string): AttendanceEvent | undefined {
    const r = this.db.prepare<[string], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE id = ?`).get(id);
    return r && eventFromColumns(r);
  }

  voidersOf(id: string): string[] {
    return this.db
      .prepare<[string], { id: string }>('SELECT id FROM events WHERE voids = ? ORDER BY hub_seq')
      .all(id)
      .map((r) => r.id);
  }

  insertEvents(
    events: readonly AttendanceEvent[],
    receivedAt = this.clock.now().toISOString(),
  ): InsertOutcome {
    return this.insertTx.immediate(events, receivedAt);
  }

  insertInTransaction(events: readonly AttendanceEvent[], receivedAt: string): InsertOutcome {
    const out: InsertOutcome = { inserted: [], duplicates: [] };
    const insert = this.stmts.insertEvent;
    const dates = this.localDates;
    for (const e of events) {
      const day = dates.of(e.occurredAt);
      const changes = insert.run(
        e.id,
        e.type,
        e.childId,
        e.occurredAt,
        Date.parse(e.occurredAt),
        e.deviceId,
        e.seq,
        e.method,
        e.actor,
        e.voids ?? null,
        e.note ?? null,
        e.clockDoubt ?? null,
        day,
        receivedAt,
      ).changes;
      if (changes === 1) out.inserted.push({ event: e, localDate: day });
      else out.duplicates.push(e.id);
    }
    return out;
  }

  nextDeviceSeq(deviceId: string): number {
    const stored =
      this.db
        .prepare<[string], { m: number | null }>('SELECT max(seq) AS m FROM events WHERE device_id = ?')
        .get(deviceId)?.m ?? 0;
    const counted =
      this.db
        .prepare<[string], { last_seq: number }>('SELECT last_seq FROM device_seq WHERE device_id = ?')
        .get(deviceId)?.last_seq ?? 0;
    const next = Math.max(stored, counted) + 1;
    this.db
      .prepare(
        `INSERT INTO device_seq (device_id, last_seq) VALUES (?, ?)
         ON CONFLICT (device_id) DO UPDATE SET last_seq = excluded.last_seq`,
      )
      .run(deviceId, next);
    return next;
  }

  eventsOn(date: string): AttendanceEvent[] {
    return this.stmts.eventsOn.all(date).map(eventFromColumns);
  }

  rollcallEventsOn(date: string): AttendanceEvent[] {
    const rows = this.db
      .prepare<[string, string, string], EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE local_date = ?
         UNION ALL
         SELECT ${EVENT_COLUMNS} FROM events
          WHERE local_date <> ? AND voids IN (SELECT id FROM events WHERE local_date = ?)`,
      )
      .all(date, date, date);
    return rows.map(eventFromColumns);
  }

  ledgerEvents(from: string, to: string): AttendanceEvent[] {
    const rows = this.db
      .prepare<[string, string, string, string, string, string], EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE local_date BETWEEN ? AND ?
         UNION ALL
         SELECT ${EVENT_COLUMNS} FROM events
          WHERE local_date NOT BETWEEN ? AND ?
            AND voids IN (SELECT id FROM events WHERE local_date BETWEEN ? AND ?)`,
      )
      .all(from, to, from, to, from, to);
    return rows.map(eventFromColumns);
  }

  eventsWithVoids(from: string, to: string, childId?: string): AttendanceEvent[] {
    // UNION (not UNION ALL) also ends a malformed cycle of voids.
    const rows = this.db
      .prepare<{ from: string; to: string; child: string | null }, EventRow>(
        `WITH RECURSIVE kept(id) AS (
           SELECT id FROM events
            WHERE local_date BETWEEN @from AND @to AND (@child IS NULL OR child_id = @child)
           UNION
           SELECT e.id FROM events e JOIN kept k ON e.voids = k.id
         )
         SELECT ${EVENT_COLUMNS} FROM events WHERE id IN (SELECT id FROM kept) ORDER BY ${EVENT_ORDER}`,
      )
      .all({ from, to, child: childId ?? null });
    return rows.map(eventFromColumns);
  }

  firstDate(): string | undefined {
    return (
      this.db.prepare<[], { d: string | null }>('SELECT min(local_date) AS d FROM events').get()?.d ??
      undefined
    );
  }

  localDateOf(instant: string | Date): string {
    return this.localDates.of(instant);
  }

  countEvents(): number {
    return this.stmts.countEvents.get()?.n ?? 0;
  }

  // Events stamped while the kiosk's clock was in doubt: both read the partial index events_clock_doubt.

  clockDoubtCount(): number {
    return (
      this.db
        .prepare<[], { n: number }>('SELECT count(*) AS n FROM events WHERE clock_doubt IS NOT NULL')
        .get()?.n ?? 0
    );
  }

  clockDoubtEvents(limit: number): ClockDoubtEventRow[] {
    return this.db
      .prepare<[number], ClockDoubtEventRow>(
        `SELECT id, type, child_id AS childId, device_id AS deviceId, occurred_at AS occurredAt,
           received_at AS receivedAt, clock_doubt AS clockDoubt
         FROM events WHERE clock_doubt IS NOT NULL ORDER BY hub_seq DESC LIMIT ?`,
      )
      .all(limit);
  }

  // Disclosure and retention (edge-hub/facility/child-export.ts, retention.ts).

  eventsOfChild(childId: string): AttendanceEvent[] {
    return this.db
      .prepare<[string], EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE child_id = ? ORDER BY ${EVENT_ORDER}`,
      )
      .all(childId)
      .map(eventFromColumns);
  }

  deleteBefore(date: string): EventDisposal {
    // Deleting rows never disturbs the relay: it reads hub_seq > cursor, and AUTOINCREMENT never hands
    // out a deleted hub_seq again, so no new event can land behind the cursor.
    const expired = `local_date < @date AND NOT (voids IS NOT NULL AND voids IN
      (SELECT id FROM events WHERE local_date >= @date))`;
    const unrelayed =
      this.db
        .prepare<[{ date: string }], { n: number }>(
          `SELECT count(*) AS n FROM events
           WHERE ${expired} AND hub_seq > (SELECT cursor FROM relay_state WHERE id = 1)`,
        )
        .get({ date })?.n ?? 0;
    const relayRejects = this.db
      .prepare(`DELETE FROM relay_rejects WHERE event_id IN (SELECT id FROM events WHERE ${expired})`)
      .run({ date }).changes;
    const events = this.db.prepare(`DELETE FROM events WHERE ${expired}`).run({ date }).changes;
    return { events, unrelayed, relayRejects };
  }
}
