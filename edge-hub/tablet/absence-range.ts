import { createHash } from 'node:crypto';
import { isValidDate } from '../../common/time.ts';
import { ABSENCE_RANGE_MAX_DAYS } from '../../protocol/index.ts';

const DAY_MS = 86_400_000;

/**
 * The calendar dates of an absence from `date` to `until`, both included, or a reason why there are none
 * to record: `until` not a date, before `date`, or more than ABSENCE_RANGE_MAX_DAYS days in all.
 * `date` itself is checked by the caller (today or later).
 */
export function absenceDates(date: string, until: string): string[] | string {
  if (!isValidDate(until)) return 'until must be a date YYYY-MM-DD';
  if (until < date) return 'until must be on or after date';
  const start = Date.parse(`${date}T00:00:00Z`);
  const days = Math.round((Date.parse(`${until}T00:00:00Z`) - start) / DAY_MS) + 1;
  if (days > ABSENCE_RANGE_MAX_DAYS) return `an absence covers at most ${ABSENCE_RANGE_MAX_DAYS} days`;
  return Array.from({ length: days }, (_, i) => new Date(start + i * DAY_MS).toISOString().slice(0, 10));
}

/**
 * The event id of one day of an absence action: the action's own id for its first day, and for each later
 * day a UUID derived from the action id and the date, so that a retried request makes the same ids and
 * stores each day once. The derived id is a UUID version 8 (RFC 9562, custom): the first 16 bytes of
 * SHA-256(`${actionId lower-cased}/${date}`) with the version nibble set to 8 and the variant bits to 10.
 */
export function absenceDayId(actionId: string, date: string, first: boolean): string {
  if (first) return actionId;
  return derivedUuid(`${actionId.toLowerCase()}/${date}`);
}

/**
 * A UUID version 8 (RFC 9562, custom) derived from `seed`: the first 16 bytes of SHA-256(seed) with the
 * version nibble set to 8 and the variant bits to 10. The same seed always gives the same id.
 */
export function derivedUuid(seed: string): string {
  const b = createHash('sha256').update(seed).digest().subarray(0, 16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x80;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
