import { foldDay } from '../common/attendance.ts';
import { enrolledOn } from '../common/ledger/source.ts';
import type { RollupInput } from './store/types.ts';

export interface FacilityRollup {
  facilityId: string;
  /** From the snapshot in effect on the date; null before one arrived. */
  name: string | null;
  /**
   * Counts over the snapshot's children enrolled on the date; all null when no snapshot arrived yet (no
   * roster to count).
   */
  expected: number | null;
  present: number | null;
  left: number | null;
  absent: number | null;
  notArrived: number | null;
  lastRelayAt: string | null;
  stale: boolean;
}

/**
 * One facility's `date`: each child of its roster that day (the snapshot in effect, its children enrolled
 * then) folded from the day's events (voids included, also those sent on a later day). `expected` is the
 * roster without the children marked absent.
 */
export function facilityRollup(
  input: RollupInput,
  date: string,
  nowMs: number,
  staleAfterMs: number,
): FacilityRollup {
  const stale = input.lastRelayAt === null || nowMs - Date.parse(input.lastRelayAt) > staleAfterMs;
  const base = { facilityId: input.facilityId, lastRelayAt: input.lastRelayAt, stale };
  const { snapshot } = input;
  if (snapshot === undefined) {
    return { ...base, name: null, expected: null, present: null, left: null, absent: null, notArrived: null };
  }
  const days = foldDay(input.events);
  const children = snapshot.children.filter((c) => enrolledOn(c, date));
  const counts = { present: 0, left: 0, absent: 0, notArrived: 0 };
  for (const child of children) {
    const status = days.get(child.id)?.status ?? 'not_arrived';
    if (status === 'not_arrived') counts.notArrived += 1;
    else counts[status] += 1;
  }
  return {
    ...base,
    name: snapshot.facilityName,
    expected: children.length - counts.absent,
    ...counts,
  };
}
