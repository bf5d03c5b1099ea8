import type { AdminFacilityNotices } from '../../protocol/facility-notices.ts';
import type { StoreOf } from '../store/hub-store.ts';

/** The most notices GET /api/admin/facility-notices answers (newest first). */
export const ADMIN_NOTICES_MAX = 100;

/**
 * The admin's view of the facility's notices: per notice who has read it (when) and who has not, with
 * the names the hub knows now (today's roster, else the name kept with the parent access, else the id)
 * and, for the unread, their children in the notice's classes, to ask at pickup.
 */
export function adminFacilityNotices(
  store: StoreOf<'roster' | 'parentAccess' | 'facilityNotices'>,
): AdminFacilityNotices {
  const roster = store.roster.read();
  const guardians = new Map(roster.guardians.map((g) => [g.id, g]));
  const accessNames = new Map(store.parentAccess.all().map((a) => [a.guardianId, a.name]));
  const children = new Map(roster.children.map((c) => [c.id, c]));
  const nameOf = (id: string) => guardians.get(id)?.name ?? accessNames.get(id) ?? id;

  return {
    notices: store.facilityNotices.list(ADMIN_NOTICES_MAX).map((record) => {
      const classes = record.notice.classIds === null ? null : new Set(record.notice.classIds);
      const recipients = new Set(record.recipients);
      const read = store.facilityNotices
        .reads(record.notice.id)
        .filter((r) => recipients.has(r.guardianId))
        .map((r) => ({ guardianId: r.guardianId, name: nameOf(r.guardianId), readAt: r.readAt }));
      const readIds = new Set(read.map((r) => r.guardianId));
      const unread = record.recipients
        .filter((id) => !readIds.has(id))
        .map((id) => ({
          guardianId: id,
          name: nameOf(id),
          children: (guardians.get(id)?.childIds ?? []).flatMap((childId) => {
            const child = children.get(childId);
            return child !== undefined && (classes === null || classes.has(child.classId))
              ? [child.name]
              : [];
          }),
        }));
      return {
        notice: record.notice,
        recipients: record.recipients.length,
        read,
        unread,
        relayed: record.relayedVersion >= record.version,
      };
    }),
  };
}
