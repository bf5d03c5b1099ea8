import type { Clock } from '../../common/time.ts';
import type { JsonAnswer } from './http.ts';

/**
 * When one kind of upload to the cloud may go again, and its last failure for the relay's health. Each
 * kind has its own, so that a cloud refusing one (a route it does not have yet) does not hold up another.
 */
export class UploadRetry {
  private readonly o: {
    clock: Clock;
    /** The relay's back-off after the `attempt`th transient failure in a row (network, 429, 5xx). */
    backoff: (attempt: number) => number;
    /** Wait after any other refusal. */
    configErrorDelayMs: number;
  };
  /** Not before this time (Date.now()). */
  private retryAt = 0;
  private attempt = 0;
  private failure: { reason: string; at: Date } | null = null;

  constructor(options: UploadRetry['o']) {
    this.o = options;
  }

  /** Whether an upload may go now. */
  due(): boolean {
    return Date.now() >= this.retryAt;
  }

  /** The last failed upload, until one succeeds. */
  lastError(): { reason: string; at: Date } | null {
    return this.failure;
  }

  /** The cloud took the upload. */
  succeeded(): void {
    this.failure = null;
    this.attempt = 0;
  }

  /**
   * The cloud answered but wants it again (it holds a later version): not before the back-off, which
   * grows until an upload is taken.
   */
  again(): void {
    this.failure = null;
    this.retryAt = Date.now() + this.o.backoff(this.attempt++);
  }

  /** The upload failed (`label` names it in the health report); returns the reason. */
  failed(answer: Extract<JsonAnswer, { ok: false }>, label: string): string {
    const transient = answer.status === null || answer.status === 429 || answer.status >= 500;
    const delay = transient ? this.o.backoff(this.attempt++) : this.o.configErrorDelayMs;
    this.retryAt = Date.now() + Math.max(delay, answer.retryAfterMs ?? 0, 1);
    const reason = `${label}: ${answer.reason}`;
    this.failure = { reason, at: this.o.clock.now() };
    return reason;
  }
}
