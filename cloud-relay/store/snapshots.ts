import { ValidationError } from '../../common/errors.ts';
import { versionsFor } from '../../common/ledger/timeline.ts';
import { decodeStoredJson, describeIssues } from '../../protocol/index.ts';
import {
  FacilitySnapshotSchema,
  type FacilitySnapshot,
  type SnapshotVersion,
} from '../../protocol/ledger.ts';
import { CloudErrorCodes } from '../errors.ts';
import { canonicalTimeZone, checkDate } from './inputs.ts';
import { snapshotVersionConflict, timeZoneMismatch } from './refusals.ts';
import type { Facility } from './types.ts';

/**
 * Checks shared by the backends for facility snapshots, their versions and ledger ranges, so that both
 * refuse the same input with the same codes before touching storage, and decide alike.
 */

/** A version as a backend stores it: number, date and the snapshot's JSON text (snapshotText). */
export interface VersionText {
  version: number;
  effectiveFrom: string;
  text: string;
}

/** A stored version row, as both backends read it back. */
export interface StoredVersionText extends VersionText {
  /** Stored by the deprecated PUT /v1/snapshot, or migrated from the single snapshot of before. */
  legacy: boolean;
}

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

/** The row a backend stores for `v`: validated (number, calendar date, snapshot of `facilityId`). */
export function versionText(facilityId: string, v: SnapshotVersion): VersionText {
  if (!Number.isSafeInteger(v.version) || v.version < 1) {
    throw new ValidationError(
      CloudErrorCodes.invalidSnapshot,
      'version must be a positive integer',
      'version',
    );
  }
  checkDate(v.effectiveFrom);
  return { version: v.version, effectiveFrom: v.effectiveFrom, text: snapshotText(facilityId, v.snapshot) };
}

/**
 * What to do with an incoming version given the row stored under its number (if any): store it, or
 * nothing (the same content again); other content is refused, since a version never changes.
 */
export function versionVerdict(
  facilityId: string,
  incoming: VersionText,
  stored: VersionText | undefined,
): 'store' | 'same' {
  if (stored === undefined) return 'store';
  if (stored.effectiveFrom === incoming.effectiveFrom && stored.text === incoming.text) return 'same';
  throw snapshotVersionConflict(facilityId, incoming.version);
}

/** The versions of [from, to] out of all stored rows of a facility, decoded, by version. */
/** A stored version as the wire has it. */
export function versionOfText(r: VersionText): SnapshotVersion {
  return { version: r.version, effectiveFrom: r.effectiveFrom, snapshot: snapshotFromText(r.text) };
}

export function ledgerVersionsOf(
  rows: readonly StoredVersionText[],
  from: string,
  to: string,
): SnapshotVersion[] {
  checkDateRange(from, to);
  return versionsFor(rows, from, to).map(versionOfText);
}
