import { describe, expect, it } from 'vitest';
import { ageAtFiscalStart, ageGroupOf, ageGroupOfAge, classAge, fiscalYearOf } from './ages.ts';

describe('class age for the staffing standard (age at the start of the fiscal year)', () => {
  it('takes the fiscal year April–March of the day', () => {
    expect(fiscalYearOf('2026-03-31')).toBe(2025);
    expect(fiscalYearOf('2026-04-01')).toBe(2026);
    expect(fiscalYearOf('2026-12-31')).toBe(2026);
    expect(fiscalYearOf('2027-01-01')).toBe(2026);
  });

  it('puts a child born on April 1 with the older year, and one born on April 2 with the younger', () => {
    // 年齢計算ニ関スル法律: born 2024-04-01, the first year is completed at the end of 2025-03-31, so the
    // child is 1 when fiscal 2025 starts; born 2024-04-02, it is completed only on 2025-04-01 itself.
    expect(ageAtFiscalStart('2024-04-01', 2025)).toBe(1);
    expect(ageAtFiscalStart('2024-04-02', 2025)).toBe(0);
    expect(ageAtFiscalStart('2023-04-02', 2025)).toBe(1);
    expect(ageAtFiscalStart('2024-03-31', 2025)).toBe(1);
    // The same year as school entry: born 2019-04-02 … 2020-04-01 are 5 in fiscal 2025.
    expect(ageAtFiscalStart('2019-04-02', 2025)).toBe(5);
    expect(ageAtFiscalStart('2020-04-01', 2025)).toBe(5);
    expect(ageAtFiscalStart('2020-04-02', 2025)).toBe(4);
  });

  it('keeps the age of April 1 all year: a birthday during the year changes nothing until the next April', () => {
    // Born 2024-10-15: 0 on 2025-04-01, still in the 0歳 group after turning 1 in October 2025 …
    expect(classAge('2024-10-15', '2025-04-01')).toBe(0);
    expect(classAge('2024-10-15', '2025-10-16')).toBe(0);
    expect(classAge('2024-10-15', '2026-03-31')).toBe(0);
    // … and 1 from the next fiscal year on.
    expect(classAge('2024-10-15', '2026-04-01')).toBe(1);
    // The April 1 / April 2 boundary seen from days on either side of the fiscal year's start.
    expect(classAge('2024-04-01', '2025-03-31')).toBe(0);
    expect(classAge('2024-04-01', '2025-04-01')).toBe(1);
    expect(classAge('2024-04-02', '2025-04-01')).toBe(0);
    expect(classAge('2024-04-02', '2026-04-01')).toBe(1);
  });

  it('puts a baby born during the fiscal year in the 0歳 group', () => {
    expect(classAge('2025-06-01', '2025-10-01')).toBe(0);
    expect(classAge('2025-06-01', '2025-06-01')).toBe(0);
  });

  it('never guesses: no birth date, a malformed one or one after the day is unknown', () => {
    expect(classAge(null, '2025-04-01')).toBeNull();
    expect(classAge('2024-02-30', '2025-04-01')).toBeNull();
    expect(classAge('2024/04/01', '2025-04-01')).toBeNull();
    expect(classAge('2025-04-02', '2025-04-01')).toBeNull();
    expect(ageGroupOf(null, '2025-04-01')).toBe('unknown');
  });

  it('groups ages 0, 1, 2, 3 and 4 or older', () => {
    expect([0, 1, 2, 3, 4, 5, 6, null].map(ageGroupOfAge)).toEqual([
      'age0',
      'age1',
      'age2',
      'age3',
      'age4plus',
      'age4plus',
      'age4plus',
      'unknown',
    ]);
    expect(ageGroupOf('2020-04-01', '2025-09-01')).toBe('age4plus');
    expect(ageGroupOf('2022-04-01', '2025-09-01')).toBe('age3');
    expect(ageGroupOf('2022-04-02', '2025-09-01')).toBe('age2');
  });
});
