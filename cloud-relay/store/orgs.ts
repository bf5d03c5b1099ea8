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

export function assembleOrgFacilities(
  facilities: readonly { facilityId: string; timeZone: string; name: string | null }[],
  hubs: readonly { hubId: string; facilityId: string; lastRelayAt: string | null }[],
): OrgFacility[] {
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
      name: f.name,
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
