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
