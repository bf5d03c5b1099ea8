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
