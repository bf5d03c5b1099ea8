import { compareTimed, timed } from '../../common/attendance.ts';
import type { AttendanceEvent } from '../../protocol/schemas.ts';
import { voidedIds } from '../rollcall/rollcall.ts';

/** A stay of a child: from a check-in (epoch ms) to the check-out after it; `to` null while open. */
export interface Stay {
  from: number;
  to: number | null;
}

/**
 * Each child's stays of a day, pure. The events not voided (a void of a void brings its target back),
 * in roll-call order: a check-in opens a stay unless one is open, a check-out closes the open one (a
 * check-out with nothing open changes nothing, as in the roll-call). Unlike the ledger's one line per
 * child (first check-in to last check-out), a child who went out and came back is not counted while out.
 */
export function staysOf(events: readonly AttendanceEvent[]): Map<string, Stay[]> {
  const removed = voidedIds(events);
  const stays = new Map<string, Stay[]>();
  const sorted = events
    .filter((e) => e.type !== 'void' && !removed.has(e.id))
    .map(timed)
    .sort(compareTimed);
  for (const { e, ms } of sorted) {
    const list = stays.get(e.childId) ?? [];
    const open = list.at(-1)?.to === null ? list.at(-1) : undefined;
    if (e.type === 'check_in' && open === undefined) list.push({ from: ms, to: null });
    else if (e.type === 'check_out' && open !== undefined) open.to = ms;
    if (list.length > 0) stays.set(e.childId, list);
  }
  return stays;
}

/** Whether a child with these stays is present at instant `t` (a stay holds from `from` until `to`). */
export function presentAt(stays: readonly Stay[] | undefined, t: number): boolean {
  return (stays ?? []).some((s) => s.from <= t && (s.to === null || t < s.to));
}
