import { describe, expect, it } from 'vitest';
import { BEGINNING_OF_TIME } from '../../protocol/history.ts';
import { MonthlyLedgerSchema, type SnapshotVersion } from '../../protocol/ledger.ts';
import { baseSnapshot, tokyoEvent } from '../../test/support/ledger-month.ts';
import { dailyLedger, enrolledOn, ledgerCsv, monthlyLedger, type LedgerSource } from './index.ts';

/**
 * Ledgers over snapshot versions (issue 13): each day from the snapshot in effect on it, only the
 * children enrolled that day; a later version never changes an earlier day.
 */

const v1 = baseSnapshot({
  classes: [
    { id: 'k1', name: 'ひよこ組' },
    { id: 'k2', name: 'りす組' },
    { id: 'k3', name: 'うさぎ組' },
  ],
  children: [
    { id: 'c1', name: '山田 太郎', kana: 'やまだ たろう', classId: 'k1', careType: 'standard' },
    { id: 'c2', name: '佐藤 花子', kana: 'さとう はなこ', classId: 'k1', careType: 'short' },
    { id: 'c3', name: '鈴木 一', kana: 'すずき', classId: 'k2', careType: 'standard', leftOn: '2026-04-10' },
    {
      id: 'c4',
      name: '高橋 二',
      kana: 'たかはし',
      classId: 'k2',
      careType: 'standard',
      enrolledOn: '2026-05-01',
    },
    { id: 'c5', name: '田中 三', kana: 'たなか', classId: 'k3', careType: 'standard' },
  ],
});
/** From the 15th: c1 moves to りす組, c2 becomes standard care, うさぎ組 and c5 are gone, a new name. */
const v2 = baseSnapshot({
  facilityName: 'げんかん保育園 本園',
  classes: [
    { id: 'k1', name: 'ひよこ組' },
    { id: 'k2', name: 'りす組' },
  ],
  children: [
    { id: 'c1', name: '山田 太郎', kana: 'やまだ たろう', classId: 'k2', careType: 'standard' },
    { id: 'c2', name: '佐藤 花子', kana: 'さとう はなこ', classId: 'k1', careType: 'standard' },
    { id: 'c3', name: '鈴木 一', kana: 'すずき', classId: 'k2', careType: 'standard', leftOn: '2026-04-10' },
    {
      id: 'c4',
      name: '高橋 二',
      kana: 'たかはし',
      classId: 'k2',
      careType: 'standard',
      enrolledOn: '2026-05-01',
    },
  ],
});
const version1: SnapshotVersion = { version: 1, effectiveFrom: BEGINNING_OF_TIME, snapshot: v1 };
const version2: SnapshotVersion = { version: 2, effectiveFrom: '2026-04-15', snapshot: v2 };
const before: LedgerSource = { versions: [version1], amendments: [] };
const both: LedgerSource = { versions: [version2, version1], amendments: [] };

const attend = (childId: string, date: string) => [
  tokyoEvent('check_in', childId, date, '08:00'),
  tokyoEvent('check_out', childId, date, '17:00'),
];
const events = [
  ...attend('c1', '2026-04-01'),
  ...attend('c1', '2026-04-20'),
  // Short band 08:30–16:30: 30 + 30 minutes of extended care; standard band 07:00–18:00: none.
  ...attend('c2', '2026-04-10'),
  ...attend('c2', '2026-04-20'),
  ...attend('c3', '2026-04-09'),
  // After c3 left and before c4 came: on no roster, so on no ledger.
  ...attend('c3', '2026-04-13'),
  ...attend('c4', '2026-04-20'),
  ...attend('c4', '2026-05-07'),
  ...attend('c5', '2026-04-14'),
  ...attend('c5', '2026-04-16'),
];

describe('enrolledOn', () => {
  it('bounds a child by enrolledOn and leftOn, both inclusive, null unbounded', () => {
    const child = { enrolledOn: '2026-04-01', leftOn: '2026-04-30' };
    expect(enrolledOn(child, '2026-03-31')).toBe(false);
    expect(enrolledOn(child, '2026-04-01')).toBe(true);
    expect(enrolledOn(child, '2026-04-30')).toBe(true);
    expect(enrolledOn(child, '2026-05-01')).toBe(false);
    expect(enrolledOn({ enrolledOn: null, leftOn: null }, '0001-01-01')).toBe(true);
    expect(enrolledOn({ enrolledOn: null, leftOn: '2026-04-10' }, '2026-04-11')).toBe(false);
  });
});

