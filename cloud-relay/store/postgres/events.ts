import { DatabaseError } from 'pg';
import type { AttendanceEvent } from '../../../protocol/index.ts';
import type { CloudEvents } from '../aggregates.ts';
import {
  batchResult,
  deriveRow,
  EVENT_COLUMN_NAMES,
  instantKey,
  storeRejection,
  type InstantKey,
  type Outcome,
} from '../events.ts';
import { checkDate, checkId, checkInstant, pageLimit } from '../inputs.ts';
import { checkDateRange } from '../snapshots.ts';
import { CATCH_UP_PAGE_MAX } from '../../../protocol/resync.ts';
import type { BatchInsertResult, ReceiptCursor, ReceivedEventsPage } from '../types.ts';
import { EVENT_COLUMNS, eventFromRow, type EventRow, type PgConnection } from './connection.ts';
import type { PgFacilities } from './facilities.ts';
import type { PgHubs } from './hubs.ts';

/** An event of a batch with what its row is derived from, and its position in the batch. */
interface PgRow {
  e: AttendanceEvent;
  index: number;
  key: InstantKey;
  date: string;
}

/**
 * SQLSTATE classes 22 (data exception: a value out of range, a malformed date, a NUL in text) and 23
 * (integrity constraint violation: CHECK, NOT NULL, a trigger's refusal coded so): the event's own
 * fault. Every other error (connection, resources, locks, serialization, a bug in a statement) says
 * nothing against the event, so it fails the call for a resend.
 */
function isDataError(err: unknown): err is DatabaseError & { code: string } {
  return err instanceof DatabaseError && err.code !== undefined && /^2[23]/.test(err.code);
}

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
 * The event log of every facility (table events): batches in, ledger and day queries out. A batch is one
 * statement; a data error in it is isolated by redoing the batch one event per savepoint.
 */
export class PgEvents implements CloudEvents {
  private readonly conn: PgConnection;
  private readonly facilities: PgFacilities;
  private readonly hubs: PgHubs;

  constructor(conn: PgConnection, facilities: PgFacilities, hubs: PgHubs) {
    this.conn = conn;
    this.facilities = facilities;
    this.hubs = hubs;
  }

  async insertBatch(
    facilityId: string,
    hubId: string,
    events: readonly AttendanceEvent[],
  ): Promise<BatchInsertResult> {
    this.conn.checkOpen();
    checkId(facilityId, 'facilityId');
    checkId(hubId, 'hubId');
    const dates = await this.facilities.localDatesOf(facilityId);
    const receivedAt = this.conn.clock.now().toISOString();
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
          this.conn.pool.query<{ id: string }>(
            INSERT_BATCH,
            batchParams(facilityId, hubId, receivedAt, rows),
          ),
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
        this.conn.log.warn(
          { facilityId, hubId, reason: err.code },
          'batch refused by the database; storing one by one',
        );
        const each = await this.withDeadlockRetry(() =>
          this.insertOneByOne(facilityId, hubId, receivedAt, rows),
        );
        for (const [index, outcome] of each) outcomes[index] = outcome;
      }
    }
    await this.hubs.touchHub(hubId, receivedAt);
    return batchResult(events, outcomes, this.conn.log, { facilityId, hubId });
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
    return this.conn.transaction(async (client) => {
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

  private async withDeadlockRetry<T>(statement: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await statement();
      } catch (err) {
        const code = err instanceof DatabaseError ? err.code : undefined;
        if (code === undefined || !RETRYABLE.has(code) || attempt >= DEADLOCK_RETRIES) throw err;
        this.conn.log.warn({ attempt, code }, 'batch insert deadlocked or not serializable; retrying');
      }
    }
  }

  async eventsOn(facilityId: string, date: string): Promise<AttendanceEvent[]> {
    this.conn.checkOpen();
    checkDate(date);
    const { rows } = await this.conn.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE facility_id = $1 AND local_date = $2::date
       ORDER BY occurred_ms, occurred_sub_ms, device_id, seq, id`,
      [facilityId, date],
    );
    return rows.map(eventFromRow);
  }

  async ledgerEvents(facilityId: string, from: string, to: string): Promise<AttendanceEvent[]> {
    this.conn.checkOpen();
    checkDateRange(from, to);
    const { rows } = await this.conn.pool.query<EventRow>(LEDGER_EVENTS, [facilityId, from, to]);
    return rows.map(eventFromRow);
  }

  async eventsReceivedSince(
    facilityId: string,
    since: string,
    after: ReceiptCursor | null,
    limit: number,
  ): Promise<ReceivedEventsPage> {
    this.conn.checkOpen();
    const from = checkInstant(since, 'since');
    const n = pageLimit(limit, CATCH_UP_PAGE_MAX);
    // Before any event: the epoch and the empty id (ids are COLLATE "C", so '' sorts first).
    const { rows } = await this.conn.pool.query<EventRow & { received_at: Date }>(
      `SELECT ${EVENT_COLUMNS}, received_at FROM events
       WHERE facility_id = $1 AND received_at >= $2::timestamptz
         AND (received_at, id) > ($3::timestamptz, $4::text COLLATE "C")
       ORDER BY received_at, id LIMIT $5`,
      [facilityId, from, after?.receivedAt ?? '1970-01-01T00:00:00.000Z', after?.id ?? '', n],
    );
    const last = rows.at(-1);
    return {
      events: rows.map(eventFromRow),
      next:
        rows.length === n && last !== undefined
          ? { receivedAt: last.received_at.toISOString(), id: last.id }
          : null,
    };
  }

  async countEvents(facilityId?: string): Promise<number> {
    this.conn.checkOpen();
    const { rows } =
      facilityId === undefined
        ? await this.conn.pool.query<{ n: string }>('SELECT count(*) AS n FROM events')
        : await this.conn.pool.query<{ n: string }>(
            'SELECT count(*) AS n FROM events WHERE facility_id = $1',
            [facilityId],
          );
    return Number(rows[0]?.n ?? 0);
  }
}
