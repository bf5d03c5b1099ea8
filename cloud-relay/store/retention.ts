import { ValidationError } from '../../common/errors.ts';
import { disposableVersions } from '../../common/ledger/timeline.ts';
import { DEFAULT_SETTINGS } from '../../protocol/settings.ts';
import { checkDate, checkId } from './inputs.ts';
import type { CloudDisposal, CloudDisposalCounts } from './types.ts';

/**
 * Checks and decisions shared by the backends for retention (cloud-relay/retention.ts), so that both
 * delete the same rows and record the same disposal.
 */

/** A facility without a snapshot version keeps its records as long as the default says. */
export const DEFAULT_RETENTION_YEARS = DEFAULT_SETTINGS.retention.years;

/** The years a stored snapshot's retentionYears column read says (null, or not a valid count: default). */
export function retentionYearsOf(value: unknown): number {
  const years = typeof value === 'string' ? Number(value) : value;
  return typeof years === 'number' && Number.isInteger(years) && years >= 1 && years <= 100
    ? years
    : DEFAULT_RETENTION_YEARS;
}

/** Arguments of disposeBefore, checked before touching storage. */
export function checkDisposal(facilityId: string, cutoff: string, retentionYears: number): void {
  checkId(facilityId, 'facilityId');
  checkDate(cutoff);
  if (!Number.isInteger(retentionYears) || retentionYears < 1 || retentionYears > 100) {
    // The code common/retention.ts uses for the same mistake.
    throw new ValidationError('bad_retention', 'retentionYears must be an integer 1–100', 'retentionYears');
  }
}

/** Of a facility's stored versions, the numbers retention may delete (timeline.ts disposableVersions). */
export function versionsToDrop(
  rows: readonly { version: number; effectiveFrom: string }[],
  cutoff: string,
): number[] {
  return disposableVersions(rows, cutoff).map((r) => r.version);
}

/** The disposal record of what a call deleted; undefined when it deleted nothing (no record then). */
export function disposalOf(
  facilityId: string,
  cutoff: string,
  retentionYears: number,
  counts: CloudDisposalCounts,
  at: string,
): CloudDisposal | undefined {
  if (counts.events === 0 && counts.snapshots === 0 && counts.amendments === 0) return undefined;
  return { facilityId, at, cutoff, retentionYears, counts };
}

/** Reads back a stored disposal's counts (written by disposalOf's caller, so a failure is corruption). */
export function countsFromText(text: string): CloudDisposalCounts {
  const parsed = JSON.parse(text) as Partial<CloudDisposalCounts>;
  return { events: parsed.events ?? 0, snapshots: parsed.snapshots ?? 0, amendments: parsed.amendments ?? 0 };
}
