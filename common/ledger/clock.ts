import { localDate, localTime, offsetMinutes } from '../time.ts';

const BUCKET_MS = 6 * 3600_000;

/**
 * Local date and HH:MM of instants in one zone, memoised: Intl.formatToParts per event was most of a
 * monthly ledger's time. The offset is looked up once per 6-hour bucket: a bucket whose first and last
 * millisecond have the same offset contains no transition (no zone changes its offset twice within six
 * hours), and any other bucket takes the exact path. Kept per zone across calls, bounded.
 */
export class ZoneClock {
  private readonly offsets = new Map<number, number | null>();
  constructor(private readonly timeZone: string) {}

  /** The local wall time as an ISO string (YYYY-MM-DDTHH:MM…), or undefined near a transition. */
  private wall(ms: number): string | undefined {
    const bucket = Math.floor(ms / BUCKET_MS);
    let offset = this.offsets.get(bucket);
    if (offset === undefined) {
      const first = offsetMinutes(new Date(bucket * BUCKET_MS), this.timeZone);
      const last = offsetMinutes(new Date(bucket * BUCKET_MS + BUCKET_MS - 1), this.timeZone);
      offset = first === last ? first : null;
      if (this.offsets.size > 100_000) this.offsets.clear();
      this.offsets.set(bucket, offset);
    }
    return offset === null ? undefined : new Date(ms + offset * 60_000).toISOString();
  }

  date(instant: string): string {
    const ms = Date.parse(instant);
    const wall = Number.isNaN(ms) ? undefined : this.wall(ms);
    return wall === undefined ? localDate(instant, this.timeZone) : wall.slice(0, 10);
  }

  hhmm(instant: string): string {
    const ms = Date.parse(instant);
    const wall = Number.isNaN(ms) ? undefined : this.wall(ms);
    return wall === undefined ? localTime(instant, this.timeZone) : wall.slice(11, 16);
  }
}

const clocks = new Map<string, ZoneClock>();

/** The memoised clock of a zone (a bounded cache: the same few zones serve every ledger). */
export function zoneClock(timeZone: string): ZoneClock {
  let c = clocks.get(timeZone);
  if (!c) {
    if (clocks.size > 100) clocks.clear();
    c = new ZoneClock(timeZone);
    clocks.set(timeZone, c);
  }
  return c;
}
