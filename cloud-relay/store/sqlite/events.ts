import Database from 'better-sqlite3';
import { eventFromColumns, type EventColumns } from '../../../common/event-store.ts';
import { localDate } from '../../../common/time.ts';
import type { AttendanceEvent, Rejection } from '../../../protocol/index.ts';
import type { CloudEvents } from '../aggregates.ts';
import {
  batchResult,
  deriveRow,
  EVENT_COLUMN_NAMES,
  instantKey,
  storeRejection,
  type Outcome,
} from '../events.ts';
import { checkDate, checkId, checkInstant, pageLimit } from '../inputs.ts';
import { checkDateRange } from '../snapshots.ts';
import { CATCH_UP_PAGE_MAX } from '../../../protocol/resync.ts';
import type { BatchInsertResult, ReceiptCursor, ReceivedEventsPage } from '../types.ts';
import type { SqliteConnection } from './connection.ts';
import type { SqliteFacilities } from './facilities.ts';
import type { SqliteHubs } from './hubs.ts';

type EventRow = EventColumns & {
  facility_id: string;
  occurred_ms: number;
  occurred_sub_ms: number;
  local_date: string;
  hub_id: string;
  received_at: string;
};

const EVENT_COLUMNS = EVENT_COLUMN_NAMES.join(', ');

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

/**
 * The event log of every facility (table events): batches in, ledger and day queries out. A batch is one
 * immediate transaction; a data error in it is isolated by redoing the batch one event per savepoint.
 */
export class SqliteEvents implements CloudEvents {
  private readonly conn: SqliteConnection;
  private readonly facilities: SqliteFacilities;
  private readonly hubs: SqliteHubs;
  private readonly stmt;
  /** One insert inside a savepoint (called within a transaction): a refused row is rolled back alone. */
  private readonly insertSavepointed: (row: EventRow) => number;

  constructor(conn: SqliteConnection, facilities: SqliteFacilities, hubs: SqliteHubs) {
    this.conn = conn;
    this.facilities = facilities;
    this.hubs = hubs;
    const { db } = conn;
    this.stmt = {
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
      receivedSince: db.prepare<
        [{ facility: string; since: string; at: string; id: string; limit: number }],
        EventColumns & { received_at: string }
      >(
        `SELECT ${EVENT_COLUMNS}, received_at FROM events
         WHERE facility_id = @facility AND received_at >= @since AND (received_at, id) > (@at, @id)
         ORDER BY received_at, id LIMIT @limit`,
      ),
      countAll: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM events'),
      countFacility: db.prepare<[string], { n: number }>(
        'SELECT count(*) AS n FROM events WHERE facility_id = ?',
      ),
    };
    const insertEvent = this.stmt.insertEvent;
    this.insertSavepointed = db.transaction((row: EventRow) => insertEvent.run(row).changes);
  }

  insertBatch(
    facilityId: string,
    hubId: string,
    events: readonly AttendanceEvent[],
  ): Promise<BatchInsertResult> {
    return this.conn.run(() => {
      checkId(facilityId, 'facilityId');
      checkId(hubId, 'hubId');
      const facility = this.facilities.facilityOf(facilityId);
      const receivedAt = this.conn.clock.now().toISOString();
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
            local_date: localDate(new Date(key.ms), facility.timeZone),
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
        this.conn.log.warn(
          { facilityId, hubId, reason: err.code },
          'batch refused by the database; storing one by one',
        );
        outcomes = this.insertRows(derived, receivedAt, hubId, true);
      }
      return batchResult(events, outcomes, this.conn.log, { facilityId, hubId });
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
    return this.conn.db
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
        this.hubs.touchHub(hubId, receivedAt);
        return outcomes;
      })
      .immediate();
  }

  eventsOn(facilityId: string, date: string): Promise<AttendanceEvent[]> {
    return this.conn.run(() => {
      checkDate(date);
      return this.stmt.eventsOn.all(facilityId, date).map(eventFromColumns);
    });
  }

  ledgerEvents(facilityId: string, from: string, to: string): Promise<AttendanceEvent[]> {
    return this.conn.run(() => {
      checkDateRange(from, to);
      return this.stmt.ledgerEvents.all({ facility: facilityId, from, to }).map(eventFromColumns);
    });
  }

  eventsReceivedSince(
    facilityId: string,
    since: string,
    after: ReceiptCursor | null,
    limit: number,
  ): Promise<ReceivedEventsPage> {
    return this.conn.run(() => {
      const n = pageLimit(limit, CATCH_UP_PAGE_MAX);
      const rows = this.stmt.receivedSince.all({
        facility: facilityId,
        since: checkInstant(since, 'since'),
        at: after?.receivedAt ?? '',
        id: after?.id ?? '',
        limit: n,
      });
      const last = rows.at(-1);
      return {
        events: rows.map(eventFromColumns),
        next: rows.length === n && last !== undefined ? { receivedAt: last.received_at, id: last.id } : null,
      };
    });
  }

  countEvents(facilityId?: string): Promise<number> {
    return this.conn.run(() =>
      facilityId === undefined
        ? countOf(this.stmt.countAll.get())
        : countOf(this.stmt.countFacility.get(facilityId)),
    );
  }
}

function countOf(row: { n: number } | undefined): number {
  return row?.n ?? 0;
}