describe('a month over two snapshot versions', () => {
  const month = monthlyLedger(both, '2026-04', events, null);
  const row = (classId: string, childId: string) => {
    const className = { k1: 'ひよこ組', k2: 'りす組', k3: 'うさぎ組' }[classId];
    return month.rows.find((r) => r.class_name === className && r.child_id === childId);
  };

  it('has a row per class a child was in, each with only its days', () => {
    expect(MonthlyLedgerSchema.parse(month)).toEqual(month);
    // The last roster's classes in its order, then うさぎ組 (only earlier); children by kana.
    expect(month.rows.map((r) => [r.class_name, r.child_id])).toEqual([
      ['ひよこ組', 'c2'],
      ['ひよこ組', 'c1'],
      ['りす組', 'c3'],
      ['りす組', 'c1'],
      ['うさぎ組', 'c5'],
    ]);
    const inK1 = row('k1', 'c1');
    const inK2 = row('k2', 'c1');
    expect(inK1?.days[0]).toBe('08:00-17:00');
    expect(inK1?.days[19]).toBe('');
    expect(inK1).toMatchObject({ attended_days: 1, absent_days: 0 });
    expect(inK2?.days[0]).toBe('');
    expect(inK2?.days[19]).toBe('08:00-17:00');
    expect(inK2).toMatchObject({ attended_days: 1, absent_days: 0 });
    // c5's class is gone from the 15th: the 16th is on no ledger.
    expect(row('k3', 'c5')).toMatchObject({ attended_days: 1 });
    expect(row('k3', 'c5')?.days[15]).toBe('');
    expect(month.facilityName).toBe('げんかん保育園 本園');
  });

  it('uses the care type of each day', () => {
    expect(row('k1', 'c2')).toMatchObject({ attended_days: 2, extended_minutes: 60 });
    expect(dailyLedger(both, '2026-04-10', events).rows.find((r) => r.child_id === 'c2')).toMatchObject({
      extended_minutes: 60,
    });
    expect(dailyLedger(both, '2026-04-20', events).rows.find((r) => r.child_id === 'c2')).toMatchObject({
      extended_minutes: 0,
    });
  });

  it('leaves out the days after leftOn and before enrolledOn', () => {
    const c3 = row('k2', 'c3');
    expect(c3?.days[8]).toBe('08:00-17:00');
    expect(c3?.days[12]).toBe('');
    expect(c3).toMatchObject({ attended_days: 1 });
    expect(month.rows.some((r) => r.child_id === 'c4')).toBe(false);
    expect(dailyLedger(both, '2026-04-13', events).rows.map((r) => r.child_id)).not.toContain('c3');
    expect(dailyLedger(both, '2026-04-10', events).rows.map((r) => r.child_id)).toContain('c3');
    const may = monthlyLedger(both, '2026-05', events, null);
    expect(may.rows.map((r) => r.child_id)).toEqual(['c2', 'c4', 'c1']);
    expect(may.rows.find((r) => r.child_id === 'c4')?.days[6]).toBe('08:00-17:00');
  });

  it('filters by a class of any version in effect during the month', () => {
    const k2 = monthlyLedger(both, '2026-04', events, 'k2');
    expect(k2.rows.map((r) => r.child_id)).toEqual(['c3', 'c1']);
    expect(k2.rows[1]?.days[0]).toBe('');
    expect(monthlyLedger(both, '2026-04', events, 'k3').rows.map((r) => r.child_id)).toEqual(['c5']);
    expect(() => monthlyLedger(both, '2026-05', events, 'k3')).toThrow(
      expect.objectContaining({ code: 'unknown_class' }),
    );
  });

  it('leaves the days before a new version as they were', () => {
    for (const date of ['2026-04-01', '2026-04-10', '2026-04-14']) {
      const was = dailyLedger(before, date, events);
      const is = dailyLedger(both, date, events);
      expect(is).toEqual(was);
      expect(ledgerCsv(is, 'utf8').equals(ledgerCsv(was, 'utf8'))).toBe(true);
    }
    expect(monthlyLedger(both, '2026-03', events, null)).toEqual(
      monthlyLedger(before, '2026-03', events, null),
    );
    // From the 15th on, the new version holds.
    expect(dailyLedger(both, '2026-04-15', events).facilityName).toBe('げんかん保育園 本園');
    expect(dailyLedger(before, '2026-04-15', events).facilityName).toBe('げんかん保育園');
  });
});

describe('days without a version in effect', () => {
  const late: LedgerSource = { versions: [{ ...version2, version: 1 }], amendments: [] };

  it('have no rows; the earliest version names the facility', () => {
    const day = dailyLedger(late, '2026-04-01', events);
    expect(day.rows).toEqual([]);
    expect(day.facilityName).toBe('げんかん保育園 本園');
    const march = monthlyLedger(late, '2026-03', events, null);
    expect(march.rows).toEqual([]);
    expect(march.facilityName).toBe('げんかん保育園 本園');
    const april = monthlyLedger(late, '2026-04', events, null);
    expect(april.rows.find((r) => r.child_id === 'c1')?.days.slice(0, 14)).toEqual(Array(14).fill(''));
    expect(april.rows.find((r) => r.child_id === 'c1')?.days[19]).toBe('08:00-17:00');
  });

  it('an empty source is refused', () => {
    expect(() => dailyLedger({ versions: [], amendments: [] }, '2026-04-01', [])).toThrow(
      expect.objectContaining({ code: 'no_snapshot' }),
    );
  });
});
