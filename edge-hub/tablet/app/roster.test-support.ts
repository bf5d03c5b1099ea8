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
