/** Injectable time source: tests pass a fixed or stepping clock instead of waiting. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(start: Date | string, stepMs = 0): Clock {
  let t = new Date(start).getTime();
  return {
    now: () => {
      const d = new Date(t);
      t += stepMs;
      return d;
    },
  };
}

export const DEFAULT_TIME_ZONE = 'Asia/Tokyo';

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function partsFormatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(tz, f);
  }
  return f;
}

interface LocalParts {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
}

function localParts(instant: Date, tz: string): LocalParts {
  const out: Record<string, string> = {};
  for (const p of partsFormatter(tz).formatToParts(instant)) out[p.type] = p.value;
  return out as unknown as LocalParts;
}

/** The calendar date (YYYY-MM-DD) of an instant in a time zone: the business day an event belongs to. */
export function localDate(instant: Date | string, tz: string): string {
  const p = localParts(new Date(instant), tz);
  return `${p.year}-${p.month}-${p.day}`;
}

/** HH:MM of an instant in a time zone. */
export function localTime(instant: Date | string, tz: string): string {
  const p = localParts(new Date(instant), tz);
  return `${p.hour}:${p.minute}`;
}

/** Offset of the time zone at that instant, in minutes east of UTC. */
export function offsetMinutes(instant: Date, tz: string): number {
  const p = localParts(instant, tz);
  const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

/** RFC 3339 with the zone's offset and milliseconds, e.g. 2026-04-01T08:15:02.120+09:00. */
export function formatRfc3339(instant: Date, tz: string): string {
  const p = localParts(instant, tz);
  const off = offsetMinutes(instant, tz);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  const ms = String(instant.getUTCMilliseconds()).padStart(3, '0');
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}.${ms}${sign}${hh}:${mm}`;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written YYYY-MM-DD. */
export function isValidDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const [, y, mo, d] = m.map(Number);
  if (y === undefined || mo === undefined || d === undefined) return false;
  // setUTCFullYear: Date.UTC reads years 0–99 as 1900–1999 (0001-01-01 starts every timeline).
  const date = new Date(Date.UTC(2000, mo - 1, d));
  date.setUTCFullYear(y, mo - 1, d);
  return date.toISOString().slice(0, 10) === s;
}

const BUCKET_MS = 15 * 60_000;

/**
 * localDate, memoised for one time zone. localDate goes through Intl.formatToParts, which
 * cost a tenth of the hub's CPU at full ingest rate. The UTC offset is constant within almost every
 * 15-minute bucket, so it is looked up once per bucket: a bucket whose first and last millisecond have
 * the same offset contains no transition (zones change offset at most once in 15 minutes), and any other
 * bucket falls back to the exact computation.
 */
export class LocalDates {
  private readonly offsets = new Map<number, number | null>();

  constructor(readonly timeZone: string) {}

  of(instant: string | Date): string {
    const ms = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
    if (Number.isNaN(ms)) return localDate(instant, this.timeZone);
    const bucket = Math.floor(ms / BUCKET_MS);
    let offset = this.offsets.get(bucket);
    if (offset === undefined) {
      const start = bucket * BUCKET_MS;
      const first = offsetMinutes(new Date(start), this.timeZone);
      const last = offsetMinutes(new Date(start + BUCKET_MS - 1), this.timeZone);
      offset = first === last ? first : null;
      // Bounded: a hub sees a handful of buckets a day; this only guards against a flood of odd dates.
      if (this.offsets.size > 10_000) this.offsets.clear();
      this.offsets.set(bucket, offset);
    }
    if (offset === null) return localDate(new Date(ms), this.timeZone);
    return new Date(ms + offset * 60_000).toISOString().slice(0, 10);
  }
}

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
