import type { FacilityNoticeRead } from '../../protocol/facility-notices.ts';
import { PARENT_DEVICE_ID } from '../access/devices.ts';
import type { StoreOf } from '../store/hub-store.ts';

/**
 * Stores a parent's read of a facility notice (parent message `facility_notice_read`), within the page's
 * transaction (notice-apply.ts): once per guardian and notice, the first read kept; audited without names.
 * Returns whether it was new.
 */
export function applyFacilityNoticeRead(
  store: StoreOf<'facilityNotices' | 'audit'>,
  read: FacilityNoticeRead,
): boolean {
  if (!store.facilityNotices.insertRead(read)) return false;
  store.audit.append({
    actorKind: 'device',
    actorId: PARENT_DEVICE_ID,
    action: 'parent.facility_notice_read',
    subject: `guardian:${read.guardianId}`,
    deviceId: PARENT_DEVICE_ID,
    outcome: 'ok',
    after: { noticeId: read.noticeId, readAt: read.readAt },
  });
  return true;
}
