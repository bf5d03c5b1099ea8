import type { ChildDay } from '../attendance.ts';
import { ValidationError } from '../errors.ts';
import { isValidDate } from '../time.ts';
import type { DailyLedger, DailyLedgerRow, FacilitySnapshot, MonthlyLedger } from '../../protocol/ledger.ts';
import type { AttendanceEvent } from '../../protocol/schemas.ts';
import { extendedMinutes } from './care.ts';
import { zoneClock, type ZoneClock } from './clock.ts';
import { isCorrected, noteOf, Period } from './period.ts';
import { monthRowOrder } from './row-order.ts';
import { amendmentsOf, Rosters, type LedgerSource, type SnapshotChild } from './source.ts';
import { versionsFor } from './timeline.ts';

export { extendedMinutes, minutesOfDay } from './care.ts';

/**
 * The attendance-ledger engine (登降園記録簿 daily, 出席簿 monthly): pure functions of a LedgerSource (the
 * facility's snapshot versions and amendments) and events, so that the hub and the cloud build identical
 * ledgers. Rules:
 *
 * - Each day is built from the snapshot in effect on it (timeline.ts inEffect) and only the children
 *   enrolled that day (enrolledOn <= day <= leftOn, null: no bound): their class, name, kana and care
 *   type, and that snapshot's care bands and extended-care rules. A day with no version in effect has no
 *   rows. A later version (an import, a settings change) thus never changes the ledger of an earlier day.
 * - Input: the events whose local date (the facility's time zone) is in the period, plus voids of any
 *   date that name one of them; more is fine. Each non-void event belongs to the local date of its
 *   `occurredAt`; days outside the period are ignored. Voids are resolved over the whole input
 *   (`voidedIds`: a void of a void brings its target back). A void belongs to the day (and child) of the
 *   event it names when that event is in the input (a wrong tap voided the next morning corrects the day
 *   of the tap); a void whose target is not in the input names an event of a day outside the period
 *   (a past-day correction made today) and belongs to no day of it.
 * - Per child and day, the events not voided are folded exactly as the roll-call does (`step`): first
 *   check-in, last check-out after it, status not_arrived / present / left / absent (absent only before
 *   any check-in).
 * - `check_in` / `check_out`: local HH:MM of those instants (seconds truncated). `open`: status present,
 *   i.e. a check-in with no check-out after the last check-in; after the day this is a missing check-out.
 * - Extended care (延長保育) of a day: with the child's band (careBands[careType] of the day) and whole
 *   local minutes of day, the minutes present before the band's start and the minutes present after its
 *   end, EACH SIDE SEPARATELY: 0 if m <= graceMinutes, otherwise m rounded to a multiple of
 *   roundingMinutes (up: ceil, down: floor, nearest: half up). An open day has null (flagged, never
 *   guessed); a day not attended has null (daily) and contributes 0 (monthly).
 * - Daily `note`: the staff notes of the child's day, oldest first, joined by " / ": an absence as
 *   `REASON` or `REASON: note` (the tablet's format, see common/attendance.ts parseAbsence), the note of
 *   a manual (staff) check-in or check-out, the reason given with a void. Notes of events later voided
 *   stay: the ledger records what staff did. `corrected`: the child's day has a staff event or a void.
 * - Daily rows: the day's roster, classes in its snapshot's order, children by kana (as the roll-call);
 *   a child whose class is not in the snapshot is left out. facilityName: the day's snapshot's.
 * - Monthly: one row per (class, child) that occurs on some day of the month. `days[i]` (day i+1):
 *   `HH:MM-HH:MM`, `HH:MM-` (open), `欠` (absent), `` otherwise, and `` on a day the child is not in
 *   that class, which counts nowhere. attended_days: days with a check-in in effect; absent_days;
 *   extended_minutes: the sum over the days that are not open; open_days: the open days (1-based);
 *   corrected_days: the days whose daily `corrected` is true. Row order: the classes of the snapshot in
 *   effect on the month's last day in its order, then classes seen only earlier in the order first seen;
 *   within a class, children by the kana of their last day there. class_name and child_name: those of
 *   the last day of the class and of the row. facilityName: the snapshot in effect on the last day.
 *   `classId`: only that class's rows; it must be a class of a version in effect during the month.
 * - Where no version is in effect (the day, the month's last day), the facility is named by the earliest
 *   version.
 * - `amendments`: those of the ledger's days, oldest first (by `at`, then correctionId), `at` written in
 *   the facility's offset. A one-class monthly ledger lists only those of its rows' children and days.
 */

const MONTH_RE = /^(\d{4})-(\d{2})$/;

interface DayValues {
  status: ChildDay['status'];
  checkIn: string | null;
  checkOut: string | null;
  open: boolean;
  extended: number | null;
}

function dayValues(
  snapshot: FacilitySnapshot,
  times: ZoneClock,
  child: SnapshotChild,
  day: ChildDay,
): DayValues {
  const checkIn = day.checkInAt === null ? null : times.hhmm(day.checkInAt);
  const checkOut = day.checkOutAt === null ? null : times.hhmm(day.checkOutAt);
  const open = day.status === 'present';
  const extended =
    day.status === 'left' && checkIn !== null && checkOut !== null
      ? extendedMinutes(checkIn, checkOut, snapshot.careBands[child.careType], snapshot.extendedCare)
      : null;
  return { status: day.status, checkIn, checkOut, open, extended };
}

/**
 * The daily ledger (登降園記録簿) of local `date` (YYYY-MM-DD). Throws ValidationError `bad_date`, and
 * NotFoundError `no_snapshot` when `source.versions` is empty.
 */
