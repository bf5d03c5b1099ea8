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
  return new Date(Date.UTC(y, mo - 1, d)).toISOString().slice(0, 10) === s;
}
