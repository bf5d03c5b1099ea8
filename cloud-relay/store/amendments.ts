import { ValidationError } from '../../common/errors.ts';
import { AmendmentSchema, type Amendment } from '../../protocol/history.ts';
import { decodeStoredJson, describeIssues } from '../../protocol/index.ts';
import { CloudErrorCodes } from '../errors.ts';
import { checkDate } from './inputs.ts';
import { amendmentConflict } from './refusals.ts';

/** Checks shared by the backends for amendments, so that both refuse and decide alike. */

/** An amendment as a backend stores it: its key, day and order columns and its JSON text. */
export interface AmendmentText {
  correctionId: string;
  date: string;
  at: string;
  text: string;
}

/** The row a backend stores for `amendment`: validated, its date a calendar date. */
export function amendmentText(amendment: Amendment): AmendmentText {
  // Typed callers could still hand over something built by hand; nothing malformed is ever stored.
  const parsed = AmendmentSchema.safeParse(amendment);
  if (!parsed.success) {
    throw new ValidationError(CloudErrorCodes.invalidAmendment, describeIssues(parsed.error), 'amendment');
  }
  const a = parsed.data;
  checkDate(a.date);
  return { correctionId: a.correctionId, date: a.date, at: a.at, text: JSON.stringify(a) };
}

/** Store it, or nothing (the same content again); other content under its id is refused. */
export function amendmentVerdict(
  facilityId: string,
  incoming: AmendmentText,
  storedText: string | undefined,
): 'store' | 'same' {
  if (storedText === undefined) return 'store';
  if (storedText === incoming.text) return 'same';
  throw amendmentConflict(facilityId, incoming.correctionId);
}

/** Reads back a stored amendment (stored only after validation, so a failure here is corruption). */
export function amendmentFromText(text: string): Amendment {
  return decodeStoredJson(AmendmentSchema, text);
}
