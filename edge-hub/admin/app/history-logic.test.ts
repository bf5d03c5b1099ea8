import { describe, expect, it } from 'vitest';
import { CorrectionRequestSchema } from '../../../protocol/history.ts';
import {
  correctionRequest,
  dayLabel,
  dayOfDailyRow,
  dayOfMonthlyCell,
  inputOf,
  isMonthOver,
  nextMonth,
  previousMonth,
  type CorrectionInput,
} from './history-logic.ts';
import { MESSAGES } from './messages.ts';

const form = (patch: Partial<CorrectionInput> = {}): CorrectionInput => ({
  checkIn: '08:30',
  checkOut: '17:15',
  absentReason: '',
  absentNote: '',
  reason: 'forgot to tap out',
  amendment: false,
  ...patch,
});

describe('corrections and month close: pure parts', () => {
  it('steps months across years and tells an ended month', () => {
    expect(previousMonth('2026-01')).toBe('2025-12');
    expect(previousMonth('2026-10')).toBe('2026-09');
    expect(nextMonth('2025-12')).toBe('2026-01');
    expect(isMonthOver('2026-03', '2026-04-01')).toBe(true);
    expect(isMonthOver('2026-04', '2026-04-30')).toBe(false);
    expect(dayLabel('2026-04-01', 'en-GB')).toContain('1');
  });

  it('reads a day from a monthly ledger cell and from a daily ledger row', () => {
    expect(dayOfMonthlyCell('08:30-')).toEqual({ checkIn: '08:30', checkOut: null, absent: null });
    expect(dayOfMonthlyCell('08:30-17:00※')).toEqual({ checkIn: '08:30', checkOut: '17:00', absent: null });
    expect(dayOfMonthlyCell('欠')).toEqual({ checkIn: null, checkOut: null, absent: { reason: 'other' } });
    expect(dayOfMonthlyCell('')).toEqual({ checkIn: null, checkOut: null, absent: null });
    const row = { status: 'left', check_in: '08:00', check_out: '16:00', note: '' };
    expect(dayOfDailyRow(row)).toEqual({ checkIn: '08:00', checkOut: '16:00', absent: null });
    expect(
      dayOfDailyRow({ status: 'absent', check_in: null, check_out: null, note: 'late entry / sick: 発熱' }),
    ).toEqual({ checkIn: null, checkOut: null, absent: { reason: 'sick', note: '発熱' } });
    expect(dayOfDailyRow({ status: 'absent', check_in: null, check_out: null, note: '' })).toEqual({
      checkIn: null,
      checkOut: null,
      absent: { reason: 'other' },
    });
  });

  it('builds the correction request the hub takes, with the whole day', () => {
    const body = correctionRequest('c001', '2026-04-01', form(), false);
    expect(body).toEqual({
      childId: 'c001',
      date: '2026-04-01',
      reason: 'forgot to tap out',
      checkIn: '08:30',
      checkOut: '17:15',
      absent: null,
    });
    expect(CorrectionRequestSchema.safeParse({ ...(body as object), actor: 'boss' }).success).toBe(true);
    expect(correctionRequest('c001', '2026-04-01', form({ checkOut: '' }), false)).toMatchObject({
      checkOut: null,
    });
    expect(
      correctionRequest('c001', '2026-04-01', form({ absentReason: 'family', absentNote: ' 帰省\n' }), false),
    ).toMatchObject({ checkIn: null, checkOut: null, absent: { reason: 'family', note: '帰省' } });
  });

  it('asks for a reason, for the amendment confirmation of a closed month, and for HH:MM', () => {
    expect(correctionRequest('c001', '2026-04-01', form({ reason: '  ' }), false)).toBe('need_reason');
    expect(correctionRequest('c001', '2026-03-31', form(), true)).toBe('need_amendment');
    expect(correctionRequest('c001', '2026-03-31', form({ amendment: true }), true)).toMatchObject({
      amendment: true,
    });
    expect(correctionRequest('c001', '2026-04-01', form({ checkIn: '8:30' }), false)).toBe('bad_time');
  });

  it('starts the form from the day as recorded', () => {
    expect(inputOf({ checkIn: '08:30', checkOut: null, absent: null })).toEqual(
      form({ checkOut: '', reason: '' }),
    );
  });

  it('explains every correction and close refusal in both languages', () => {
    for (const { history } of [MESSAGES.ja, MESSAGES.en]) {
      for (const code of [
        'month_closed',
        'future_date',
        'check_out_before_check_in',
        'absent_and_present',
        'no_change',
        'unknown_child',
        'unknown_staff',
        'bad_date',
      ]) {
        expect(history.correction.error(code, 'x'), code).not.toContain(code);
      }
      for (const code of ['month_not_over', 'month_already_closed', 'unknown_staff']) {
        expect(history.months.error(code, 'x'), code).not.toContain(code);
      }
    }
    expect(MESSAGES.ja.history.months.states).toEqual({ open: '未確定', closed: '確定済み' });
  });
});
