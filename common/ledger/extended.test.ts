import { describe, expect, it } from 'vitest';
import { ExtendedLedgerSchema } from '../../protocol/ledger-extended.ts';
import { ValidationError } from '../errors.ts';
import { baseSnapshot, sourceOf, tokyoEvent } from '../../test/support/ledger-month.ts';
import {
  CHILDREN,
  expectedReport,
  extendedMonth,
  plannedSides,
  PRESENT_AT_V2,
  reportMinutesByChild,
  VARIANTS,
  type Variant,
} from '../../test/support/extended-month.ts';
import { dailyLedger, monthlyLedger } from './engine.ts';
import { extendedLedger } from './extended.ts';

const MONTH = '2026-11';

describe.each(Object.keys(VARIANTS) as Variant[])('extendedLedger, extendedCare %s', (variant) => {
  const m = extendedMonth(MONTH, variant);
  const source = { versions: m.versions, amendments: [] };
  const report = extendedLedger(source, MONTH, m.events);
  const expected = expectedReport(m, variant);

  it('is valid JSON of the protocol, with the bands and times of the month’s last day', () => {
    expect(ExtendedLedgerSchema.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
    expect(report.facilityName).toBe('げんかん保育園');
    expect(report.bands.map((b) => b.id)).toEqual(['30m', '1h', '2h', 'over2h']);
    expect(report.presentAt).toEqual(PRESENT_AT_V2);
    expect(report.days).toHaveLength(30);
  });

  it('counts per day, per side and care type, as worked out from the plan', () => {
    expect(report.days).toEqual(expected.days);
    // The month has uses on both sides and of both care types, so the counts are not trivially zero.
    const total = (side: 'before' | 'after', care: 'standard' | 'short') =>
      report.days.reduce((n, d) => n + d[side][care], 0);
    for (const side of ['before', 'after'] as const) {
      expect(total(side, 'standard')).toBeGreaterThan(3);
      expect(total(side, 'short')).toBeGreaterThan(3);
    }
  });

  it('counts each child’s days per band, a row per care type for the child who changed', () => {
    expect(report.children).toEqual(expected.children);
    expect(report.children.filter((c) => c.childId === 'x1').map((c) => c.careType)).toEqual([
      'standard',
      'short',
    ]);
    // Every band is used on some side, so that each boundary has been crossed.
    for (const band of ['30m', '1h', '2h', 'over2h']) {
      expect(
        report.children.some((c) => (c.bands[band]?.before ?? 0) + (c.bands[band]?.after ?? 0) > 0),
      ).toBe(true);
    }
  });

  it('lists the open day and counts it nowhere', () => {
    expect(report.openDays).toEqual(expected.openDays);
    expect(report.openDays).toEqual([
      { date: '2026-11-10', childId: 's2', childName: '加藤 三郎', className: 'りす組' },
    ]);
  });

  it('counts the children present at each time', () => {
    const day = (d: number) => report.days[d - 1]?.presentAt;
    // The totals are not trivially zero.
    for (const t of PRESENT_AT_V2) expect(report.days.some((x) => (x.presentAt[t] ?? 0) > 0)).toBe(true);
    expect(Object.keys(day(2) ?? {})).toEqual(PRESENT_AT_V2);
  });

  it('agrees with the daily ledger (extended_minutes = before + after) and the monthly ledger', () => {
    for (let d = 1; d <= m.days; d++) {
      const date = `${MONTH}-${String(d).padStart(2, '0')}`;
      const daily = dailyLedger(source, date, m.events);
      for (const child of CHILDREN) {
        const p = m.plan.get(child.id)?.get(d);
        const row = daily.rows.find((r) => r.child_id === child.id);
        if (p === undefined || p === 'absent' || p.out === null) {
          expect(row?.extended_minutes ?? null, `${child.id} ${date}`).toBeNull();
          continue;
        }
        const sides = plannedSides(child, d, { in: p.in, out: p.out }, variant);
        expect(row?.extended_minutes, `${child.id} ${date}`).toBe(sides.before + sides.after);
      }
    }
    const monthly = monthlyLedger(source, MONTH, m.events, null);
    expect(monthly.rows.map((r) => r.child_id)).toEqual([...new Set(report.children.map((c) => c.childId))]);
    const minutes = reportMinutesByChild(report);
    for (const row of monthly.rows)
      expect(minutes.get(row.child_id) ?? 0, row.child_id).toBe(row.extended_minutes);
  });
});

describe('extendedLedger edge cases', () => {
  const snapshot = baseSnapshot({
    classes: [{ id: 'k1', name: 'ひよこ組' }],
    children: [{ id: 'c1', name: '山田 太郎', kana: 'やまだ', classId: 'k1', careType: 'standard' }],
  });

  it('gives the worked example of docs/extended-care.md', () => {
    const D = '2026-11-02';
    const kids = [
      ['A', 'standard', '06:55', '18:31'],
      ['B', 'standard', '06:29', '19:00'],
      ['C', 'short', '08:00', '16:36'],
      ['D', 'short', '08:30', '18:31'],
      ['E', 'standard', '06:50', null],
    ] as const;
    const s = baseSnapshot({
      classes: [{ id: 'k1', name: 'ひよこ組' }],
      children: kids.map(([id, careType]) => ({ id, name: id, kana: id, classId: 'k1', careType })),
    });
    const events = kids.flatMap(([id, , inAt, outAt]) => [
      tokyoEvent('check_in', id, D, inAt),
      ...(outAt === null ? [] : [tokyoEvent('check_out', id, D, outAt)]),
    ]);
    const r = extendedLedger(sourceOf(s), '2026-11', events);
    expect(r.days[1]).toEqual({
      date: D,
      before: { standard: 1, short: 1 },
      after: { standard: 2, short: 2 },
      presentAt: { '18:00': 3, '19:00': 0 },
    });
    expect(r.openDays.map((o) => o.childId)).toEqual(['E']);
    expect(dailyLedger(sourceOf(s), D, events).rows.map((x) => x.extended_minutes)).toEqual([
      60,
      120,
      60,
      150,
      null,
    ]);
    const band = (id: string) =>
      Object.entries(r.children.find((c) => c.childId === id)?.bands ?? {}).flatMap(([b, n]) => [
        ...(n.before > 0 ? [`before ${b}`] : []),
        ...(n.after > 0 ? [`after ${b}`] : []),
      ]);
    expect(['A', 'B', 'C', 'D'].map(band)).toEqual([
      ['after 1h'],
      ['before 1h', 'after 1h'],
      ['before 30m', 'after 30m'],
      ['after over2h'],
    ]);
    const oneToOne = baseSnapshot({
      ...s,
      extendedCare: { graceMinutes: 15, roundingMinutes: 1, rounding: 'up' },
      children: s.children,
    });
    const minutes = extendedLedger(sourceOf(oneToOne), '2026-11', events).children.map((c) => c.minutes);
    expect(minutes.slice(0, 4)).toEqual([
      { before: 0, after: 31 },
      { before: 31, after: 60 },
      { before: 30, after: 0 },
      { before: 0, after: 121 },
    ]);
  });

  it('refuses a bad month', () => {
    expect(() => extendedLedger(sourceOf(snapshot), '2026-13', [])).toThrow(ValidationError);
  });

  it('counts a child present at a time only from the minute of check-in up to before check-out', () => {
    const D = '2026-11-02';
    const at = (inAt: string, outAt: string, id: string) => [
      tokyoEvent('check_in', id, D, inAt),
      tokyoEvent('check_out', id, D, outAt),
    ];
    const children = ['a', 'b', 'c', 'd'].map((id) => ({
      id,
      name: id,
      kana: id,
      classId: 'k1',
      careType: 'standard' as const,
    }));
    const s = baseSnapshot({ classes: [{ id: 'k1', name: 'ひよこ組' }], children });
    const events = [
      ...at('18:00:59', '19:30', 'a'), // in at 18:00: present at 18:00
      ...at('08:00', '18:00:40', 'b'), // out at 18:00: not present at 18:00
      ...at('08:00', '19:00', 'c'), // present at 18:00, not at 19:00
      ...at('18:01', '19:01', 'd'), // present at 19:00 only
    ];
    const r = extendedLedger(sourceOf(s), '2026-11', events);
    expect(r.days[1]?.presentAt).toEqual({ '18:00': 2, '19:00': 2 });
  });

  it('lists every child on the roster, with zero counts when they used no extended care', () => {
    const r = extendedLedger(sourceOf(snapshot), '2026-11', []);
    expect(r.children).toEqual([
      {
        childId: 'c1',
        childName: '山田 太郎',
        className: 'ひよこ組',
        careType: 'standard',
        bands: {
          '30m': { before: 0, after: 0 },
          '1h': { before: 0, after: 0 },
          '2h': { before: 0, after: 0 },
          over2h: { before: 0, after: 0 },
        },
        days: { before: 0, after: 0 },
        minutes: { before: 0, after: 0 },
      },
    ]);
    expect(r.openDays).toEqual([]);
  });

  it('puts each boundary in its band (grace 15, rounding 1: minutes map 1:1)', () => {
    const s = baseSnapshot({
      ...snapshot,
      extendedCare: { graceMinutes: 15, roundingMinutes: 1, rounding: 'up' },
      children: snapshot.children,
    });
    // After 18:00 by 15 (grace: nothing), 16, 30 | 31, 90 | 91, 120 | 121 minutes on Nov 2–9 (weekdays).
    const afters = [15, 16, 30, 31, 90, 91, 120, 121];
    const weekdays = [2, 3, 4, 5, 6, 9, 10, 11];
    const events = afters.flatMap((after, i) => {
      const date = `2026-11-${String(weekdays[i]).padStart(2, '0')}`;
      const out = 18 * 60 + after;
      const hm = `${String(Math.floor(out / 60)).padStart(2, '0')}:${String(out % 60).padStart(2, '0')}`;
      return [tokyoEvent('check_in', 'c1', date, '06:45'), tokyoEvent('check_out', 'c1', date, hm)];
    });
    const row = extendedLedger(sourceOf(s), '2026-11', events).children[0];
    // 06:45 is 15 minutes before 07:00: within the grace every day.
    expect(row?.days).toEqual({ before: 0, after: 7 });
    expect(row?.bands).toEqual({
      '30m': { before: 0, after: 2 },
      '1h': { before: 0, after: 2 },
      '2h': { before: 0, after: 2 },
      over2h: { before: 0, after: 1 },
    });
  });

  it('counts a side in days but no band when its minutes fall between bands', () => {
    const s = baseSnapshot({
      ...snapshot,
      extendedCare: { graceMinutes: 5, roundingMinutes: 1, rounding: 'up' },
      children: snapshot.children,
    });
    // 10 minutes after: above the grace, below the first band (16).
    const r = extendedLedger(sourceOf(s), '2026-11', [
      tokyoEvent('check_in', 'c1', '2026-11-02', '08:00'),
      tokyoEvent('check_out', 'c1', '2026-11-02', '18:10'),
    ]);
    expect(r.children[0]?.days).toEqual({ before: 0, after: 1 });
    expect(r.children[0]?.minutes).toEqual({ before: 0, after: 10 });
    expect(Object.values(r.children[0]?.bands ?? {}).every((b) => b.after === 0)).toBe(true);
    expect(r.days[1]?.after).toEqual({ standard: 1, short: 0 });
  });
});
