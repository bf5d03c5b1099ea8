import type { Statement } from 'better-sqlite3';
import { eventFromColumns } from '../../common/event-store.ts';
import type { Db } from '../../common/sqlite.ts';
import type { Clock } from '../../common/time.ts';
import type { AttendanceEvent } from '../../protocol/index.ts';
import { EVENT_COLUMNS, type EventRow } from './events.ts';

export interface RelayReject {
  id: string;
  code: string;
  message: string;
}

/** What waits for the cloud: events after the relay cursor, and when the hub received the first of them. */
export interface RelayBacklog {
  waiting: number;
  /** received_at of the oldest waiting event (UTC ISO 8601); null when none waits. */
  oldestReceivedAt: string | null;
}

/** A cloud-refused event with what the admin app shows of it. */
export interface RejectedEventRow extends RelayReject {
  type: AttendanceEvent['type'];
  childId: string;
  occurredAt: string;
  deviceId: string;
  rejectedAt: string;
}

/**
 * The events' way to the cloud (tables relay_state, relay_rejects): the cursor is the last hub_seq the
 * cloud answered for, so every event after it is still to send.
 */
export interface OutboxStore {
  relayCursor(): number;
  /** Up to `limit` events stored after hub_seq `cursor`, in storage order. */
  eventsAfter(cursor: number, limit: number): { hubSeq: number; event: AttendanceEvent }[];
  /** Records the cloud's answer to a batch: its rejects, and the new cursor, in one transaction. */
  advanceRelay(cursor: number, rejects: readonly (RelayReject & { hubSeq: number })[]): void;
  relayRejects(): (RelayReject & { hubSeq: number })[];
  /** One read, so that the count and the oldest agree (relay health). */
  relayBacklog(): RelayBacklog;
  relayRejectCount(): number;
  /** The newest `limit` cloud-refused events, with the event's own fields (admin app). */
  rejectedEvents(limit: number): RejectedEventRow[];
}

export class SqliteOutboxStore implements OutboxStore {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly stmts: {
    eventsAfter: Statement<[number, number], EventRow>;
    relayCursor: Statement<[], { cursor: number }>;
  };

  constructor(db: Db, clock: Clock) {
    this.db = db;
    this.clock = clock;
    this.stmts = {
      eventsAfter: db.prepare(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE hub_seq > ? ORDER BY hub_seq LIMIT ?`,
      ),
      relayCursor: db.prepare('SELECT cursor FROM relay_state WHERE id = 1'),
    };
  }

  relayCursor(): number {
    return this.stmts.relayCursor.get()?.cursor ?? 0;
  }

  eventsAfter(cursor: number, limit: number): { hubSeq: number; event: AttendanceEvent }[] {
    return this.stmts.eventsAfter
      .all(cursor, limit)
      .map((r) => ({ hubSeq: r.hub_seq, event: eventFromColumns(r) }));
  }

  advanceRelay(cursor: number, rejects: readonly (RelayReject & { hubSeq: number })[]): void {
    const db = this.db;
    db.transaction(() => {
      const ins = db.prepare(
        `INSERT INTO relay_rejects (event_id, hub_seq, code, message, rejected_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (event_id) DO UPDATE SET code = excluded.code, message = excluded.message,
           rejected_at = excluded.rejected_at`,
      );
      const at = this.clock.now().toISOString();
      for (const r of rejects) ins.run(r.id, r.hubSeq, r.code, r.message, at);
      db.prepare('UPDATE relay_state SET cursor = ? WHERE id = 1 AND cursor < ?').run(cursor, cursor);
    }).immediate();
  }

  relayRejects(): (RelayReject & { hubSeq: number })[] {
    return this.db
      .prepare<[], RelayReject & { hubSeq: number }>(
        'SELECT event_id AS id, hub_seq AS hubSeq, code, message FROM relay_rejects ORDER BY hub_seq',
      )
      .all();
  }

  relayBacklog(): RelayBacklog {
    const r = this.db
      .prepare<[], { waiting: number; oldest: string | null }>(
        `SELECT (SELECT count(*) FROM events WHERE hub_seq > s.cursor) AS waiting,
           (SELECT received_at FROM events WHERE hub_seq > s.cursor ORDER BY hub_seq LIMIT 1) AS oldest
         FROM relay_state s WHERE s.id = 1`,
      )
      .get();
    return { waiting: r?.waiting ?? 0, oldestReceivedAt: r?.oldest ?? null };
  }

  relayRejectCount(): number {
    return this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM relay_rejects').get()?.n ?? 0;
  }

  rejectedEvents(limit: number): RejectedEventRow[] {
    return this.db
      .prepare<[number], RejectedEventRow>(
        `SELECT r.event_id AS id, r.code, r.message, r.rejected_at AS rejectedAt, e.type, e.child_id AS childId,
           e.occurred_at AS occurredAt, e.device_id AS deviceId
         FROM relay_rejects r JOIN events e ON e.hub_seq = r.hub_seq
         ORDER BY r.rejected_at DESC, r.hub_seq DESC LIMIT ?`,
      )
      .all(limit);
  }
}
