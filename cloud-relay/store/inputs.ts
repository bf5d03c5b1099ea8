import { ValidationError } from '../../common/errors.ts';
import { isValidDate, isValidTimeZone } from '../../common/time.ts';
import { IdSchema } from '../../protocol/index.ts';
import { CloudErrorCodes } from '../errors.ts';

/** Argument checks every backend applies before touching storage, so bad input changes nothing. */
export function checkId(value: string, field: string): string {
  if (!IdSchema.safeParse(value).success) {
    throw new ValidationError(
      CloudErrorCodes.invalidId,
      `${field} must be 1–64 letters, digits, _ or -, starting with a letter or digit`,
      field,
    );
  }
  return value;
}

/** The canonical IANA spelling (asia/tokyo → Asia/Tokyo), so that equal zones compare equal. */
export function canonicalTimeZone(timeZone: string): string {
  if (timeZone.length === 0 || timeZone.length > 64 || !isValidTimeZone(timeZone)) {
    throw new ValidationError(
      CloudErrorCodes.invalidTimeZone,
      `not an IANA time zone: ${timeZone}`,
      'timeZone',
    );
  }
  return new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
}

/** A calendar date YYYY-MM-DD (BEGINNING_OF_TIME included). */
export function checkDate(date: string): string {
  if (!isValidDate(date)) {
    throw new ValidationError(CloudErrorCodes.invalidDate, 'date must be a calendar date YYYY-MM-DD', 'date');
  }
  return date;
}

/** An organisation's display name: 1–200 characters once trimmed. */
export function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 200) {
    throw new ValidationError(CloudErrorCodes.invalidName, 'name must be 1–200 characters', 'name');
  }
  return trimmed;
}

/** An instant (RFC 3339 with offset) as the UTC ISO 8601 text events' receipt times are stored in. */
export function checkInstant(instant: string, field: string): string {
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(instant) ? Date.parse(instant) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new ValidationError(CloudErrorCodes.invalidDate, `${field} must be an RFC 3339 instant`, field);
  }
  return new Date(ms).toISOString();
}

/** A page size: 1 … max (a larger one is cut to max). */
export function pageLimit(limit: number, max: number): number {
  return Number.isSafeInteger(limit) && limit >= 1 ? Math.min(limit, max) : max;
}
