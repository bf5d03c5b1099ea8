import { describe, expect, it } from 'vitest';
import { DailyLedgerSchema } from '../../protocol/ledger.ts';
import type { CareBand, ExtendedCare } from '../../protocol/settings.ts';
import { ValidationError } from '../errors.ts';
import { baseSnapshot, sourceOf, tokyoEvent } from '../../test/support/ledger-month.ts';
import { dailyLedger, extendedMinutes, ledgerContentType, ledgerFileName, monthlyLedger } from './index.ts';

const standard = { start: '07:00', end: '18:00' };
const short = { start: '08:30', end: '16:30' };
const up30: ExtendedCare = { graceMinutes: 5, roundingMinutes: 30, rounding: 'up' };
const down30: ExtendedCare = { ...up30, rounding: 'down' };
const nearest30: ExtendedCare = { ...up30, rounding: 'nearest' };

describe('extendedMinutes', () => {
  const cases: [string, string, CareBand, ExtendedCare, number, string][] = [
    // [in, out, band, rules, expected, why]
    ['07:00', '18:00', standard, up30, 0, 'inside the band'],
    ['06:55', '18:05', standard, up30, 0, 'exactly at the grace on both sides'],
    ['06:54', '18:00', standard, up30, 30, 'one minute past the grace: rounded up'],
    ['07:00', '18:06', standard, up30, 30, 'late side alone'],
    ['06:54', '18:06', standard, up30, 60, 'both sides, each rounded on its own'],
    ['06:30', '18:00', standard, up30, 30, 'a multiple stays'],
    ['06:29', '18:00', standard, up30, 60, 'one past a multiple'],
    ['06:54', '18:00', standard, down30, 0, 'down: 6 minutes floor to 0'],
    ['06:20', '18:40', standard, down30, 60, 'down: 40 + 40'],
    ['06:45', '18:00', standard, nearest30, 30, 'nearest: 15 is half, rounds up'],
    ['06:46', '18:00', standard, nearest30, 0, 'nearest: 14 rounds down'],
    ['07:00', '18:44', standard, nearest30, 30, 'nearest: 44 → 30'],
    ['07:00', '18:45', standard, nearest30, 60, 'nearest: 45 → 60'],
    ['08:00', '17:00', short, up30, 60, 'short band: 30 early + 30 late'],
    ['08:25', '16:35', short, up30, 0, 'short band: at the grace'],
    ['05:00', '06:00', standard, up30, 60, 'all before the band'],
    ['19:00', '20:10', standard, up30, 90, 'all after the band'],
    ['06:00', '06:04', standard, up30, 0, 'a short early visit within the grace'],
    [
      '06:00',
      '21:00',
      standard,
      { graceMinutes: 0, roundingMinutes: 1, rounding: 'up' },
      240,
      'no grace, no rounding',
    ],
  ];
  it.each(cases)('%s–%s → %i (%s)', (inHm, outHm, band, rules, expected) => {
    expect(extendedMinutes(inHm, outHm, band, rules)).toBe(expected);
  });

  it('grace is inclusive and rounding applies to the whole side', () => {
    const g10: ExtendedCare = { graceMinutes: 10, roundingMinutes: 15, rounding: 'up' };
    expect(extendedMinutes('06:50', '18:00', standard, g10)).toBe(0);
    expect(extendedMinutes('06:49', '18:00', standard, g10)).toBe(15);
    expect(extendedMinutes('06:44', '18:00', standard, g10)).toBe(30);
  });
});

const snapshot = baseSnapshot({
  classes: [
    { id: 'k2', name: 'りす組' },
    { id: 'k1', name: 'ひよこ組' },
  ],
  children: [
    { id: 'c1', name: '山田 太郎', kana: 'やまだ たろう', classId: 'k1', careType: 'standard' },
    { id: 'c2', name: '佐藤 花子', kana: 'さとう はなこ', classId: 'k1', careType: 'short' },
    { id: 'c3', name: '=1+2', kana: 'あ', classId: 'k2', careType: 'standard' },
    { id: 'c4', name: '鈴木 一', kana: 'すずき', classId: 'k2', careType: 'standard' },
    { id: 'c5', name: '高橋 二', kana: 'たかはし', classId: 'k2', careType: 'short' },
    { id: 'c9', name: 'no class', kana: 'ん', classId: 'kx', careType: 'standard' },
  ],
});
const D = '2026-04-01';
const staff = (note?: string) => ({
  method: 'staff' as const,
  actor: 's1',
  deviceId: 'tablet-1',
  ...(note === undefined ? {} : { note }),
});

