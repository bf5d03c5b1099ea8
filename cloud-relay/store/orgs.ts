import { inEffect } from '../../common/ledger/timeline.ts';
import { localDate } from '../../common/time.ts';
import type { AttendanceEvent } from '../../protocol/index.ts';
import type { FacilitySnapshot } from '../../protocol/ledger.ts';
import type { OrgFacility, RollupInput } from './types.ts';

/** Shared by the backends: how the rows of the organisation queries become the store's results. */

/** The latest of ISO 8601 UTC instants (all toISOString, so they compare as text); null for none. */
function latest(instants: readonly (string | null)[]): string | null {
  let max: string | null = null;
  for (const t of instants) if (t !== null && (max === null || t > max)) max = t;
  return max;
}

/** The facility name of a version (from its snapshot), as the org listing reads it. */
export interface VersionName {
  facilityId: string;
  version: number;
  effectiveFrom: string;
  name: string | null;
}

/**
 * The organisation's facilities with their hubs; each named after its snapshot in effect today (in its
 * own time zone, at `now`), null before a hub sent one.
 */
export function assembleOrgFacilities(
  facilities: readonly { facilityId: string; timeZone: string }[],
  versions: readonly VersionName[],
  hubs: readonly { hubId: string; facilityId: string; lastRelayAt: string | null }[],
  now: Date,
): OrgFacility[] {
  const versionsOf = new Map<string, VersionName[]>();
  for (const v of versions) {
    const list = versionsOf.get(v.facilityId) ?? [];
    list.push(v);
    versionsOf.set(v.facilityId, list);
  }
  const byFacility = new Map<string, { hubId: string; lastRelayAt: string | null }[]>();
  for (const h of hubs) {
    const list = byFacility.get(h.facilityId) ?? [];
    list.push({ hubId: h.hubId, lastRelayAt: h.lastRelayAt });
    byFacility.set(h.facilityId, list);
  }
  return facilities.map((f) => {
    const own = byFacility.get(f.facilityId) ?? [];
    return {
      facilityId: f.facilityId,
      name: inEffect(versionsOf.get(f.facilityId) ?? [], localDate(now, f.timeZone))?.name ?? null,
      timeZone: f.timeZone,
      hubs: own,
      lastRelayAt: latest(own.map((h) => h.lastRelayAt)),
    };
  });
}

export function assembleRollupInputs(
  facilities: readonly {
    facilityId: string;
    snapshot: FacilitySnapshot | undefined;
    lastRelayAt: string | null;
  }[],
  events: readonly { facilityId: string; event: AttendanceEvent }[],
): RollupInput[] {
  const byFacility = new Map<string, AttendanceEvent[]>();
  for (const { facilityId, event } of events) {
    const list = byFacility.get(facilityId) ?? [];
    list.push(event);
    byFacility.set(facilityId, list);
  }
  return facilities.map((f) => ({ ...f, events: byFacility.get(f.facilityId) ?? [] }));
}
