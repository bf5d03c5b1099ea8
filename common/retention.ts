import { ValidationError } from './errors.ts';
import { isValidDate, localDate } from './time.ts';

/**
 * The retention rule shared by the hub and the cloud (docs/admin.md "Retention, disposal and disclosure"):
 * a record of local day D is kept until the end of the fiscal year (April–March) of D plus `years` years,
 * and deleted from the day after. Pure.
 */

/** The year a fiscal year starts in (April 1): 2032-03-31 is in fiscal 2031, 2032-04-01 in fiscal 2032. */
export function fiscalYearOf(date: string): number {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  return month >= 4 ? year : year - 1;
}

/**
 * The first day kept on day `today` (YYYY-MM-DD, the facility's business day): April 1 of the fiscal year
 * `years` before today's. Everything of the days before it is past its retention.
 */
export function retentionCutoff(today: string, years: number): string {
  if (!isValidDate(today)) throw new ValidationError('bad_date', `not a date: ${today}`, 'today');
  if (!Number.isInteger(years) || years < 1) {
    throw new ValidationError('bad_retention', `retention years must be a positive integer: ${years}`);
  }
  const start = fiscalYearOf(today) - years;
  return `${String(Math.max(start, 1)).padStart(4, '0')}-04-01`;
}

/**
 * The first instant of local day `date` in `tz` (its local midnight; after a DST jump at midnight, the
 * first instant that is on that day). Found by bisection over ±15 h around UTC midnight, exact to the ms.
 */
export function startOfLocalDay(date: string, tz: string): Date {
  if (!isValidDate(date)) throw new ValidationError('bad_date', `not a date: ${date}`, 'date');
  const utcMidnight = Date.parse(`${date}T00:00:00Z`);
  let lo = utcMidnight - 15 * 3_600_000; // before the day in every zone
  let hi = utcMidnight + 15 * 3_600_000; // on or after its start in every zone
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (localDate(new Date(mid), tz) >= date) hi = mid;
    else lo = mid;
  }
  return new Date(hi);
}
