import {
  absenceNote,
  parseAbsence,
  rollcallLayout,
  sortEvents,
  step,
  NOT_ARRIVED,
  voidedIds,
  type ChildDay,
} from '../attendance.ts';
import { ValidationError } from '../errors.ts';
import { isValidDate, localDate, localTime, offsetMinutes } from '../time.ts';
import type {
  DailyLedger,
  DailyLedgerRow,
  FacilitySnapshot,
  MonthlyLedger,
  MonthlyLedgerRow,
} from '../../protocol/ledger.ts';
import type { AttendanceEvent } from '../../protocol/schemas.ts';
import type { CareBand, ExtendedCare } from '../../protocol/settings.ts';

/**
 * The attendance-ledger engine (登降園記録簿 daily, 出席簿 monthly): pure functions of a facility snapshot
 * and events, so that the hub and the cloud build identical ledgers. Rules:
 *
 * - Input: the events whose local date (snapshot.timeZone) is in the period, plus voids of any date that
 *   name one of them; more is fine. Each non-void event belongs to the local date of its `occurredAt`;
 *   days outside the period are ignored. Voids are resolved over the whole input (`voidedIds`: a void of a
 *   void brings its target back). A void belongs to the day (and child) of the event it names when that
 *   event is in the input (a wrong tap voided the next morning corrects the day of the tap), otherwise to
 *   its own local date.
 * - Per child and day, the events not voided are folded exactly as the roll-call does (`step`): first
 *   check-in, last check-out after it, status not_arrived / present / left / absent (absent only before
 *   any check-in).
 * - `check_in` / `check_out`: local HH:MM of those instants (seconds truncated). `open`: status present,
 *   i.e. a check-in with no check-out after the last check-in; after the day this is a missing check-out.
 * - Extended care (延長保育) of a day: with the child's band (snapshot.careBands[careType]) and whole local
 *   minutes of day, the minutes present before the band's start and the minutes present after its end,
 *   EACH SIDE SEPARATELY: 0 if m <= graceMinutes, otherwise m rounded to a multiple of roundingMinutes
 *   (up: ceil, down: floor, nearest: half up). An open day has null (flagged, never guessed); a day not
 *   attended has null (daily) and contributes 0 (monthly).
 * - Daily `note`: the staff notes of the child's day, oldest first, joined by " / ": an absence as
 *   `REASON` or `REASON: note` (the tablet's format, see common/attendance.ts parseAbsence), the note of
 *   a manual (staff) check-in or check-out, the reason given with a void. Notes of events later voided
 *   stay: the ledger records what staff did. `corrected`: the child's day has a staff event or a void.
 * - Monthly `days[i]` (day i+1): `HH:MM-HH:MM`, `HH:MM-` (open), `欠` (absent), `` otherwise;
 *   attended_days: days with a check-in in effect; absent_days; extended_minutes: the sum over the days
 *   that are not open; open_days: the open days (1-based).
 * - Rows: one per child of the snapshot, classes in roster order, children by kana (as the roll-call);
 *   a child whose class is not in the snapshot is left out. Monthly: only `classId`'s children if given.
 */

const MONTH_RE = /^(\d{4})-(\d{2})$/;

/** Minutes since local midnight of `HH:MM`. */
export function minutesOfDay(hhmm: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) throw new ValidationError('bad_time', `${hhmm}: must be HH:MM`);
  return Number(m[1]) * 60 + Number(m[2]);
}

function roundTo(minutes: number, rules: ExtendedCare): number {
  if (minutes <= rules.graceMinutes) return 0;
  const stepMin = rules.roundingMinutes;
  const q = Math.floor(minutes / stepMin);
  const r = minutes - q * stepMin;
  switch (rules.rounding) {
    case 'up':
      return (r === 0 ? q : q + 1) * stepMin;
    case 'down':
      return q * stepMin;
    case 'nearest':
      return (2 * r >= stepMin ? q + 1 : q) * stepMin;
  }
}

/** Extended-care minutes of one attended day (see the rules above). */
export function extendedMinutes(
  checkIn: string,
  checkOut: string,
  band: CareBand,
  rules: ExtendedCare,
): number {
  const inM = minutesOfDay(checkIn);
  const outM = minutesOfDay(checkOut);
  const start = minutesOfDay(band.start);
  const end = minutesOfDay(band.end);
  const before = Math.max(0, Math.min(outM, start) - inM);
  const after = Math.max(0, outM - Math.max(inM, end));
  return roundTo(before, rules) + roundTo(after, rules);
}

