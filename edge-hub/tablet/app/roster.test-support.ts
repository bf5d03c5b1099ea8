import type { ParentNotice, TabletParentNotice } from '../../../protocol/parent-notices.ts';
import type { TabletPickupPlan } from '../../../protocol/parent-pickups.ts';
import type { ClassStaffing, FacilityStaffing } from '../../../protocol/staffing.ts';
import type { TabletChild } from '../../../protocol/tablet.ts';

/**
 * Test support for the app's unit tests (never imported by the app, so never in its bundle): a child of the
 * roll-call as the hub sends it, not arrived and with nothing recorded unless the test says otherwise.
 */
export function child(id: string, overrides: Partial<TabletChild> = {}): TabletChild {
  return {
    id,
    name: `山田 ${id}`,
    kana: `やまだ ${id}`,
    status: 'not_arrived',
    checkInAt: null,
    checkOutAt: null,
    method: null,
    broughtBy: null,
    pickedUpBy: null,
    checkInMethod: null,
    checkOutMethod: null,
    absence: null,
    corrections: [],
    unaccounted: false,
    stillPresentAtClosing: false,
    checkInEventId: null,
    checkOutEventId: null,
    absentEventId: null,
    parentNotice: null,
    pickupPlan: null,
    ...overrides,
  };
}

const NOBODY = { age0: 0, age1: 0, age2: 0, age3: 0, age4plus: 0, unknown: 0 };

/** A class's staffing with nobody present and nobody required unless the test says otherwise. */
export function classStaffing(overrides: Partial<ClassStaffing> = {}): ClassStaffing {
  return { present: NOBODY, requiredByAge: 0, required: 0, understaffed: false, ...overrides };
}

/** The facility's staffing line with nobody present unless the test says otherwise. */
export function facilityStaffing(overrides: Partial<FacilityStaffing> = {}): FacilityStaffing {
  return {
    present: NOBODY,
    required: 0,
    minimumStaff: 2,
    staffOnDuty: null,
    understaffed: false,
    ...overrides,
  };
}

/**
 * A parent's notice as the tablet gets it: an absence for today of child c1 sent by guardian g1 at 07:40
 * (Tokyo), not confirmed, unless the test says otherwise.
 */
export function tabletNotice(
  id: string,
  notice: Partial<ParentNotice> = {},
  rest: Partial<Omit<TabletParentNotice, 'notice'>> = {},
): TabletParentNotice {
  return {
    notice: {
      id,
      guardianId: 'g1',
      kind: 'absence',
      childIds: ['c1'],
      date: '2025-06-12',
      until: '2025-06-12',
      reason: 'sick',
      sentAt: '2025-06-12T07:40:00+09:00',
      status: 'sent',
      readAt: null,
      ...notice,
    },
    guardianName: '山田 花子',
    children: [{ id: 'c1', name: '山田 c1', classId: 'k1' }],
    readBy: null,
    ...rest,
  };
}

/** Today's pickup plan as the tablet gets it: 祖母 山田 花子 at 17:30, on the child's list, with a photo. */
export function pickupPlan(overrides: Partial<TabletPickupPlan> = {}): TabletPickupPlan {
  return {
    id: '5b0c2f1e-8d4a-4c3b-9f6e-1a2b3c4d5e6f',
    time: '17:30',
    personId: 'p-granny',
    personName: '山田 花子',
    relation: '祖母',
    someoneElse: false,
    hasPhoto: true,
    guardianName: '山田 太郎',
    status: 'sent',
    ...overrides,
  };
}
