import { NOT_ARRIVED, parseAbsence, sortEvents, step, voidedIds } from '../../common/attendance.ts';
import { localTime } from '../../common/time.ts';
import type { AbsenceState, DayState } from '../../protocol/history.ts';
import type { AttendanceEvent, RollcallStatus } from '../../protocol/index.ts';

/**
 * One child's day as a correction sees it (pure): the state the ledgers show, folded with the roll-call's
 * rules (common/attendance.ts step), and the events in effect behind it, by type.
 */
export interface DayFold {
  state: DayState;
  status: RollcallStatus;
  /** The events in effect (not voided), in roll-call order. */
  checkIns: AttendanceEvent[];
  checkOuts: AttendanceEvent[];
  absents: AttendanceEvent[];
}

export const EMPTY_DAY: DayState = Object.freeze({ checkIn: null, checkOut: null, absent: null });

/**
 * Folds a child's day: `events` are the child's events filed under the day (voids, of any day, among
 * them or not), `removed` the ids voided (common/attendance.ts voidedIds over the same events and their
 * voids). `checkIn` is the first check-in and `checkOut` the last check-out after it, as the ledger shows
 * them; a check-out without any check-in (a forgotten check-in) shows as a check-out alone, so that a
 * correction adding the check-in keeps it.
 */
export function foldDay(
  events: readonly AttendanceEvent[],
  removed: ReadonlySet<string>,
  timeZone: string,
): DayFold {
  const live = sortEvents(events).filter((e) => e.type !== 'void' && !removed.has(e.id));
  let day = NOT_ARRIVED;
  for (const e of live) day = step(day, e);
  const checkIns = live.filter((e) => e.type === 'check_in');
  const checkOuts = live.filter((e) => e.type === 'check_out');
  const absents = live.filter((e) => e.type === 'absent');
  const hhmm = (instant: string | null | undefined) =>
    instant === null || instant === undefined ? null : localTime(instant, timeZone);
  const orphanOut = checkIns.length === 0 ? checkOuts[checkOuts.length - 1]?.occurredAt : undefined;
  const lastAbsent = absents[absents.length - 1];
  return {
    state: {
      checkIn: hhmm(day.checkInAt),
      checkOut: hhmm(day.checkOutAt ?? orphanOut),
      absent: day.status === 'absent' && lastAbsent ? parseAbsence(lastAbsent.note) : null,
    },
    status: day.status,
    checkIns,
    checkOuts,
    absents,
  };
}

/** foldDay over events that carry their own voids (voids of them anywhere among `events`). */
export function foldEvents(events: readonly AttendanceEvent[], timeZone: string): DayFold {
  return foldDay(events, voidedIds(events), timeZone);
}

/**
 * What a day lacks once it is over: a check-in with no check-out after it (the ledger's `open`), or
 * check-outs with no check-in at all; null when it is complete (or has nothing).
 */
export function missingOf(fold: DayFold): 'check_out' | 'check_in' | null {
  if (fold.status === 'present') return 'check_out';
  if (fold.checkIns.length === 0 && fold.checkOuts.length > 0) return 'check_in';
  return null;
}

/** An absence as stored in a DayState: an empty note is no note. */
function absenceOf(a: AbsenceState): AbsenceState {
  return a.note === undefined || a.note === '' ? { reason: a.reason } : { reason: a.reason, note: a.note };
}

export function sameAbsence(a: AbsenceState | null, b: AbsenceState | null): boolean {
  if (a === null || b === null) return a === b;
  return a.reason === b.reason && (a.note ?? '') === (b.note ?? '');
}

export function sameDay(a: DayState, b: DayState): boolean {
  return a.checkIn === b.checkIn && a.checkOut === b.checkOut && sameAbsence(a.absent, b.absent);
}

/** The fields of a correction request that change the day (each: left out, null, or a value). */
export interface DayChange {
  checkIn?: string | null | undefined;
  checkOut?: string | null | undefined;
  absent?: AbsenceState | null | undefined;
}

