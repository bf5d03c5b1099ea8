import { ValidationError } from '../../common/errors.ts';
import { ErrorCodes, type AttendanceEvent } from '../../protocol/index.ts';

/**
 * Helpers shared by the storage backends: how an event is keyed for ordering and rebuilt from columns.
 * occurredAt keeps its original text (the event round-trips exactly); ordering uses the instant, since
 * strings with different offsets do not sort chronologically.
 */
export interface InstantKey {
  /** Milliseconds since the epoch (Date.parse truncates the fraction to milliseconds). */
  ms: number;
  /** Nanoseconds below the millisecond, 0–999999, from fraction digits 4–9; finer digits are ignored. */
  subMs: number;
}

const FRACTION_RE = /\.(\d+)(?:Z|[+-]\d{2}:\d{2})$/i;

export function instantKey(occurredAt: string): InstantKey {
  const ms = Date.parse(occurredAt);
  if (!Number.isFinite(ms)) {
    throw new ValidationError(ErrorCodes.invalidEvent, 'occurredAt: not a valid instant', 'occurredAt');
  }
  const fraction = FRACTION_RE.exec(occurredAt)?.[1] ?? '';
  return { ms, subMs: Number(fraction.slice(3, 9).padEnd(6, '0')) };
}

/** The columns of an event row, as every backend stores them (nullable optional fields). */
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
}

/** Rebuilds the event with the key order of EventSchema; absent optional fields stay absent. */
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
  return event;
}
