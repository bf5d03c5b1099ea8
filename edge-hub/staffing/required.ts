import type { Staffing } from '../../protocol/settings.ts';
import { AGE_GROUPS, type AgeGroup } from './ages.ts';

/**
 * Staff required by the staffing standard for a set of children present, pure.
 *
 * - Each age group needs n / ratio staff (ratio: children per staff member of that age, settings
 *   `staffing.childrenPerStaff`). A mixed-age room adds these FRACTIONS and rounds the sum up once: four
 *   0歳 and one 1歳 need ceil(4/3 + 1/6) = ceil(1.5) = 2, where rounding each group first would ask for
 *   ceil(4/3) + ceil(1/6) = 3. This is the usual reading of the national standard (年齢別の必要数を合計
 *   して小数点以下を切り上げ): the fractions are staff time shared in one room. Some municipalities round
 *   each age group up before adding (`per_age`): an option of these functions, tested, not the default
 *   (and not a setting yet).
 * - The sums are of floating-point fractions (5/6 + 1/6 is 1.0000000000000002): they are rounded up after
 *   taking off a billionth, far below any real fraction of children.
 * - Children of unknown age (no birth date) are in no group: their need is not guessed. Callers count and
 *   show them, so that the roster can be fixed; a class's own ratio (below) does count them.
 * - A class may keep its own `maxChildrenPerStaff` (settings classes.X): a stricter check over all its
 *   children present, whatever their age. Its required staff is then the larger of the two.
 * - The facility as a whole needs max(minimumStaff, ceil(sum over every child present)) while any child is
 *   present, and nobody when none is.
 */

export type AgeCounts = Record<AgeGroup, number>;

export type StaffRounding = 'sum' | 'per_age';
export const DEFAULT_ROUNDING: StaffRounding = 'sum';

const EPSILON = 1e-9;

const ceil = (x: number): number => Math.max(0, Math.ceil(x - EPSILON));

export function emptyAgeCounts(): AgeCounts {
  return { age0: 0, age1: 0, age2: 0, age3: 0, age4plus: 0, unknown: 0 };
}

/** Counts of the groups of `groups` (one entry per child). */
export function countAges(groups: Iterable<AgeGroup>): AgeCounts {
  const counts = emptyAgeCounts();
  for (const g of groups) counts[g]++;
  return counts;
}

/** Every child counted, of known age or not. */
export function totalOf(counts: AgeCounts): number {
  return AGE_GROUPS.reduce((n, g) => n + counts[g], 0);
}

/** The staff the children of known age need, as a fraction (Σ n / ratio). */
export function staffFraction(counts: AgeCounts, perStaff: Staffing['childrenPerStaff']): number {
  return (
    counts.age0 / perStaff.age0 +
    counts.age1 / perStaff.age1 +
    counts.age2 / perStaff.age2 +
    counts.age3 / perStaff.age3 +
    counts.age4plus / perStaff.age4plus
  );
}

/** Whole staff the children of known age need (see the rounding above). */
export function requiredByAge(
  counts: AgeCounts,
  perStaff: Staffing['childrenPerStaff'],
  rounding: StaffRounding = DEFAULT_ROUNDING,
): number {
  switch (rounding) {
    case 'sum':
      return ceil(staffFraction(counts, perStaff));
    case 'per_age':
      return (
        ceil(counts.age0 / perStaff.age0) +
        ceil(counts.age1 / perStaff.age1) +
        ceil(counts.age2 / perStaff.age2) +
        ceil(counts.age3 / perStaff.age3) +
        ceil(counts.age4plus / perStaff.age4plus)
      );
  }
}

export interface ClassRequirement {
  /** By the ages of the children present (unknown ages left out). */
  byAge: number;
  /** By the class's own ratio over every child present; null without one. */
  byClassRatio: number | null;
  /** The larger of the two. */
  required: number;
}

/** What one class needs for the children present in it. */
export function classRequirement(
  counts: AgeCounts,
  perStaff: Staffing['childrenPerStaff'],
  maxChildrenPerStaff: number | null,
  rounding: StaffRounding = DEFAULT_ROUNDING,
): ClassRequirement {
  const byAge = requiredByAge(counts, perStaff, rounding);
  const byClassRatio = maxChildrenPerStaff === null ? null : ceil(totalOf(counts) / maxChildrenPerStaff);
  return { byAge, byClassRatio, required: Math.max(byAge, byClassRatio ?? 0) };
}

/** What the whole facility needs for every child present (the minimum applies while any is). */
export function facilityRequirement(
  counts: AgeCounts,
  staffing: Staffing,
  rounding: StaffRounding = DEFAULT_ROUNDING,
): number {
  if (totalOf(counts) === 0) return 0;
  return Math.max(staffing.minimumStaff, requiredByAge(counts, staffing.childrenPerStaff, rounding));
}

/** Adds `b` into `a`. */
export function addAgeCounts(a: AgeCounts, b: AgeCounts): void {
  for (const g of AGE_GROUPS) a[g] += b[g];
}
