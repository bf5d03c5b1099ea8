import { RateLimitedError } from '../../common/errors.ts';
import type { ParentRateLimit } from '../defaults.ts';
import { CloudErrorCodes } from '../errors.ts';

const WINDOW_MS = 60_000;

interface Window {
  startMs: number;
  requests: number;
  failures: number;
}

/**
 * Fixed one-minute windows per client address: the parent API is on the internet, and a passkey or an
 * invitation is not to be guessed at speed. In memory, per process: several cloud processes each allow as
 * much (documented). Windows older than a minute are swept, so the map holds the last minute's clients.
 */
export class ParentRateLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly limit: ParentRateLimit;
  private readonly nowMs: () => number;
  private lastSweepMs = 0;

  constructor(limit: ParentRateLimit, nowMs: () => number = () => performance.now()) {
    this.limit = limit;
    this.nowMs = nowMs;
  }

  /** Counts a request of `client`; refuses it (429 rate_limited) over the request limit. */
  request(client: string): void {
    const window = this.windowOf(client);
    window.requests += 1;
    if (window.requests > this.limit.perMinute) throw this.refusal(window);
  }

  /** Refuses a sign-in or registration attempt of `client` (429) once its failures reached the limit. */
  attempt(client: string): void {
    const window = this.windowOf(client);
    if (window.failures >= this.limit.failuresPerMinute) throw this.refusal(window);
  }

  /** Counts a failed sign-in or registration of `client`. */
  failed(client: string): void {
    this.windowOf(client).failures += 1;
  }

  private windowOf(client: string): Window {
    const now = this.nowMs();
    if (now - this.lastSweepMs >= WINDOW_MS) {
      this.lastSweepMs = now;
      for (const [key, w] of this.windows) if (now - w.startMs >= WINDOW_MS) this.windows.delete(key);
    }
    let window = this.windows.get(client);
    if (window === undefined || now - window.startMs >= WINDOW_MS) {
      window = { startMs: now, requests: 0, failures: 0 };
      this.windows.set(client, window);
    }
    return window;
  }

  private refusal(window: Window): RateLimitedError {
    const retryAfterSeconds = Math.max(1, Math.ceil((window.startMs + WINDOW_MS - this.nowMs()) / 1000));
    return new RateLimitedError(
      CloudErrorCodes.rateLimited,
      `too many requests from this address; retry after ${String(retryAfterSeconds)} s`,
      retryAfterSeconds,
    );
  }
}
