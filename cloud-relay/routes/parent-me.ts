import { foldDay, NOT_ARRIVED } from '../../common/attendance.ts';
import { formatRfc3339, localDate, type Clock } from '../../common/time.ts';
import type { ParentChild, ParentMe } from '../../protocol/parents.ts';
import type { ParentIdentity } from '../store/parent-types.ts';
import type { CloudStore } from '../store/types.ts';
import { notSignedIn } from './parent-auth.ts';

/**
 * GET /parent/api/me: the signed-in guardian and their own children today, nobody else's. Names and
 * classes come from the snapshot in effect today; statuses from the facility's events of today at the
 * cloud, folded as the hub's roll-call folds them (common/attendance.ts); each child's notices from the
 * guardian that cover today or later.
 */
export async function parentMe(store: CloudStore, clock: Clock, who: ParentIdentity): Promise<ParentMe> {
  const [guardian, facility] = await Promise.all([
    store.parents.getGuardian(who.facilityId, who.guardianId),
    store.getFacility(who.facilityId),
  ]);
  // Revoked between the session check and here: signed out all the same.
  if (guardian === undefined || guardian.revoked || facility === undefined) throw notSignedIn();
  const date = localDate(clock.now(), facility.timeZone);
  const [snapshot, events, notices, pickups] = await Promise.all([
    store.getSnapshot(facility.facilityId, date),
    store.eventsOn(facility.facilityId, date),
    // Covering today or later, newest first.
    store.parentNotices.noticesForGuardian(facility.facilityId, guardian.guardianId, date),
    // Today's plans, oldest first: the latest naming a child is its plan (whichever guardian sent it).
    store.pickups.pickupsOn(facility.facilityId, date),
  ]);
  const own = new Set(guardian.childIds);
  const days = foldDay(events.filter((e) => own.has(e.childId)));
  const classNames = new Map(snapshot?.classes.map((c) => [c.id, c.name]));
  const rosterChildren = new Map(snapshot?.children.map((c) => [c.id, c]));
  const at = (instant: string | null): string | null =>
    instant === null ? null : formatRfc3339(new Date(instant), facility.timeZone);
  const children = guardian.childIds.map((childId): ParentChild => {
    const child = rosterChildren.get(childId);
    const day = days.get(childId) ?? NOT_ARRIVED;
    return {
      childId,
      // Before the hub relayed a snapshot naming the child: the card still shows, unnamed.
      name: child?.name ?? '',
      className: child === undefined ? '' : (classNames.get(child.classId) ?? ''),
      status: day.status,
      checkInAt: at(day.checkInAt),
      checkOutAt: at(day.checkOutAt),
      notices: notices.filter((n) => n.childIds.includes(childId)),
      pickup: pickups.findLast((p) => p.childIds.includes(childId)) ?? null,
    };
  });
  return {
    facilityName: snapshot?.facilityName ?? '',
    date,
    guardian: { guardianId: guardian.guardianId, name: guardian.name },
    children,
  };
}
