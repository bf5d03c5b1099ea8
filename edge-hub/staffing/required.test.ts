import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../protocol/settings.ts';
import { ageGroupOf } from './ages.ts';
import {
  classRequirement,
  countAges,
  emptyAgeCounts,
  facilityRequirement,
  requiredByAge,
  staffFraction,
} from './required.ts';

const STAFFING = DEFAULT_SETTINGS.staffing;
const PER = STAFFING.childrenPerStaff;

const counts = (c: Partial<ReturnType<typeof emptyAgeCounts>>) => ({ ...emptyAgeCounts(), ...c });

describe('required staff by age', () => {
  it('uses the national standard: 0歳 3:1, 1–2歳 6:1, 3歳 15:1, 4–5歳 25:1', () => {
    expect(requiredByAge(counts({ age0: 3 }), PER)).toBe(1);
    expect(requiredByAge(counts({ age0: 4 }), PER)).toBe(2);
    expect(requiredByAge(counts({ age1: 6 }), PER)).toBe(1);
    expect(requiredByAge(counts({ age2: 7 }), PER)).toBe(2);
    expect(requiredByAge(counts({ age3: 15 }), PER)).toBe(1);
    expect(requiredByAge(counts({ age3: 16 }), PER)).toBe(2);
    expect(requiredByAge(counts({ age4plus: 25 }), PER)).toBe(1);
    expect(requiredByAge(counts({ age4plus: 26 }), PER)).toBe(2);
    expect(requiredByAge(counts({}), PER)).toBe(0);
  });

  it('sums fractions in a mixed room: two 0歳 + five 1歳 + one of unknown age', () => {
    // Born on the roster's terms, counted on 2025-09-01 (fiscal 2025).
    const date = '2025-09-01';
    const room = countAges(
      [
        '2024-06-01',
        '2025-01-10',
        '2023-05-01',
        '2023-08-01',
        '2024-02-01',
        '2024-03-31',
        '2024-04-01',
        null,
      ].map((b) => ageGroupOf(b, date)),
    );
    expect(room).toEqual(counts({ age0: 2, age1: 5, unknown: 1 }));
    // 2/3 + 5/6 = 1.5 → 2; the child of unknown age is not guessed.
    expect(staffFraction(room, PER)).toBeCloseTo(1.5);
    expect(classRequirement(room, PER, null)).toEqual({ byAge: 2, byClassRatio: null, required: 2 });
    // With the class's own ratio of 3, all eight children count: ceil(8/3) = 3 is stricter.
    expect(classRequirement(room, PER, 3)).toEqual({ byAge: 2, byClassRatio: 3, required: 3 });
    // A lax own ratio never lowers what the ages need.
    expect(classRequirement(room, PER, 10)).toEqual({ byAge: 2, byClassRatio: 1, required: 2 });
  });

  it('rounds the sum once (default), or each age group first (per_age, some municipalities)', () => {
    const mixed = counts({ age0: 4, age1: 1 });
    expect(requiredByAge(mixed, PER)).toBe(2);
    expect(requiredByAge(mixed, PER, 'sum')).toBe(2);
    expect(requiredByAge(mixed, PER, 'per_age')).toBe(3);
    const small = counts({ age0: 1, age1: 1 });
    expect(requiredByAge(small, PER)).toBe(1);
    expect(requiredByAge(small, PER, 'per_age')).toBe(2);
  });

  it('does not round a floating-point whole number up: six 1歳, ten 2歳 and five 3歳 need three', () => {
    const room = counts({ age1: 6, age2: 10, age3: 5 });
    // 6/6 + 10/6 + 5/15 is 3, which floating point adds up to a hair above.
    expect(staffFraction(room, PER)).toBeGreaterThan(3);
    expect(requiredByAge(room, PER)).toBe(3);
    expect(requiredByAge(counts({ age1: 5, age2: 1 }), PER)).toBe(1);
    expect(requiredByAge(counts({ age0: 1, age1: 2, age4plus: 25 }), PER)).toBe(2);
  });

  it('asks the facility for its minimum while any child is present, and for nobody otherwise', () => {
    expect(facilityRequirement(counts({}), STAFFING)).toBe(0);
    expect(facilityRequirement(counts({ unknown: 1 }), STAFFING)).toBe(2);
    expect(facilityRequirement(counts({ age4plus: 3 }), STAFFING)).toBe(2);
    expect(facilityRequirement(counts({ age0: 7, age1: 6 }), STAFFING)).toBe(4);
    expect(facilityRequirement(counts({ age0: 1 }), { ...STAFFING, minimumStaff: 0 })).toBe(1);
  });

  it('follows edited ratios', () => {
    const per = { ...PER, age1: 5, age4plus: 30 };
    expect(requiredByAge(counts({ age1: 6 }), per)).toBe(2);
    expect(requiredByAge(counts({ age4plus: 30 }), per)).toBe(1);
  });
});
