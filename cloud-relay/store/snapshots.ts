import { ValidationError } from '../../common/errors.ts';
import { decodeStoredJson, describeIssues } from '../../protocol/index.ts';
import { FacilitySnapshotSchema, type FacilitySnapshot } from '../../protocol/ledger.ts';
import { CloudErrorCodes } from '../errors.ts';
import { canonicalTimeZone, checkDate } from './inputs.ts';
import { timeZoneMismatch } from './refusals.ts';
import type { Facility } from './types.ts';

/**
 * Checks shared by the backends for facility snapshots and ledger ranges, so that both refuse the same
 * input with the same codes before touching storage.
 */

/** The JSON text a backend stores for `snapshot`: validated, and naming `facilityId`. */
export function snapshotText(facilityId: string, snapshot: FacilitySnapshot): string {
  // Typed callers could still hand over something built by hand; nothing malformed is ever stored.
  const parsed = FacilitySnapshotSchema.safeParse(snapshot);
  if (!parsed.success) {
    throw new ValidationError(CloudErrorCodes.invalidSnapshot, describeIssues(parsed.error), 'snapshot');
  }
  if (parsed.data.facilityId !== facilityId) {
    throw new ValidationError(
      CloudErrorCodes.invalidSnapshot,
      `the snapshot is of facility ${parsed.data.facilityId}, not ${facilityId}`,
      'facilityId',
    );
  }
  return JSON.stringify(parsed.data);
}

/** A snapshot's zone must be the facility's: its events' business dates were derived with that zone. */
export function checkSnapshotZone(facility: Facility, snapshot: FacilitySnapshot): void {
  const zone = canonicalTimeZone(snapshot.timeZone);
  if (zone !== facility.timeZone) throw timeZoneMismatch(facility.facilityId, facility.timeZone, zone);
}

/** Reads back a stored snapshot (stored only after validation, so a failure here is corruption). */
export function snapshotFromText(text: string): FacilitySnapshot {
  return decodeStoredJson(FacilitySnapshotSchema, text);
}

/** [from, to] as calendar dates, from not after to. */
export function checkDateRange(from: string, to: string): void {
  checkDate(from);
  checkDate(to);
  if (from > to) {
    throw new ValidationError(
      CloudErrorCodes.invalidDate,
      `the range ${from}…${to} ends before it starts`,
      'to',
    );
  }
}