const BUCKET_MS = 6 * 3600_000;

/**
 * Local date and HH:MM of instants in one zone, memoised: Intl.formatToParts per event was most of a
 * monthly ledger's time. The offset is looked up once per 6-hour bucket: a bucket whose first and last
 * millisecond have the same offset contains no transition (no zone changes its offset twice within six
 * hours), and any other bucket takes the exact path. Kept per zone across calls, bounded.
 */
class ZoneClock {
  private readonly offsets = new Map<number, number | null>();
  constructor(private readonly timeZone: string) {}

  /** The local wall time as an ISO string (YYYY-MM-DDTHH:MM…), or undefined near a transition. */
  private wall(ms: number): string | undefined {
    const bucket = Math.floor(ms / BUCKET_MS);
    let offset = this.offsets.get(bucket);
    if (offset === undefined) {
      const first = offsetMinutes(new Date(bucket * BUCKET_MS), this.timeZone);
      const last = offsetMinutes(new Date(bucket * BUCKET_MS + BUCKET_MS - 1), this.timeZone);
      offset = first === last ? first : null;
      if (this.offsets.size > 100_000) this.offsets.clear();
      this.offsets.set(bucket, offset);
    }
    return offset === null ? undefined : new Date(ms + offset * 60_000).toISOString();
  }

  date(instant: string): string {
    const ms = Date.parse(instant);
    const wall = Number.isNaN(ms) ? undefined : this.wall(ms);
    return wall === undefined ? localDate(instant, this.timeZone) : wall.slice(0, 10);
  }

  hhmm(instant: string): string {
    const ms = Date.parse(instant);
    const wall = Number.isNaN(ms) ? undefined : this.wall(ms);
    return wall === undefined ? localTime(instant, this.timeZone) : wall.slice(11, 16);
  }
}

const clocks = new Map<string, ZoneClock>();
function zoneClock(timeZone: string): ZoneClock {
  let c = clocks.get(timeZone);
  if (!c) {
    if (clocks.size > 100) clocks.clear();
    c = new ZoneClock(timeZone);
    clocks.set(timeZone, c);
  }
  return c;
}

/** One child's day as the ledgers need it. */
interface DayRecord {
  events: AttendanceEvent[];
}

/** Events grouped by local date and child, with the voids attached to the day of what they void. */
class Period {
  /** date → childId → events (unsorted). */
  private readonly days = new Map<string, Map<string, AttendanceEvent[]>>();
  readonly removed: Set<string>;

  constructor(events: readonly AttendanceEvent[], timeZone: string, inPeriod: (date: string) => boolean) {
    const clock = zoneClock(timeZone);
    this.removed = voidedIds(events);
    const byId = new Map<string, AttendanceEvent>();
    for (const e of events) byId.set(e.id, e);
    const placeOf = (e: AttendanceEvent, depth: number): { date: string; childId: string } => {
      if (e.voids !== undefined && depth < 32) {
        const target = byId.get(e.voids);
        if (target !== undefined) return placeOf(target, depth + 1);
      }
      return { date: clock.date(e.occurredAt), childId: e.childId };
    };
    for (const e of events) {
      const { date, childId } = placeOf(e, 0);
      if (!inPeriod(date)) continue;
      let day = this.days.get(date);
      if (!day) {
        day = new Map<string, AttendanceEvent[]>();
        this.days.set(date, day);
      }
      const list = day.get(childId);
      if (list) list.push(e);
      else day.set(childId, [e]);
    }
  }

  /** The child's events of the day in roll-call order (voids included). */
  of(date: string, childId: string): DayRecord {
    const list = this.days.get(date)?.get(childId);
    return { events: list ? sortEvents(list) : [] };
  }

  fold(record: DayRecord): ChildDay {
    let day = NOT_ARRIVED;
    for (const e of record.events) {
      if (e.type !== 'void' && !this.removed.has(e.id)) day = step(day, e);
    }
    return day;
  }
}

/** An absent event's note in the tablet's format, whoever wrote it (a bare note reads as `other: note`). */
function absenceText(note: string | undefined): string {
  const absence = parseAbsence(note);
  return absenceNote(absence.reason, absence.note);
}