/**
 * The day a correction asks for: each field given replaces the current one, a field left out keeps it.
 * An absence and a time exclude each other, so one implies the other's end: an absence given with the
 * times left out clears them, and a time given with the absence left out clears the absence (both given
 * is absent_and_present, see stateProblem).
 */
export function finalState(current: DayState, change: DayChange): DayState {
  const absent =
    change.absent !== undefined
      ? change.absent && absenceOf(change.absent)
      : typeof change.checkIn === 'string' || typeof change.checkOut === 'string'
        ? null
        : current.absent;
  const impliedNoTime = change.absent !== undefined && change.absent !== null;
  const time = (given: string | null | undefined, now: string | null) =>
    given !== undefined ? given : impliedNoTime ? null : now;
  return {
    checkIn: time(change.checkIn, current.checkIn),
    checkOut: time(change.checkOut, current.checkOut),
    absent,
  };
}

export type DayProblem = 'absent_and_present' | 'check_out_before_check_in';

/** What is wrong with a day as a correction states it, or undefined. */
export function stateProblem(day: DayState): { code: DayProblem; message: string } | undefined {
  if (day.absent !== null && (day.checkIn !== null || day.checkOut !== null)) {
    return { code: 'absent_and_present', message: 'an absent child has no check-in or check-out' };
  }
  if (day.checkOut !== null && day.checkIn === null) {
    return { code: 'check_out_before_check_in', message: 'a check-out needs a check-in' };
  }
  if (day.checkOut !== null && day.checkIn !== null && day.checkOut <= day.checkIn) {
    return { code: 'check_out_before_check_in', message: 'the check-out must be after the check-in' };
  }
  return undefined;
}

/** An event a correction records, before it gets its id, device, sequence number and actor. */
export interface PlannedEvent {
  type: AttendanceEvent['type'];
  /** RFC 3339 with the facility's offset. */
  occurredAt: string;
  voids?: string;
  note?: string;
}

export interface PlanContext {
  /** The corrected day, YYYY-MM-DD. */
  date: string;
  /** When the correction is made (RFC 3339, the facility's offset): the voids' occurredAt. */
  now: string;
  /** RFC 3339 of local HH:MM on the day (the facility's zone). */
  at: (hhmm: string) => string;
  /** An absence's note in the tablet's format (common/attendance.ts absenceNote). */
  absenceNote: (absence: AbsenceState) => string;
}

/**
 * The events that turn `fold` into `target`, voids first. A value that changes voids every event of its
 * kind in effect and adds one (unless it becomes null): several check-ins (a child who came back) all go,
 * so that the new one is the first. A time that is null in the target voids every event of its kind in
 * effect, also those the state does not show (a check-out before the check-in), so that none comes into
 * effect when the others go. The caller checks the result by folding it (sameDay).
 */
export function planCorrection(fold: DayFold, target: DayState, ctx: PlanContext): PlannedEvent[] {
  const voids: PlannedEvent[] = [];
  const adds: PlannedEvent[] = [];
  const voidAll = (events: readonly AttendanceEvent[]) => {
    for (const e of events) voids.push({ type: 'void', occurredAt: ctx.now, voids: e.id });
  };
  const time = (kind: 'check_in' | 'check_out', now: string | null, next: string | null) => {
    const events = kind === 'check_in' ? fold.checkIns : fold.checkOuts;
    if (next === null) voidAll(events);
    else if (next !== now) {
      voidAll(events);
      adds.push({ type: kind, occurredAt: ctx.at(next) });
    }
  };
  time('check_in', fold.state.checkIn, target.checkIn);
  time('check_out', fold.state.checkOut, target.checkOut);
  if (target.absent === null) {
    // An absence a check-in overrides stays unless no check-in is left to override it.
    if (fold.state.absent !== null || target.checkIn === null) voidAll(fold.absents);
  } else if (!sameAbsence(fold.state.absent, target.absent)) {
    voidAll(fold.absents);
    // Filed under the day's first minute, like the tablet's absence for a coming day.
    adds.push({ type: 'absent', occurredAt: ctx.at('00:00'), note: ctx.absenceNote(target.absent) });
  }
  return [...voids, ...adds];
}
