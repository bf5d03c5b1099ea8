import { GenkanError, ValidationError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { ErrorCodes, type Rejection } from '../../protocol/index.ts';
import type { BatchInsertResult } from './types.ts';

/** The event columns every cloud backend selects, in EventColumns order. */
export const EVENT_COLUMN_NAMES = [
  'id',
  'type',
  'child_id',
  'occurred_at',
  'device_id',
  'seq',
  'method',
  'actor',
  'voids',
  'note',
  'clock_doubt',
] as const;

/**
 * Helpers shared by the cloud storage backends: how an event is keyed for ordering.
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

/**
 * The `store_error` rejection of one event the database refused as data. `reason` is a database error code
 * (SQLSTATE, SQLite's code) or one of our own messages: database messages can quote the refused values.
 */
export function storeRejection(id: string, reason: string): Rejection {
  return { id, code: ErrorCodes.storeError, message: `the cloud could not store this event (${reason})` };
}

/**
 * Derives an event's row; a ValidationError (an instant that cannot be keyed) makes the event a
 * store_error instead of failing its batch. Anything else is a bug or a failure of the process: thrown.
 */
export function deriveRow<T>(event: { id: string }, derive: () => T): { row: T } | { rejection: Rejection } {
  try {
    return { row: derive() };
  } catch (err) {
    if (err instanceof ValidationError) return { rejection: storeRejection(event.id, err.message) };
    throw err;
  }
}

/** What became of one event of a batch. */
export type Outcome = 'accepted' | 'duplicate' | Rejection;

/**
 * The answer to a batch from the outcome of each of its events (in input order), with a warning for each
 * event the database refused.
 */
export function batchResult(
  events: readonly { id: string }[],
  outcomes: readonly (Outcome | undefined)[],
  log: Logger,
  uploader: { facilityId: string; hubId: string },
): BatchInsertResult {
  const result: BatchInsertResult = { accepted: [], duplicates: [], rejected: [] };
  outcomes.forEach((outcome, i) => {
    const id = events[i]?.id ?? '';
    // Every event has an outcome by now; answering for one without would claim it stored.
    if (outcome === undefined) throw new GenkanError(ErrorCodes.internal, `no outcome for event ${id}`);
    if (outcome === 'accepted') result.accepted.push(id);
    else if (outcome === 'duplicate') result.duplicates.push(id);
    else result.rejected.push(outcome);
  });
  // Ids and the database's code only: the refused values may be personal data.
  for (const r of result.rejected) {
    log.warn({ ...uploader, eventId: r.id, reason: r.message }, 'event refused by the database');
  }
  return result;
}
