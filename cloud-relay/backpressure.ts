/** Backpressure primitives of the cloud relay: a per-key token bucket. */

export interface RateLimit {
  /** Sustained requests per second per hub. */
  perSecond: number;
  /** Requests a hub may send at once after being idle. */
  burst: number;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * One token bucket per key (hub id), refilled continuously. Buckets exist only for authenticated hubs, so
 * the map is bounded by the number of registered hubs.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();
  private readonly limit: RateLimit;
  private readonly nowMs: () => number;

  constructor(limit: RateLimit, nowMs: () => number = () => performance.now()) {
    if (!(limit.perSecond > 0) || !(limit.burst >= 1)) {
      throw new RangeError('a rate limit needs perSecond > 0 and burst >= 1');
    }
    this.limit = limit;
    this.nowMs = nowMs;
  }

  take(key: string): TakeResult {
    const now = this.nowMs();
    const { perSecond, burst } = this.limit;
    const bucket = this.buckets.get(key) ?? { tokens: burst, atMs: now };
    const tokens = Math.min(burst, bucket.tokens + ((now - bucket.atMs) / 1000) * perSecond);
    if (tokens < 1) {
      this.buckets.set(key, { tokens, atMs: now });
      // Whole seconds, as Retry-After carries them; at least 1 so that a client never spins.
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / perSecond)) };
    }
    this.buckets.set(key, { tokens: tokens - 1, atMs: now });
    return { ok: true };
  }
}