export function dailyLedger(
  source: LedgerSource,
  date: string,
  events: readonly AttendanceEvent[],
): DailyLedger {
  if (!isValidDate(date)) throw new ValidationError('bad_date', `${date}: must be a date YYYY-MM-DD`, 'date');
  const rosters = new Rosters(source.versions);
  const heading = rosters.heading(date);
  const snapshot = rosters.on(date);
  const period = new Period(events, heading.timeZone, (d) => d === date);
  const times = zoneClock(heading.timeZone);
  const rows =
    snapshot === undefined
      ? []
      : rosters.placements(date).map(({ className, child }): DailyLedgerRow => {
          const record = period.of(date, child.id);
          const v = dayValues(snapshot, times, child, period.fold(record));
          return {
            class_name: className,
            child_id: child.id,
            child_name: child.name,
            status: v.status,
            check_in: v.checkIn,
            check_out: v.checkOut,
            extended_minutes: v.extended,
            note: noteOf(record),
            corrected: isCorrected(record),
            open: v.open,
          };
        });
  return {
    facilityId: heading.facilityId,
    facilityName: heading.facilityName,
    date,
    rows,
    amendments: amendmentsOf(source.amendments, heading.timeZone, (a) => a.date === date),
  };
}

/** Days in month `YYYY-MM`, or undefined when it is not a month. */
export function daysInMonth(month: string): number | undefined {
  const m = MONTH_RE.exec(month);
  if (!m) return undefined;
  const mo = Number(m[2]);
  if (mo < 1 || mo > 12) return undefined;
  return new Date(Date.UTC(Number(m[1]), mo, 0)).getUTCDate();
}

/** A monthly row being filled day by day. */
interface MonthRow {
  classId: string;
  /** As of the row's last day. */
  child: SnapshotChild;
  days: string[];
  attended: number;
  absent: number;
  extended: number;
  open: number[];
  corrected: number[];
}

/**
 * The monthly ledger (出席簿) of `month` (YYYY-MM), for one class or (null) all. Throws ValidationError
 * `bad_month` and `unknown_class`, and NotFoundError `no_snapshot` when `source.versions` is empty.
 */
export function monthlyLedger(
  source: LedgerSource,
  month: string,
  events: readonly AttendanceEvent[],
  classId: string | null,
): MonthlyLedger {
  const n = daysInMonth(month);
  if (n === undefined) throw new ValidationError('bad_month', `${month}: must be a month YYYY-MM`, 'month');
  const dates = Array.from({ length: n }, (_, i) => `${month}-${String(i + 1).padStart(2, '0')}`);
  const first = `${month}-01`;
  const last = `${month}-${String(n).padStart(2, '0')}`;
  const rosters = new Rosters(source.versions);
  if (
    classId !== null &&
    !versionsFor(source.versions, first, last).some((v) => v.snapshot.classes.some((c) => c.id === classId))
  ) {
    throw new ValidationError('unknown_class', `no class ${classId} on the roster in ${month}`, 'class');
  }
  const heading = rosters.heading(last);
  const period = new Period(events, heading.timeZone, (d) => d.startsWith(`${month}-`));
  const times = zoneClock(heading.timeZone);

  const rows = new Map<string, MonthRow>();
  /** Class id → its name on the last day it has rows, in the order first seen. */
  const classNames = new Map<string, string>();
  /** `date childId` of the days on the ledger (for a one-class ledger's amendments). */
  const onLedger = new Set<string>();
  dates.forEach((date, i) => {
    const snapshot = rosters.on(date);
    if (snapshot === undefined) return;
    for (const { classId: cls, className, child } of rosters.placements(date)) {
      if (classId !== null && cls !== classId) continue;
      const key = `${cls}\n${child.id}`;
      let row = rows.get(key);
      if (row === undefined) {
        row = {
          classId: cls,
          child,
          days: Array<string>(n).fill(''),
          attended: 0,
          absent: 0,
          extended: 0,
          open: [],
          corrected: [],
        };
        rows.set(key, row);
      }
      row.child = child;
      classNames.set(cls, className);
      onLedger.add(`${date} ${child.id}`);
      const record = period.of(date, child.id);
      const v = dayValues(snapshot, times, child, period.fold(record));
      if (isCorrected(record)) row.corrected.push(i + 1);
      switch (v.status) {
        case 'left':
          row.attended++;
          row.extended += v.extended ?? 0;
          row.days[i] = `${v.checkIn ?? ''}-${v.checkOut ?? ''}`;
          break;
        case 'present':
          row.attended++;
          row.open.push(i + 1);
          row.days[i] = `${v.checkIn ?? ''}-`;
          break;
        case 'absent':
          row.absent++;
          row.days[i] = '欠';
          break;
        case 'not_arrived':
          break;
      }
    }
  });

  // Classes of the month's last roster in its order, then those seen only earlier; children by kana.
  const layout = { classes: monthRowOrder(rosters, last, classNames, rows.values()) };
  return {
    facilityId: heading.facilityId,
    facilityName: heading.facilityName,
    month,
    classId,
    rows: layout.classes.flatMap((cls) =>
      cls.children.flatMap(({ id }) => {
        const r = rows.get(`${cls.id}\n${id}`);
        return r === undefined
          ? []
          : [
              {
                class_name: cls.name,
                child_id: id,
                child_name: r.child.name,
                days: r.days,
                attended_days: r.attended,
                absent_days: r.absent,
                extended_minutes: r.extended,
                open_days: r.open,
                corrected_days: r.corrected,
              },
            ];
      }),
    ),
    amendments: amendmentsOf(
      source.amendments,
      heading.timeZone,
      (a) => a.date.startsWith(`${month}-`) && (classId === null || onLedger.has(`${a.date} ${a.childId}`)),
    ),
  };
}