describe('dailyLedger', () => {
  const wrong = tokyoEvent('check_in', 'c2', D, '06:00');
  const events = [
    // c1: early in, late out, with seconds (truncated) and an earlier check-out that does not count.
    tokyoEvent('check_out', 'c1', D, '12:00:10'),
    tokyoEvent('check_in', 'c1', D, '06:40:59'),
    tokyoEvent('check_out', 'c1', D, '18:20:30'),
    // c2: a wrong tap voided the next morning, a manual check-in with a note, no check-out (open).
    wrong,
    tokyoEvent('check_in', 'c2', D, '08:10', staff('手動登園: カード忘れ')),
    tokyoEvent('void', 'c2', '2026-04-02', '09:00', { ...staff('誤タップ'), voids: wrong.id }),
    // c3: absent with a reason.
    tokyoEvent('absent', 'c3', D, '07:30', staff('sick: 発熱のため')),
    // c5: an absence, voided, then came; events of other days are ignored.
    tokyoEvent('check_in', 'c5', '2026-03-31', '08:00'),
    tokyoEvent('check_out', 'c5', '2026-04-02', '17:00'),
    tokyoEvent('check_in', 'c5', D, '08:30'),
    tokyoEvent('check_out', 'c5', D, '16:30', staff('祖母がお迎え')),
  ];
  const absent5 = tokyoEvent('absent', 'c5', D, '07:00', staff('family'));
  events.push(absent5, tokyoEvent('void', 'c5', D, '08:29', { ...staff(), voids: absent5.id }));
  const ledger = dailyLedger(sourceOf(snapshot), D, events);

  it('rows in roster class order, children by kana, children without a class left out', () => {
    expect(DailyLedgerSchema.parse(ledger)).toEqual(ledger);
    expect(ledger.rows.map((r) => [r.class_name, r.child_id])).toEqual([
      ['りす組', 'c3'],
      ['りす組', 'c4'],
      ['りす組', 'c5'],
      ['ひよこ組', 'c2'],
      ['ひよこ組', 'c1'],
    ]);
    expect(ledger).toMatchObject({ facilityId: 'f1', facilityName: 'げんかん保育園', date: D });
  });

  it('statuses, times, extended minutes, notes, corrected and open', () => {
    const by = new Map(ledger.rows.map((r) => [r.child_id, r]));
    expect(by.get('c1')).toMatchObject({
      status: 'left',
      check_in: '06:40',
      check_out: '18:20',
      extended_minutes: 60,
      note: '',
      corrected: false,
      open: false,
    });
    expect(by.get('c2')).toMatchObject({
      status: 'present',
      check_in: '08:10',
      check_out: null,
      extended_minutes: null,
      note: '手動登園: カード忘れ / 誤タップ',
      corrected: true,
      open: true,
    });
    expect(by.get('c3')).toMatchObject({
      child_name: '=1+2',
      status: 'absent',
      check_in: null,
      extended_minutes: null,
      note: 'sick: 発熱のため',
      corrected: true,
      open: false,
    });
    expect(by.get('c4')).toMatchObject({
      status: 'not_arrived',
      note: '',
      corrected: false,
      extended_minutes: null,
    });
    expect(by.get('c5')).toMatchObject({
      status: 'left',
      check_in: '08:30',
      check_out: '16:30',
      extended_minutes: 0,
      note: 'family / 祖母がお迎え',
      corrected: true,
    });
  });

  it('local times across a DST change (America/New_York, 2026-03-08)', () => {
    const ny = baseSnapshot({ ...snapshot, timeZone: 'America/New_York' });
    const day = '2026-03-08';
    const at = (iso: string, type: 'check_in' | 'check_out') => ({
      ...tokyoEvent(type, 'c1', day, '00:00'),
      occurredAt: iso,
    });
    const rows = dailyLedger(sourceOf(ny), day, [
      at('2026-03-08T06:30:00Z', 'check_in'), // 01:30 EST
      at('2026-03-08T07:10:00Z', 'check_out'), // 03:10 EDT
      at('2026-03-09T04:30:00Z', 'check_in'), // 00:30 EDT on the 9th: another day
    ]).rows;
    expect(rows.find((r) => r.child_id === 'c1')).toMatchObject({
      check_in: '01:30',
      check_out: '03:10',
      status: 'left',
    });
  });

  it('refuses a bad date', () => {
    expect(() => dailyLedger(sourceOf(snapshot), '2026-02-30', [])).toThrow(ValidationError);
  });
});

describe('monthlyLedger', () => {
  it('filters by class, refuses an unknown class and a bad month', () => {
    const m = monthlyLedger(sourceOf(snapshot), '2026-04', [tokyoEvent('check_in', 'c1', D, '08:00')], 'k1');
    expect(m.rows.map((r) => r.child_id)).toEqual(['c2', 'c1']);
    expect(m.rows[1]).toMatchObject({ attended_days: 1, open_days: [1], extended_minutes: 0 });
    expect(m.rows[1]?.days).toHaveLength(30);
    expect(m.rows[1]?.days[0]).toBe('08:00-');
    expect(() => monthlyLedger(sourceOf(snapshot), '2026-04', [], 'nope')).toThrow(
      expect.objectContaining({ code: 'unknown_class' }),
    );
    expect(() => monthlyLedger(sourceOf(snapshot), '2026-13', [], null)).toThrow(ValidationError);
    expect(monthlyLedger(sourceOf(snapshot), '2028-02', [], null).rows[0]?.days).toHaveLength(29);
  });

  it('file names and content types', () => {
    const m = monthlyLedger(sourceOf(snapshot), '2026-04', [], 'k1');
    expect(ledgerFileName(m, 'xlsx')).toBe('ledger-2026-04-k1.xlsx');
    expect(ledgerFileName({ ...m, classId: null }, 'pdf')).toBe('ledger-2026-04.pdf');
    expect(ledgerFileName(dailyLedger(sourceOf(snapshot), D, []), 'csv')).toBe('ledger-2026-04-01.csv');
    expect(ledgerContentType('csv', 'sjis')).toBe('text/csv; charset=Shift_JIS');
    expect(ledgerContentType('csv')).toBe('text/csv; charset=utf-8');
    expect(ledgerContentType('pdf')).toBe('application/pdf');
  });
});
