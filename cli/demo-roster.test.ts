import { describe, expect, it } from 'vitest';
import { ROSTER_HEADER } from '../edge-hub/facility/roster.ts';
import { classAge } from '../edge-hub/staffing/ages.ts';
import { DEMO_CLASSES, demoGuardians, demoRosterCsv, demoSimCards } from './demo-roster.ts';

describe('demo roster', () => {
  const guardians = demoGuardians();
  const children = guardians.flatMap((g) => g.children);

  it('has about 100 children in six classes, 0–5 years, with the planned sizes', () => {
    expect(children).toHaveLength(100);
    for (const cls of DEMO_CLASSES) {
      expect(children.filter((c) => c.classId === cls.id)).toHaveLength(cls.size);
    }
  });

  it('has siblings, never two of one family with the same given name, and unique ids and cards', () => {
    const families = guardians.filter((g) => g.children.length > 1);
    expect(families.length).toBeGreaterThan(5);
    for (const g of families) expect(new Set(g.children.map((c) => c.name)).size).toBe(g.children.length);
    expect(new Set(children.map((c) => c.id)).size).toBe(children.length);
    const cards = guardians.flatMap((g) => g.cards);
    expect(new Set(cards).size).toBe(cards.length);
  });

  it('is deterministic and writes the roster CSV format with one row per child', () => {
    expect(demoGuardians()).toEqual(guardians);
    const lines = demoRosterCsv(guardians, 2026).trimEnd().split('\n');
    expect(lines[0]).toBe(`${ROSTER_HEADER},birth_date`);
    expect(lines).toHaveLength(101);
    for (const line of lines.slice(1)) expect(line.split(',')).toHaveLength(9);
    expect(demoSimCards(guardians)).toHaveLength(guardians.length);
  });

  it("gives every child a birth date of its class's age (the staffing standard's groups)", () => {
    const ageOf = new Map(DEMO_CLASSES.map((c) => [c.id, c.age]));
    for (const fiscalYear of [2026, 2027]) {
      const today = `${fiscalYear}-11-20`;
      for (const line of demoRosterCsv(guardians, fiscalYear).trimEnd().split('\n').slice(1)) {
        const cells = line.split(',');
        expect(classAge(cells[8] ?? null, today)).toBe(ageOf.get(cells[0] ?? ''));
      }
    }
  });
});
