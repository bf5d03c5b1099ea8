import type { Statement } from 'better-sqlite3';
import type { InsertResult } from '../../../common/event-store.ts';
import type { Db } from '../../../common/sqlite.ts';
import { localDate, localDayRange } from '../../../common/time.ts';
import {
  EventSchema,
  type AttendanceEvent,
  type EventType,
  type Rejection,
} from '../../../protocol/index.ts';
import { describeIssues } from '../../../protocol/validate.ts';
import type { OwnEvent } from '../../common/decide.ts';
import { KioskError } from '../errors.ts';
import type { MetaTable } from './meta.ts';

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

/** One of the kiosk's recent events with its delivery state, for the maintenance screen. */
export interface RecentOutboxRow {
  event: AttendanceEvent;
  delivery: 'pending' | 'acked' | 'rejected';
  code: string | null;
}

/**
 * The events not yet acknowledged by the hub (table outbox), and the acknowledged ones as the kiosk's own
 * history, with the device's sequence counter (in table meta).
 */
export interface OutboxStore {
  /** The sequence number the next appended event gets. */
  nextSeq(): number;
  /**
   * Gives the drafts consecutive sequence numbers and stores them, all in one transaction: either every
   * event of a tap is durable with no gap in seq, or none is. Returns the stored events.
   */
  append(drafts: readonly EventDraft[], createdAt: Date): AttendanceEvent[];
  /** Stores pre-built events as pending rows, idempotently by id (the first copy wins). */
  insertEvents(events: readonly AttendanceEvent[], createdAt: Date): InsertResult;
  /** Pending events with seq above `afterSeq`, oldest first. */
  pending(options?: { afterSeq?: number; limit?: number }): AttendanceEvent[];
  /** Those of `ids` that are still pending, oldest first. */
  pendingByIds(ids: Iterable<string>): AttendanceEvent[];
  /** Marks events acknowledged; returns the ids this call changed (unknown, acked or rejected ids are skipped). */
  markAcked(ids: readonly string[], at: Date): string[];
  /** Marks events rejected by the hub (never resent); returns the rejections this call recorded. */
  markRejected(rejections: readonly Rejection[]): (Rejection & { id: string })[];
  counts(): OutboxCounts;
  pendingCount(): number;
  /** One outbox row with its delivery state, for inspection. */
  row(id: string): OutboxRow | undefined;
  /**
   * Makes pending again every event acknowledged at or after `since` (a restored hub's resync request,
   * protocol/resync.ts): they are sent again in seq order until acknowledged again. Returns how many.
   */
  requeueAckedSince(since: Date): number;
  /**
   * Deletes events settled before `before`: acknowledged by the hub (stored there and relayed on) or
   * rejected by it. Pending events are never touched, whatever their age: they are the only copy.
   * Returns how many rows went.
   */
  pruneSettled(before: Date): number;
  /** The last `limit` events recorded here, newest first, with their delivery state. */
  recent(limit: number): RecentOutboxRow[];
  /** Events whose local date in `timeZone` is `date`, by occurredAt, then deviceId and seq. */
  eventsOn(date: string, timeZone: string): AttendanceEvent[];
  /**
   * The kiosk's own events of `date` for these children that the hub's roll-call may not reflect yet,
   * oldest first: those not acknowledged, plus those acknowledged at or after `ackedSince` (when the
   * roll-call in hand was received). With `ackedSince` null, all of the day's events count. Rejected
   * events never count.
   */
  dayEventsFor(
    childIds: readonly string[],
    options: { date: string; timeZone: string; ackedSince: string | null },
  ): OwnEvent[];
}

interface RowShape {
  id: string;
  payload: string;
  created_at: string;
  acked_at: string | null;
  rejected_code: string | null;
  rejected_message: string | null;
}

type ChildDayRow = Omit<OwnEvent, 'voidedType'> & { ackedAt: string | null; voidedType: EventType | null };

const NEXT_SEQ = 'next_seq';

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

