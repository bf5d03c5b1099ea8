import { inEffect } from '../../common/ledger/timeline.ts';
import { localDate, type Clock } from '../../common/time.ts';
import type { DailyStaffingReport } from '../../protocol/staffing.ts';
import { rosterOn, snapshotOn } from '../facility/history.ts';
import type { StoreOf } from '../store/hub-store.ts';
import type { RosterData } from '../store/roster.ts';
import { localInstant } from '../tablet/view.ts';
import { dailyStaffingReport } from './report.ts';

/**
 * The daily staffing report of a day from the hub's records (GET /api/staffing/daily, edge-hub/http/
 * staffing-api.ts): the roster of that day (birth dates are hub-only, in the roster imports), its events,
 * the dated staff counts, and the staffing settings as they are now (they are not dated).
 */

export type StaffingStore = StoreOf<'events' | 'people' | 'settings' | 'history' | 'roster'>;

export interface StaffingSource {
  store: StaffingStore;
  clock: Clock;
  facilityId: string;
  timeZone: string;
}

/** The roster of `date`: the import in effect then; the live roster while no import is stored. */
function rosterOfDay(store: StaffingStore, date: string): RosterData {
  const imports = store.history.imports();
  const current = inEffect(imports, date);
  if (current !== undefined) return rosterOn(current.roster, date);
  return imports.length === 0 ? store.roster.read() : { classes: [], children: [], guardians: [] };
}

/** The report of `date` from the hub's records (see report.ts for the rules). */
export function staffingReportOn(options: StaffingSource, date: string): DailyStaffingReport {
  const { store, clock, timeZone } = options;
  const now = clock.now();
  const today = localDate(now, timeZone);
  const settings = store.settings.facilitySettings();
  const roster = rosterOfDay(store, date);
  return dailyStaffingReport({
    date,
    timeZone,
    facilityName: snapshotOn(store, options.facilityId, timeZone, date).facilityName,
    classes: roster.classes,
    children: roster.children,
    events: store.events.rollcallEventsOn(date),
    changes: store.people.staffOnDutyChanges(date),
    staffing: settings.staffing,
    classRatios: new Map(
      [...store.settings.classSettings()].map(([id, c]) => [id, c.maxChildrenPerStaff] as const),
    ),
    // A child not checked out is counted until now today, and until closing time on a past day.
    openUntil: date >= today ? now.getTime() : localInstant(date, settings.closingTime, timeZone).getTime(),
  });
}
