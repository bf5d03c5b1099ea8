import { localTime } from '../../common/time.ts';
import type { AttendanceEvent } from '../../protocol/schemas.ts';
import type { Staffing } from '../../protocol/settings.ts';
import type { DailyStaffingReport, StaffingRow } from '../../protocol/staffing.ts';
import type { StaffCountChange } from '../store/people.ts';
import { localInstant } from '../tablet/view.ts';
import { ageGroupOf, type AgeGroup } from './ages.ts';
import { presentAt, staysOf, type Stay } from './presence.ts';
import {
  classRequirement,
  DEFAULT_ROUNDING,
  emptyAgeCounts,
  facilityRequirement,
  totalOf,
  type AgeCounts,
  type StaffRounding,
} from './required.ts';

/**
 * The daily staffing report (GET /api/staffing/daily), pure: per class and for the facility, at each time
 * of the day, the children present by age group, the staff required and the staff on duty then.
 *
 * - Times: every `slotMinutes` (30) of local time from the half hour of the first check-in to the last
 *   check-out (a stay still open counts until `openUntil`: now for today, the closing time for a past
 *   day), and the instant of every change of a staff count (a class's table has its own changes, the
 *   facility's every change). No check-in all day: the changes only.
 * - Present at a time: checked in at or before it and not checked out by then (presence.ts: stays).
 * - Staff on duty at a time: the latest count entered for the class that day at or before it (the dated
 *   record); null before the first. The facility's: the sum of its classes' counts in effect, null while
 *   none is.
 * - Required: required.ts (ages of April 1 of the fiscal year, fractions summed and rounded up; a class's
 *   own ratio when stricter; the facility's minimum while any child is present).
 * - The classes and children are the roster of the day; a class's own ratio is today's setting.
 */

export interface StaffingReportInput {
  date: string;
  timeZone: string;
  facilityName: string;
  classes: readonly { id: string; name: string }[];
  children: readonly { id: string; name: string; classId: string; birthDate: string | null }[];
  /** The day's events with the voids that name them. */
  events: readonly AttendanceEvent[];
  /** The staff counts entered that day, in any order. */
  changes: readonly StaffCountChange[];
  staffing: Staffing;
  /** Each class's own maxChildrenPerStaff (absent or null: none). */
  classRatios: ReadonlyMap<string, number | null>;
  /** Epoch ms an open stay counts until. */
  openUntil: number;
  rounding?: StaffRounding;
  slotMinutes?: number;
}

interface Moment {
  t: number;
  kind: StaffingRow['kind'];
}

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

function hhmmOf(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** The grid of local times from the slot of `first` to `last`, as instants. */
function grid(date: string, tz: string, first: number, last: number, step: number): number[] {
  const out: number[] = [];
  for (let m = Math.floor(minutesOf(localTime(new Date(first), tz)) / step) * step; m < 24 * 60; m += step) {
    const t = localInstant(date, hhmmOf(m), tz).getTime();
    if (t > last) break;
    out.push(t);
  }
  return out;
}

/** Moments in time order; a change at the same instant as a grid time replaces it. */
function moments(slots: readonly number[], changes: readonly number[]): Moment[] {
  const byT = new Map<number, Moment>();
  for (const t of slots) byT.set(t, { t, kind: 'slot' });
  for (const t of changes) byT.set(t, { t, kind: 'staff_change' });
  return [...byT.values()].sort((a, b) => a.t - b.t);
}

/** The count in effect at `t`: the last change at or before it (changes sorted by time). */
function countAt(changes: readonly { t: number; count: number }[] | undefined, t: number): number | null {
  let count: number | null = null;
  for (const c of changes ?? []) {
    if (c.t > t) break;
    count = c.count;
  }
  return count;
}

function row(
  m: Moment,
  tz: string,
  present: AgeCounts,
  required: number,
  staffOnDuty: number | null,
): StaffingRow {
  return {
    time: localTime(new Date(m.t), tz),
    kind: m.kind,
    present,
    presentTotal: totalOf(present),
    required,
    staffOnDuty,
    shortfall: staffOnDuty === null ? null : Math.max(0, required - staffOnDuty),
    understaffed: staffOnDuty !== null && staffOnDuty < required,
  };
}

export function dailyStaffingReport(input: StaffingReportInput): DailyStaffingReport {
  const { date, timeZone: tz, staffing } = input;
  const rounding = input.rounding ?? DEFAULT_ROUNDING;
  const step = input.slotMinutes ?? 30;
  const classIds = new Set(input.classes.map((c) => c.id));
  const children = input.children.filter((c) => classIds.has(c.classId));
  const ageOf = new Map<string, AgeGroup>(children.map((c) => [c.id, ageGroupOf(c.birthDate, date)]));
  const stays = staysOf(input.events);

  const changesOf = new Map<string, { t: number; count: number }[]>();
  for (const c of [...input.changes].sort((a, b) => Date.parse(a.at) - Date.parse(b.at))) {
    const list = changesOf.get(c.classId) ?? [];
    list.push({ t: Date.parse(c.at), count: c.count });
    changesOf.set(c.classId, list);
  }

  const ours: Stay[] = children.flatMap((c) => stays.get(c.id) ?? []);
  const slots =
    ours.length === 0
      ? []
      : grid(
          date,
          tz,
          Math.min(...ours.map((s) => s.from)),
          Math.max(...ours.map((s) => s.to ?? Math.max(s.from, input.openUntil))),
          step,
        );

  const presentIn = (classId: string | null, t: number): AgeCounts => {
    const counts = emptyAgeCounts();
    for (const c of children) {
      if ((classId === null || c.classId === classId) && presentAt(stays.get(c.id), t)) {
        counts[ageOf.get(c.id) ?? 'unknown']++;
      }
    }
    return counts;
  };

  const classes = input.classes.map((cls) => {
    const ratio = input.classRatios.get(cls.id) ?? null;
    const own = changesOf.get(cls.id);
    const rows = moments(
      slots,
      (own ?? []).map((c) => c.t),
    ).map((m) => {
      const present = presentIn(cls.id, m.t);
      const need = classRequirement(present, staffing.childrenPerStaff, ratio, rounding);
      return row(m, tz, present, need.required, countAt(own, m.t));
    });
    return { classId: cls.id, className: cls.name, maxChildrenPerStaff: ratio, rows };
  });

  const facilityRows = moments(
    slots,
    input.changes.filter((c) => classIds.has(c.classId)).map((c) => Date.parse(c.at)),
  ).map((m) => {
    const present = presentIn(null, m.t);
    const counts = input.classes
      .map((c) => countAt(changesOf.get(c.id), m.t))
      .filter((n): n is number => n !== null);
    const onDuty = counts.length === 0 ? null : counts.reduce((a, b) => a + b, 0);
    return row(m, tz, present, facilityRequirement(present, staffing, rounding), onDuty);
  });

  return {
    facilityName: input.facilityName,
    date,
    standard: { ...staffing, rounding },
    classes,
    facility: { rows: facilityRows },
    ageUnknown: children
      .filter((c) => ageOf.get(c.id) === 'unknown')
      .map((c) => ({ childId: c.id, name: c.name, classId: c.classId })),
  };
}
