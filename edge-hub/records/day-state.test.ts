import { describe, expect, it } from 'vitest';
import { absenceNote } from '../../common/attendance.ts';
import { newEventId } from '../../common/ids.ts';
import type { AbsenceState, AttendanceEvent, DayState } from '../../protocol/index.ts';
import {
  EMPTY_DAY,
  finalState,
  foldEvents,
  missingOf,
  planCorrection,
  sameDay,
  stateProblem,
  type PlannedEvent,
} from './day-state.ts';

const TZ = 'Asia/Tokyo';
const DATE = '2026-04-03';
let seq = 0;
const ev = (
  type: AttendanceEvent['type'],
  hhmm: string,
  extra: Partial<AttendanceEvent> = {},
): AttendanceEvent => ({
  id: newEventId(),
  type,
  childId: 'c001',
  occurredAt: `${DATE}T${hhmm}:00+09:00`,
  deviceId: 'kiosk-1',
  seq: ++seq,
  method: 'card',
  actor: 'g001',
  ...extra,
});
const voidOf = (target: AttendanceEvent) =>
  ev('void', '23:00', { voids: target.id, method: 'staff', actor: 's1', deviceId: 'tablet-1' });

const ctx = {
  date: DATE,
  now: '2026-04-10T12:00:00.000+09:00',
  at: (hhmm: string) => `${DATE}T${hhmm}:00.000+09:00`,
  absenceNote: (a: AbsenceState) => absenceNote(a.reason, a.note),
};

/** Applies a plan as events (with ids) and folds the day again. */
function applied(events: AttendanceEvent[], plan: PlannedEvent[]): DayState {
  const made = plan.map((p) =>
    ev(p.type, '00:00', { ...p, method: 'staff', actor: 's1', deviceId: 'hub-admin' }),
  );
  return foldEvents([...events, ...made], TZ).state;
}

describe('a day as a correction sees it', () => {
  it('folds first check-in, last check-out after it, the absence, with voids resolved', () => {
    const first = ev('check_in', '08:00');
    const events = [first, ev('check_in', '08:05'), ev('check_out', '12:00'), ev('check_out', '17:30')];
    expect(foldEvents(events, TZ).state).toEqual({ checkIn: '08:00', checkOut: '17:30', absent: null });
    expect(foldEvents([...events, voidOf(first)], TZ).state.checkIn).toBe('08:05');
    const absent = ev('absent', '00:00', { note: 'sick: 熱', method: 'staff' });
    expect(foldEvents([absent], TZ).state.absent).toEqual({ reason: 'sick', note: '熱' });
    // A check-in overrides the absence.
    expect(foldEvents([absent, first], TZ).state).toEqual({ checkIn: '08:00', checkOut: null, absent: null });
  });

  it('names what an ended day lacks', () => {
    expect(missingOf(foldEvents([ev('check_in', '08:00')], TZ))).toBe('check_out');
    expect(missingOf(foldEvents([ev('check_out', '17:00')], TZ))).toBe('check_in');
    expect(missingOf(foldEvents([ev('check_in', '08:00'), ev('check_out', '17:00')], TZ))).toBeNull();
    expect(missingOf(foldEvents([], TZ))).toBeNull();
    // A check-out alone shows, so that adding the check-in keeps it.
    expect(foldEvents([ev('check_out', '17:00')], TZ).state.checkOut).toBe('17:00');
  });

  it('takes the request over the current day; an absence and a time exclude each other', () => {
    const current: DayState = { checkIn: '08:00', checkOut: null, absent: null };
    expect(finalState(current, { checkOut: '18:40' })).toEqual({
      checkIn: '08:00',
      checkOut: '18:40',
      absent: null,
    });
    expect(finalState(current, { checkIn: null })).toEqual(EMPTY_DAY);
    expect(finalState(current, { absent: { reason: 'family', note: '' } })).toEqual({
      checkIn: null,
      checkOut: null,
      absent: { reason: 'family' },
    });
    const absent: DayState = { checkIn: null, checkOut: null, absent: { reason: 'sick' } };
    expect(finalState(absent, { checkIn: '09:00' })).toEqual({
      checkIn: '09:00',
      checkOut: null,
      absent: null,
    });
    expect(stateProblem({ checkIn: '09:00', checkOut: '09:00', absent: null })?.code).toBe(
      'check_out_before_check_in',
    );
    expect(stateProblem({ checkIn: null, checkOut: '09:00', absent: null })?.code).toBe(
      'check_out_before_check_in',
    );
    expect(stateProblem({ checkIn: '09:00', checkOut: null, absent: { reason: 'other' } })?.code).toBe(
      'absent_and_present',
    );
    expect(stateProblem({ checkIn: '09:00', checkOut: '09:01', absent: null })).toBeUndefined();
  });

  it('plans voids first, then what is added, and the plan gives the day asked for', () => {
    const checkIn = ev('check_in', '08:00');
    const back = ev('check_in', '13:00');
    const events = [checkIn, ev('check_out', '12:00'), back];
    const fold = foldEvents(events, TZ);
    expect(fold.state).toEqual({ checkIn: '08:00', checkOut: '12:00', absent: null });

    const target = { checkIn: '07:30', checkOut: '17:00', absent: null };
    const plan = planCorrection(fold, target, ctx);
    expect(plan.map((p) => p.type)).toEqual(['void', 'void', 'void', 'check_in', 'check_out']);
    expect(plan.slice(0, 2).map((p) => p.voids)).toEqual([checkIn.id, back.id]);
    expect(applied(events, plan)).toEqual(target);

    const absence = { checkIn: null, checkOut: null, absent: { reason: 'sick' as const, note: '熱' } };
    const absencePlan = planCorrection(fold, absence, ctx);
    expect(absencePlan.at(-1)).toEqual({ type: 'absent', occurredAt: ctx.at('00:00'), note: 'sick: 熱' });
    expect(sameDay(applied(events, absencePlan), absence)).toBe(true);
  });

  it('voids a check-out before the check-in when the check-in moves before it', () => {
    const events = [ev('check_out', '07:00'), ev('check_in', '08:00')];
    const fold = foldEvents(events, TZ);
    expect(fold.state).toEqual({ checkIn: '08:00', checkOut: null, absent: null });
    const target = { checkIn: '06:30', checkOut: null, absent: null };
    expect(applied(events, planCorrection(fold, target, ctx))).toEqual(target);
  });

  it('clears an absence a check-in overrode once no check-in is left', () => {
    const events = [ev('absent', '00:00', { note: 'sick', method: 'staff' }), ev('check_in', '08:00')];
    const fold = foldEvents(events, TZ);
    expect(applied(events, planCorrection(fold, EMPTY_DAY, ctx))).toEqual(EMPTY_DAY);
    // Moving the check-in leaves the overridden absence alone.
    const moved = planCorrection(fold, { checkIn: '09:00', checkOut: null, absent: null }, ctx);
    expect(moved.filter((p) => p.type === 'void')).toHaveLength(1);
  });
});
