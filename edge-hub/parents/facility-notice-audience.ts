import type { StoreOf, Transactional } from '../store/hub-store.ts';
import type { ParentAccessRecord } from '../store/parent-access.ts';
import type { RosterData } from '../store/roster.ts';

/**
 * Who a facility notice is for (docs/admin.md "The facility's notices"). The audience is the guardians on
 * today's roster of the children in the notice's classes (every guardian when it names none); of them,
 * the recipients are those who can read it: guardians with parent access (invited, not suspended). They
 * are resolved when the notice is published; a guardian of the audience who gets access later is added
 * to the notices of the last GROW_DAYS that are not withdrawn (the relay then uploads them again).
 * Recipients are never removed: a guardian suspended or gone from the roster keeps what was sent.
 */

/** How far back a guardian given access later still receives notices. */
export const GROW_DAYS = 30;
const DAY_MS = 86_400_000;

/** The guardians on `roster` of the children in `classIds` (all when null), sorted. */
export function audienceOf(roster: RosterData, classIds: readonly string[] | null): string[] {
  const classOf = new Map(roster.children.map((c) => [c.id, c.classId]));
  const classes = classIds === null ? null : new Set(classIds);
  return roster.guardians
    .filter((g) =>
      g.childIds.some((id) => {
        const cls = classOf.get(id);
        return cls !== undefined && (classes === null || classes.has(cls));
      }),
    )
    .map((g) => g.id)
    .sort();
}

/** Of `audience`, those who can read a notice in the parent app. */
export function readersOf(audience: readonly string[], access: readonly ParentAccessRecord[]): string[] {
  const able = new Set(access.filter((a) => !a.revoked).map((a) => a.guardianId));
  return audience.filter((g) => able.has(g));
}

/**
 * Adds to the open notices of the last GROW_DAYS the guardians of their audience who can read them now and
 * are not among their recipients (one transaction). Returns how many notices grew.
 */
export function growRecipients(
  store: StoreOf<'roster' | 'parentAccess' | 'facilityNotices'> & Transactional,
  now: Date,
): number {
  return store.transaction(() => {
    const open = store.facilityNotices.openSince(new Date(now.getTime() - GROW_DAYS * DAY_MS));
    if (open.length === 0) return 0;
    const roster = store.roster.read();
    const access = store.parentAccess.all();
    let grown = 0;
    for (const record of open) {
      const readers = readersOf(audienceOf(roster, record.notice.classIds), access);
      if (store.facilityNotices.addRecipients(record.notice.id, readers).length > 0) grown++;
    }
    return grown;
  });
}
