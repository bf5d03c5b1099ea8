import { localDate, offsetMinutes } from '../common/time.ts';

const BUCKET_MS = 15 * 60_000;

/**
 * common/time's localDate, memoised for one time zone. localDate goes through Intl.formatToParts, which
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
