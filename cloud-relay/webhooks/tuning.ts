/** How the webhook worker paces itself (docs/webhooks.md); tests shorten the times. */
export interface WebhookTuning {
  /** How often the store is checked for events other cloud processes received. */
  pollMs: number;
  /**
   * Events younger than this are not sent yet. Uploads on other connections (PostgreSQL, several cloud
   * processes) can commit a little out of receipt order; the cursor must not pass an event that is about
   * to appear behind it.
   */
  settleMs: number;
  /** Per request, from sending to the response's status line. */
  timeoutMs: number;
  /** How long a process holds a webhook for one delivery before another may take it over. */
  leaseMs: number;
  /** Events per delivery. */
  batchMax: number;
  /** Deliveries (to different facilities) in progress at once in one process. */
  concurrency: number;
  /** The first retry's delay; each further one doubles it, up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
}

export const DEFAULT_WEBHOOK_TUNING: WebhookTuning = {
  pollMs: 5_000,
  settleMs: 2_000,
  timeoutMs: 10_000,
  leaseMs: 60_000,
  batchMax: 100,
  concurrency: 4,
  retryBaseMs: 1_000,
  retryMaxMs: 600_000,
};

/**
 * The delay before attempt `attempts + 1` after `attempts` failures (1 or more): base · 2^(attempts−1),
 * capped, times a jitter factor in [0.8, 1.2) drawn from `random` (webhooks that failed together, e.g. one
 * receiver down for many facilities, then do not all come back at the same instant).
 */
export function retryDelayMs(
  attempts: number,
  tuning: Pick<WebhookTuning, 'retryBaseMs' | 'retryMaxMs'>,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  const delay = Math.min(tuning.retryMaxMs, tuning.retryBaseMs * 2 ** exponent);
  return Math.round(Math.min(tuning.retryMaxMs, delay * (0.8 + 0.4 * random())));
}
