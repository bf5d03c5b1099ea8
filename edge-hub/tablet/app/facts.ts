import type { TabletChild } from '../../../protocol/tablet.ts';
import type { Messages } from './messages.ts';
import { hhmm } from './state.ts';

/**
 * What a child's row or tile says, pure: the staff-entry label and the compact tile's one line. A check-in
 * or check-out a staff member entered names that staff member as the one who entered it, never as the
 * one who brought or picked up the child; an absence a parent sent (欠席連絡) reads as the parent's.
 */

/** "送り：NAME", or "職員入力：NAME" when a staff member recorded the check-in by hand. */
export function broughtLine(child: TabletChild, m: Messages): string | null {
  if (child.broughtBy === null) return null;
  return child.checkInMethod === 'staff' ? m.staffEntry(child.broughtBy) : m.broughtBy(child.broughtBy);
}

/** "迎え：NAME", or "職員入力：NAME" when a staff member recorded the check-out by hand. */
export function pickedUpLine(child: TabletChild, m: Messages): string | null {
  if (child.pickedUpBy === null) return null;
  return child.checkOutMethod === 'staff' ? m.staffEntry(child.pickedUpBy) : m.pickedUpBy(child.pickedUpBy);
}

/** Today's absence came from a parent's notice (method `parent`), not from a staff member. */
export function absenceFromParent(child: TabletChild): boolean {
  return child.status === 'absent' && (child.method === 'parent' || child.parentNotice?.kind === 'absence');
}

/**
 * What the row says after an absence's reason: 保護者から for a parent's notice (its details are in the
 * notices panel, in the staff's language), else the note staff wrote, if any.
 */
export function absenceByLine(child: TabletChild, m: Messages): string | null {
  if (child.absence === null) return null;
  if (absenceFromParent(child)) return m.notices.fromParent;
  return child.absence.note ?? null;
}

/** Why a child needs someone now, if it does (the tile's flag). */
export type TileFlag = 'unaccounted' | 'still_present';

export function tileFlag(child: TabletChild): TileFlag | null {
  if (child.unaccounted) return 'unaccounted';
  if (child.stillPresentAtClosing) return 'still_present';
  return null;
}

/** The time a tile shows: since when present, or when gone home; none for the others. */
export function tileTime(child: TabletChild, timeZone: string): string | null {
  switch (child.status) {
    case 'present':
      return child.checkInAt === null ? null : hhmm(child.checkInAt, timeZone);
    case 'left':
      return child.checkOutAt === null ? null : hhmm(child.checkOutAt, timeZone);
    case 'absent':
    case 'not_arrived':
      return null;
  }
}

/** The tile's status text: the flag when there is one (it matters more), else the status. */
export function tileStatus(child: TabletChild, m: Messages): string {
  const flag = tileFlag(child);
  if (flag !== null) return m.why[flag];
  if (child.status === 'absent' && child.absence !== null) {
    return `${m.status.absent}・${m.reason[child.absence.reason]}`;
  }
  return m.status[child.status];
}