export class SqliteOutboxStore implements OutboxStore {
  readonly #db: Db;
  readonly #meta: MetaTable;
  readonly #q: {
    insert: Statement<[string, number, string, string, string, string, number, string, string]>;
    pendingAfter: Statement<[number, number], { payload: string }>;
    pendingById: Statement<[string], { payload: string; seq: number }>;
    ack: Statement<[string, string]>;
    reject: Statement<[string, string, string]>;
    counts: Statement<[], OutboxCounts>;
    pendingCount: Statement<[], { n: number }>;
    inWindow: Statement<[number, number], { payload: string }>;
    recent: Statement<[number], { payload: string; acked_at: string | null; rejected_code: string | null }>;
    prune: Statement<[string, string]>;
    requeue: Statement<[string]>;
    row: Statement<[string], RowShape>;
    childDay: Statement<[string, number, number], ChildDayRow>;
  };

  constructor(db: Db, meta: MetaTable) {
    this.#db = db;
    this.#meta = meta;
    this.#q = {
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
      counts: db.prepare<[], OutboxCounts>(
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
      prune: db.prepare<[string, string]>(
        `DELETE FROM outbox
         WHERE (acked_at IS NOT NULL AND acked_at < ?) OR (rejected_code IS NOT NULL AND created_at < ?)`,
      ),
      requeue: db.prepare<[string]>(
        'UPDATE outbox SET acked_at = NULL WHERE acked_at IS NOT NULL AND acked_at >= ? AND rejected_code IS NULL',
      ),
      row: db.prepare<[string], RowShape>(
        'SELECT id, payload, created_at, acked_at, rejected_code, rejected_message FROM outbox WHERE id = ?',
      ),
      childDay: db.prepare<[string, number, number], ChildDayRow>(
        `SELECT o.child_id AS childId, o.type, o.occurred_at AS occurredAt, o.acked_at AS ackedAt,
                v.type AS voidedType
         FROM outbox o LEFT JOIN outbox v ON o.type = 'void' AND v.id = o.payload ->> '$.voids'
         WHERE o.child_id = ? AND o.occurred_ms >= ? AND o.occurred_ms < ? AND o.rejected_code IS NULL
         ORDER BY o.seq`,
      ),
    };
  }

  nextSeq(): number {
    return Number(this.#meta.get(NEXT_SEQ) ?? '1');
  }

  append(drafts: readonly EventDraft[], createdAt: Date): AttendanceEvent[] {
    const created = createdAt.toISOString();
    const run = this.#db.transaction(() => {
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
      this.#meta.set(NEXT_SEQ, String(seq));
      return events;
    });
    // IMMEDIATE: take the write lock before reading next_seq, so two writers can never share a number.
    return run.immediate();
  }

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

  pending(options: { afterSeq?: number; limit?: number } = {}): AttendanceEvent[] {
    return this.#q.pendingAfter
      .all(options.afterSeq ?? 0, options.limit ?? -1)
      .map((r) => JSON.parse(r.payload) as AttendanceEvent);
  }

  pendingByIds(ids: Iterable<string>): AttendanceEvent[] {
    const rows: { payload: string; seq: number }[] = [];
    for (const id of ids) {
      const row = this.#q.pendingById.get(id);
      if (row) rows.push(row);
    }
    return rows.sort((a, b) => a.seq - b.seq).map((r) => JSON.parse(r.payload) as AttendanceEvent);
  }

  markAcked(ids: readonly string[], at: Date): string[] {
    const when = at.toISOString();
    return this.#db.transaction(() => ids.filter((id) => this.#q.ack.run(when, id).changes > 0))();
  }

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

  requeueAckedSince(since: Date): number {
    return this.#q.requeue.run(since.toISOString()).changes;
  }

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

  eventsOn(date: string, timeZone: string): AttendanceEvent[] {
    const q = dayQuery(date, timeZone);
    const events = this.#q.inWindow.all(q.from, q.to).map((r) => JSON.parse(r.payload) as AttendanceEvent);
    return q.exact ? events : events.filter((e) => localDate(e.occurredAt, timeZone) === date);
  }

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
