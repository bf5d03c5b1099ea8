import { isValidDate } from '../../common/time.ts';
import { STAFFING_AGES, type StaffingAge } from '../../protocol/settings.ts';

/**
 * The age a child counts with under the staffing standard (保育士配置基準), pure.
 *
 * The standard's age groups are the nursery's class ages (0歳児クラス …): a child's age in whole years at
 * the start of the fiscal year (April–March) of the day, as placement and 公定価格 count it (年度の初日の
 * 前日における満年齢). A child who turns 1 in October thus stays in the 0歳 group (3:1) until March: the
 * facility staffs each class for the whole year, not anew on every birthday.
 *
 * Under 年齢計算ニ関スル法律 (and 民法 art. 143) a year of age is completed at the END OF THE DAY BEFORE
 * the birthday. A child born on April 1 therefore completes each year on March 31 and is a year older at
 * the start of the fiscal year than a child born on April 2, who completes it on April 1 itself. So the
 * school year (学年) runs from April 2 to April 1 of the next year: April 1 births belong with the older
 * children (早生まれ), April 2 births begin the younger year.
 */

/** Start year of the fiscal year (April–March) of `date` (YYYY-MM-DD): 2026-03-31 → 2025. */
export function fiscalYearOf(date: string): number {
  const year = Number(date.slice(0, 4));
  return date.slice(5) >= '04-01' ? year : year - 1;
}

/**
 * Whole years completed by the start of April 1 of `fiscalYear` by a child born on `birthDate`: the
 * years since the birth year, less one when the birthday falls after April 1 (born April 2 or later,
 * the year is completed only on April 1 or later, i.e. not yet at its start). Never below 0: a child
 * born during the fiscal year is in the 0歳 group.
 */
export function ageAtFiscalStart(birthDate: string, fiscalYear: number): number {
  const completed = fiscalYear - Number(birthDate.slice(0, 4)) - (birthDate.slice(5) > '04-01' ? 1 : 0);
  return Math.max(0, completed);
}

/**
 * The class age of a child on `date`, or null when it cannot be known: no birth date, a malformed one, or
 * one after `date` (a typing error). Never guessed: the caller counts such children apart.
 */
export function classAge(birthDate: string | null, date: string): number | null {
  if (birthDate === null || !isValidDate(birthDate) || birthDate > date) return null;
  return ageAtFiscalStart(birthDate, fiscalYearOf(date));
}

/** The standard's groups, and `unknown` for a child whose age is not known. */
export type AgeGroup = StaffingAge | 'unknown';
export const AGE_GROUPS: readonly AgeGroup[] = [...STAFFING_AGES, 'unknown'];

/** The group of a class age: 0, 1, 2, 3, and 4 or older together (4–5歳). */
export function ageGroupOfAge(age: number | null): AgeGroup {
  if (age === null) return 'unknown';
  if (age <= 0) return 'age0';
  if (age === 1) return 'age1';
  if (age === 2) return 'age2';
  if (age === 3) return 'age3';
  return 'age4plus';
}

/** The group a child counts in on `date`. */
export function ageGroupOf(birthDate: string | null, date: string): AgeGroup {
  return ageGroupOfAge(classAge(birthDate, date));
}
