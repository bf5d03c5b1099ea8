import { describe, expect, it } from 'vitest';
import { MonthlyLedgerSchema } from '../../protocol/ledger.ts';
import type { CareBand, ExtendedCare } from '../../protocol/settings.ts';
import { generateMonth, sourceOf } from '../../test/support/ledger-month.ts';
import { dailyLedger, monthlyLedger } from './index.ts';

/**
 * The month test: a generated April for 120 children in 4 classes, the expected extended care worked out
 * here from the rule text alone (minute by minute, rounding by stepping), compared with the engine's
 * daily and monthly ledgers.
 */

/** Counts the minutes of [in, out) before the band and after it, then applies grace and rounding. */
function expectedExtended(inHm: string, outHm: string, band: CareBand, rules: ExtendedCare): number {
  const toMin = (hm: string) => parseInt(hm.slice(0, 2), 10) * 60 + parseInt(hm.slice(3, 5), 10);
  let early = 0;
  let late = 0;
  for (let t = toMin(inHm); t < toMin(outHm); t++) {
    if (t < toMin(band.start)) early++;
    if (t >= toMin(band.end)) late++;
  }
  const side = (m: number): number => {
    if (m <= rules.graceMinutes) return 0;
    if (m % rules.roundingMinutes === 0) return m;
    let down = m;
    while (down % rules.roundingMinutes !== 0) down--;
    const up = down + rules.roundingMinutes;
    if (rules.rounding === 'up') return up;
    if (rules.rounding === 'down') return down;
    return m - down >= up - m ? up : down;
  };
  return side(early) + side(late);
}

const MONTH = '2026-04';

describe.each([
  { name: 'default rules (grace 5, 30 up)', rules: undefined },
  {
    name: 'nearest 15, grace 10',
    rules: { graceMinutes: 10, roundingMinutes: 15, rounding: 'nearest' } as const,
  },
  { name: 'down 10, grace 0', rules: { graceMinutes: 0, roundingMinutes: 10, rounding: 'down' } as const },
])('a generated month, $name', ({ rules }) => {
  const gen = generateMonth(MONTH, 120, 4, 20260401);
  const snapshot = rules ? { ...gen.snapshot, extendedCare: rules } : gen.snapshot;
  const { plan, events } = gen;
  const ledger = monthlyLedger(sourceOf(snapshot), MONTH, events, null);

  it('has one valid row per child, classes in roster order', () => {
    expect(MonthlyLedgerSchema.parse(ledger)).toEqual(ledger);
    expect(ledger.rows).toHaveLength(120);
    const classOrder = ledger.rows.map((r) => r.class_name).filter((c, i, a) => a.indexOf(c) === i);
    expect(classOrder).toEqual(snapshot.classes.map((c) => c.name));
  });

  it('covers the cases the rules are about', () => {
    const all = [...plan.values()].flatMap((m) => [...m.values()]);
    expect(all.filter((d) => d.kind === 'absent').length).toBeGreaterThan(50);
    expect(all.filter((d) => d.kind === 'attend' && d.out === null).length).toBeGreaterThan(5);
    expect(all.filter((d) => d.kind === 'attend' && d.corrected).length).toBeGreaterThan(100);
    expect(
      events.filter(
        (e) =>
          e.type === 'void' &&
          e.occurredAt.slice(0, 10) !== events.find((t) => t.id === e.voids)?.occurredAt.slice(0, 10),
      ).length,
    ).toBeGreaterThan(10);
    expect(new Set(snapshot.children.map((c) => c.careType)).size).toBe(2);
  });

  it('matches the plan day by day and in the totals', () => {
    for (const row of ledger.rows) {
      const child = snapshot.children.find((c) => c.id === row.child_id);
      const days = plan.get(row.child_id);
      if (!child || !days) throw new Error(`unknown child ${row.child_id}`);
      const band = snapshot.careBands[child.careType];
      let attended = 0;
      let absent = 0;
      let extended = 0;
      const open: number[] = [];
      const corrected: number[] = [];
      const cells: string[] = [];
      for (let d = 1; d <= 30; d++) {
        const p = days.get(d) ?? { kind: 'none' };
        // Absences are staff events; an attended day is corrected when the plan made it so.
        if (p.kind === 'absent' || (p.kind === 'attend' && p.corrected)) corrected.push(d);
        if (p.kind === 'absent') {
          absent++;
          cells.push('欠');
        } else if (p.kind === 'attend') {
          attended++;
          if (p.out === null) {
            open.push(d);
            cells.push(`${p.in}-`);
          } else {
            extended += expectedExtended(p.in, p.out, band, snapshot.extendedCare);
            cells.push(`${p.in}-${p.out}`);
          }
        } else cells.push('');
      }
      expect({ id: row.child_id, days: row.days }).toEqual({ id: row.child_id, days: cells });
      expect(row.attended_days).toBe(attended);
      expect(row.absent_days).toBe(absent);
      expect(row.extended_minutes).toBe(extended);
      expect(row.open_days).toEqual(open);
      expect(row.corrected_days).toEqual(corrected);
    }
  });

  it('gives the same per day in the daily ledgers, with notes and corrections', () => {
    for (let d = 1; d <= 30; d++) {
      const date = `${MONTH}-${String(d).padStart(2, '0')}`;
      const daily = dailyLedger(sourceOf(snapshot), date, events);
      for (const row of daily.rows) {
        const child = snapshot.children.find((c) => c.id === row.child_id);
        const p = plan.get(row.child_id)?.get(d);
        if (!child || !p) throw new Error(`no plan for ${row.child_id} on ${date}`);
        const band = snapshot.careBands[child.careType];
        const expected =
          p.kind === 'attend'
            ? {
                status: p.out === null ? 'present' : 'left',
                check_in: p.in,
                check_out: p.out,
                extended_minutes:
                  p.out === null ? null : expectedExtended(p.in, p.out, band, snapshot.extendedCare),
                open: p.out === null,
                note: p.notes.join(' / '),
                corrected: p.corrected,
              }
            : {
                status: p.kind === 'absent' ? 'absent' : 'not_arrived',
                check_in: null,
                check_out: null,
                extended_minutes: null,
                open: false,
                note: p.kind === 'absent' ? p.note : '',
                corrected: p.kind === 'absent',
              };
        const { status, check_in, check_out, extended_minutes, open, note, corrected } = row;
        expect({
          date,
          id: row.child_id,
          status,
          check_in,
          check_out,
          extended_minutes,
          open,
          note,
          corrected,
        }).toEqual({
          date,
          id: row.child_id,
          ...expected,
        });
      }
    }
  });
});