function noteOf(events: readonly AttendanceEvent[]): string {
  const notes: string[] = [];
  for (const e of events) {
    if (e.type === 'absent') notes.push(absenceText(e.note));
    else if ((e.type === 'void' || e.method === 'staff') && e.note !== undefined && e.note !== '') {
      notes.push(e.note);
    }
  }
  return notes.join(' / ');
}

interface LayoutRow {
  className: string;
  child: FacilitySnapshot['children'][number];
}

function layoutRows(snapshot: FacilitySnapshot, classId: string | null): LayoutRow[] {
  const childById = new Map(snapshot.children.map((c) => [c.id, c]));
  const rows: LayoutRow[] = [];
  for (const cls of rollcallLayout(snapshot).classes) {
    if (classId !== null && cls.id !== classId) continue;
    for (const { id } of cls.children) {
      const child = childById.get(id);
      if (child) rows.push({ className: cls.name, child });
    }
  }
  return rows;
}

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
  child: LayoutRow['child'],
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

/** The daily ledger (登降園記録簿) of local `date` (YYYY-MM-DD). */
export function dailyLedger(
  snapshot: FacilitySnapshot,
  date: string,
  events: readonly AttendanceEvent[],
): DailyLedger {
  if (!isValidDate(date)) throw new ValidationError('bad_date', `${date}: must be a date YYYY-MM-DD`, 'date');
  const period = new Period(events, snapshot.timeZone, (d) => d === date);
  const times = zoneClock(snapshot.timeZone);
  const rows = layoutRows(snapshot, null).map(({ className, child }): DailyLedgerRow => {
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
      note: noteOf(record.events),
      corrected: record.events.some((e) => e.method === 'staff' || e.type === 'void'),
      open: v.open,
    };
  });
  return { facilityId: snapshot.facilityId, facilityName: snapshot.facilityName, date, rows };
}

/** Days in month `YYYY-MM`, or undefined when it is not a month. */
export function daysInMonth(month: string): number | undefined {
  const m = MONTH_RE.exec(month);
  if (!m) return undefined;
  const mo = Number(m[2]);
  if (mo < 1 || mo > 12) return undefined;
  return new Date(Date.UTC(Number(m[1]), mo, 0)).getUTCDate();
}

/** The monthly ledger (出席簿) of `month` (YYYY-MM), for one class or (null) all. */
export function monthlyLedger(
  snapshot: FacilitySnapshot,
  month: string,
  events: readonly AttendanceEvent[],
  classId: string | null,
): MonthlyLedger {
  const n = daysInMonth(month);
  if (n === undefined) throw new ValidationError('bad_month', `${month}: must be a month YYYY-MM`, 'month');
  if (classId !== null && !snapshot.classes.some((c) => c.id === classId)) {
    throw new ValidationError('unknown_class', `${classId}: no such class`, 'class');
  }
  const period = new Period(events, snapshot.timeZone, (d) => d.startsWith(`${month}-`));
  const times = zoneClock(snapshot.timeZone);
  const dates = Array.from({ length: n }, (_, i) => `${month}-${String(i + 1).padStart(2, '0')}`);
  const rows = layoutRows(snapshot, classId).map(({ className, child }): MonthlyLedgerRow => {
    const days: string[] = [];
    const openDays: number[] = [];
    let attended = 0;
    let absent = 0;
    let extended = 0;
    dates.forEach((date, i) => {
      const v = dayValues(snapshot, times, child, period.fold(period.of(date, child.id)));
      switch (v.status) {
        case 'left':
          attended++;
          extended += v.extended ?? 0;
          days.push(`${v.checkIn ?? ''}-${v.checkOut ?? ''}`);
          break;
        case 'present':
          attended++;
          openDays.push(i + 1);
          days.push(`${v.checkIn ?? ''}-`);
          break;
        case 'absent':
          absent++;
          days.push('欠');
          break;
        case 'not_arrived':
          days.push('');
          break;
      }
    });
    return {
      class_name: className,
      child_id: child.id,
      child_name: child.name,
      days,
      attended_days: attended,
      absent_days: absent,
      extended_minutes: extended,
      open_days: openDays,
    };
  });
  return { facilityId: snapshot.facilityId, facilityName: snapshot.facilityName, month, classId, rows };
}
