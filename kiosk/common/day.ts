import { localDate, offsetMinutes } from '../../common/time.ts';

const MINUTE_MS = 60_000;

/**
 * The instants [start, end) in ms that make up local `date` in `tz`, or undefined when they cannot be
 * pinned down exactly (a DST change at midnight): callers then filter row by row with localDate.
 * Computing the range once lets a query filter by an indexed number instead of formatting every row.
 */
export function localDayRange(date: string, tz: string): [number, number] | undefined {
  const midnightUtc = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(midnightUtc)) return undefined;
  const start = startOf(midnightUtc, tz);
  const end = startOf(midnightUtc + 24 * 60 * MINUTE_MS, tz);
  const next = new Date(midnightUtc + 24 * 60 * MINUTE_MS).toISOString().slice(0, 10);
  const exact =
    localDate(new Date(start), tz) === date &&
    localDate(new Date(start - 1), tz) !== date &&
    localDate(new Date(end - 1), tz) === date &&
    localDate(new Date(end), tz) === next;
  return exact ? [start, end] : undefined;
}

/** The UTC instant of local midnight, given that midnight as if it were UTC. */
function startOf(midnightAsUtc: number, tz: string): number {
  // Twice: the offset at the first guess may differ from the offset at local midnight (DST).
  const guess = midnightAsUtc - offsetMinutes(new Date(midnightAsUtc), tz) * MINUTE_MS;
  return midnightAsUtc - offsetMinutes(new Date(guess), tz) * MINUTE_MS;
}
