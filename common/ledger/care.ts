import { ValidationError } from '../errors.ts';
import type { CareBand, ExtendedCare } from '../../protocol/settings.ts';

/* Extended care (延長保育) of one attended day: the rule is stated in engine.ts. */

/** Minutes since local midnight of `HH:MM`. */
export function minutesOfDay(hhmm: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) throw new ValidationError('bad_time', `${hhmm}: must be HH:MM`);
  return Number(m[1]) * 60 + Number(m[2]);
}

function roundTo(minutes: number, rules: ExtendedCare): number {
  if (minutes <= rules.graceMinutes) return 0;
  const stepMin = rules.roundingMinutes;
  const q = Math.floor(minutes / stepMin);
  const r = minutes - q * stepMin;
  switch (rules.rounding) {
    case 'up':
      return (r === 0 ? q : q + 1) * stepMin;
    case 'down':
      return q * stepMin;
    case 'nearest':
      return (2 * r >= stepMin ? q + 1 : q) * stepMin;
  }
}

/** Extended-care minutes of one attended day before and after the band, each side graced and rounded. */
export interface ExtendedSides {
  before: number;
  after: number;
}

/**
 * The two sides of one attended day's extended care (see the rules in engine.ts): the one computation
 * behind both the ledgers' extended_minutes (their sum) and the extended-care report (extended.ts).
 */
export function extendedSides(
  checkIn: string,
  checkOut: string,
  band: CareBand,
  rules: ExtendedCare,
): ExtendedSides {
  const inM = minutesOfDay(checkIn);
  const outM = minutesOfDay(checkOut);
  const start = minutesOfDay(band.start);
  const end = minutesOfDay(band.end);
  const before = Math.max(0, Math.min(outM, start) - inM);
  const after = Math.max(0, outM - Math.max(inM, end));
  return { before: roundTo(before, rules), after: roundTo(after, rules) };
}

/** Extended-care minutes of one attended day (see the rules in engine.ts): both sides summed. */
export function extendedMinutes(
  checkIn: string,
  checkOut: string,
  band: CareBand,
  rules: ExtendedCare,
): number {
  const { before, after } = extendedSides(checkIn, checkOut, band, rules);
  return before + after;
}
