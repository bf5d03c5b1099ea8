import type { AttendanceEvent } from '../protocol/index.ts';

export interface InsertResult {
  /** Ids stored by this call, in input order. */
  inserted: string[];
  /** Ids that were already stored (by an earlier call or earlier in the same call); left unchanged. */
  duplicates: string[];
}

/**
 * The storage contract every event log implements: the kiosk outbox, the hub store and each cloud
 * backend (SQLite, PostgreSQL). test/contract/event-store.ts is the one suite all of them pass.
 * A store serves one facility here; multi-facility stores are bound to one by their adapter.
 */
export interface EventStore {
  /** Stores the events idempotently by id in one durable transaction; the first copy of an id wins. */
  insertEvents(events: readonly AttendanceEvent[]): Promise<InsertResult>;
  /** Events whose business date in the facility's time zone is `date`, by occurredAt then deviceId, seq. */
  eventsOn(date: string): Promise<AttendanceEvent[]>;
  countEvents(): Promise<number>;
  close(): Promise<void>;
}

/** The columns of an event row, as every SQL backend stores them (optional fields nullable). */
export interface EventColumns {
  id: string;
  type: AttendanceEvent['type'];
  child_id: string;
  occurred_at: string;
  device_id: string;
  seq: number;
  method: AttendanceEvent['method'];
  actor: string | null;
  voids: string | null;
  note: string | null;
  clock_doubt: AttendanceEvent['clockDoubt'] | null;
}

/** Rebuilds the event with the key order of EventSchema; absent optional fields stay absent, so events round-trip exactly. */
export function eventFromColumns(row: EventColumns): AttendanceEvent {
  const event: AttendanceEvent = {
    id: row.id,
    type: row.type,
    childId: row.child_id,
    occurredAt: row.occurred_at,
    deviceId: row.device_id,
    seq: row.seq,
    method: row.method,
    actor: row.actor,
  };
  if (row.voids !== null) event.voids = row.voids;
  if (row.note !== null) event.note = row.note;
  if (row.clock_doubt !== null) event.clockDoubt = row.clock_doubt;
  return event;
}
