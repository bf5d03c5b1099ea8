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
