import { ValidationError } from '../../common/errors.ts';
import { ErrorCodes } from '../../protocol/index.ts';

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
