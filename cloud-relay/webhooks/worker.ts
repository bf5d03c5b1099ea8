import { randomUUID } from 'node:crypto';
import type { Logger } from '../../common/logger.ts';
import type { Clock } from '../../common/time.ts';
import type { StoredEvents } from '../stored-events.ts';
import type { CloudStore } from '../store/types.ts';
import type { WebhookLease } from '../store/webhook-types.ts';
import { deliveryOf } from './payload.ts';
import { postDelivery } from './post.ts';
import { webhookOrigin } from './settings.ts';
import { DEFAULT_WEBHOOK_TUNING, retryDelayMs, type WebhookTuning } from './tuning.ts';

export type WebhookOutcome = 'ok' | 'failed';

export interface WebhookWorkerOptions {
  store: Pick<CloudStore, 'webhooks'>;
  clock: Clock;
  logger: Logger;
  tuning?: Partial<WebhookTuning> | undefined;
  /** The retry jitter's source; Math.random by default. */
  random?: () => number;
}

/** What the worker takes from the running app (CloudRouteContext): its metrics and the upload listeners. */
export interface WebhookAppParts {
  metrics: { countWebhookDelivery(outcome: WebhookOutcome): void };
  storedEvents: Pick<StoredEvents, 'add'>;
}

/**
 * Delivers every facility's events to its webhook (docs/webhooks.md): takes a due webhook under a lease in
 * the store (so that of several cloud processes one at a time delivers a facility's events), POSTs up to
 * batchMax events after its cursor, and moves the cursor on a 2xx, or backs off and retries the same batch
 * for ever. Woken by this process's uploads (after settleMs), by its own retry times, and by a poll for
 * what other processes received. Nothing is kept in memory that a restart would lose: the cursor, retry
 * state and lease are in the store.
 */
export class WebhookWorker {
  private readonly o: WebhookWorkerOptions;
  private readonly tuning: WebhookTuning;
  private readonly stopping = new AbortController();
  private readonly tasks = new Set<Promise<void>>();
  private count: WebhookAppParts['metrics'] | undefined;
  private active = 0;
  private taking: Promise<void> | undefined;
  private takeAgain = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private wakeTimer: NodeJS.Timeout | undefined;
  /** When the armed timer fires (ms since the epoch); Infinity when none is armed. */
  private wakeAt = Number.POSITIVE_INFINITY;
  /** Later wake-ups asked for (retry times), armed one after the other. */
  private readonly wakeups = new Set<number>();
  private started = false;
  private stopped = false;

  constructor(options: WebhookWorkerOptions) {
    this.o = options;
    this.tuning = { ...DEFAULT_WEBHOOK_TUNING, ...options.tuning };
  }

  /** Counts outcomes in the app's metrics, and wakes up (after settleMs) when an upload stores events. */
  attach(parts: WebhookAppParts): void {
    this.count = parts.metrics;
    parts.storedEvents.add(() => {
      this.wake(this.tuning.settleMs);
    });
  }

  /** Delivers what is due now (a backlog from before a restart), then keeps polling. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.pollTimer = setInterval(() => {
      this.take();
    }, this.tuning.pollMs);
    this.take();
  }

  /**
   * Takes no more deliveries, cuts those in progress short (their webhooks are released, to be sent
   * again), and settles once nothing touches the store any more: before the store closes. Idempotent.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.wakeTimer);
    this.stopping.abort();
    await this.taking;
    await Promise.all([...this.tasks]);
  }

  /** Takes due webhooks in `delayMs`; one timer is armed, for the earliest wake-up asked for. */
  private wake(delayMs: number): void {
    if (this.stopped || !this.started) return;
    this.wakeups.add(Date.now() + Math.max(0, delayMs));
    this.arm();
  }

  private arm(): void {
    const next = Math.min(...this.wakeups);
    if (next >= this.wakeAt) return;
    clearTimeout(this.wakeTimer);
    this.wakeAt = next;
    this.wakeTimer = setTimeout(
      () => {
        this.wakeTimer = undefined;
        this.wakeAt = Number.POSITIVE_INFINITY;
        const now = Date.now();
        for (const at of this.wakeups) if (at <= now) this.wakeups.delete(at);
        if (!this.stopped) this.arm();
        this.take();
      },
      Math.max(0, next - Date.now()),
    );
  }

  /** Leases due webhooks while slots are free, one lease at a time; a call meanwhile asks for another round. */
  private take(): void {
    if (this.stopped || !this.started) return;
    if (this.taking !== undefined) {
      this.takeAgain = true;
      return;
    }
    this.taking = this.takeDue()
      .catch((err: unknown) => {
        this.o.logger.error({ err }, 'webhooks: could not take due webhooks; trying again at the next poll');
      })
      .finally(() => {
        this.taking = undefined;
        if (this.takeAgain) {
          this.takeAgain = false;
          this.take();
        }
      });
  }

  private async takeDue(): Promise<void> {
    const { store, clock } = this.o;
    while (!this.stopped && this.active < this.tuning.concurrency) {
      const now = clock.now();
      const lease = await store.webhooks.leaseDue(
        randomUUID(),
        now,
        new Date(now.getTime() + this.tuning.leaseMs),
        new Date(now.getTime() - this.tuning.settleMs),
      );
      if (lease === undefined) return;
      // Stopped while the lease was being taken.
      if (this.stopping.signal.aborted) {
        await store.webhooks.release(lease.facilityId, lease.owner);
        return;
      }
      this.run(lease);
    }
  }

  /** Runs one delivery in a slot; when it got anywhere, the freed slot takes the next due webhook at once. */
  private run(lease: WebhookLease): void {
    this.active += 1;
    const task = this.deliver(lease)
      .catch(async (err: unknown) => {
        this.o.logger.error({ err, facilityId: lease.facilityId }, 'webhook delivery broke off');
        // Otherwise the lease runs out and another round takes it.
        await this.o.store.webhooks.release(lease.facilityId, lease.owner).catch(() => undefined);
        return false;
      })
      .then((progressed) => {
        this.active -= 1;
        this.tasks.delete(task);
        if (progressed) this.take();
      });
    this.tasks.add(task);
  }

  /** One POST of the webhook's next batch and its outcome recorded: true when anything moved. */
  private async deliver(lease: WebhookLease): Promise<boolean> {
    const { store, clock, logger } = this.o;
    const { facilityId, owner } = lease;
    const started = clock.now();
    // A retry sends exactly the batch that failed; a new batch only what has settled.
    const through = lease.batchEnd ?? new Date(started.getTime() - this.tuning.settleMs);
    const page = await store.webhooks.events(
      facilityId,
      lease.since,
      lease.cursor,
      through,
      this.tuning.batchMax,
    );
    if (page.last === null) {
      if (lease.batchEnd === null) {
        await store.webhooks.release(facilityId, owner);
        return false;
      }
      // The failed batch is gone (deleted past retention): nothing of it is left to send.
      logger.warn({ facilityId }, 'webhook: the events of a failed delivery are gone; skipping them');
      await store.webhooks.delivered(facilityId, owner, lease.batchEnd, 'skipped', started);
      return true;
    }
    const delivery = deliveryOf(facilityId, page.events);
    const outcome = await postDelivery({
      url: lease.url,
      secret: lease.secret,
      delivery,
      now: clock.now(),
      timeoutMs: this.tuning.timeoutMs,
      signal: this.stopping.signal,
    });
    const now = clock.now();
    const logged = {
      facilityId,
      origin: webhookOrigin(lease.url),
      deliveryId: delivery.id,
      events: page.events.length,
    };
    switch (outcome.kind) {
      case 'stopped':
        await store.webhooks.release(facilityId, owner);
        return false;
      case 'ok': {
        const kept = await store.webhooks.delivered(facilityId, owner, page.last, outcome.status, now);
        this.count?.countWebhookDelivery('ok');
        if (kept) logger.info({ ...logged, status: outcome.status }, 'webhook delivered');
        else {
          // Set again or removed meanwhile, or the lease ran out: the events may be sent once more.
          logger.warn({ ...logged, status: outcome.status }, 'webhook delivered after its lease ended');
        }
        return true;
      }
      case 'failed': {
        const attempts = lease.attempts + 1;
        const delay = retryDelayMs(attempts, this.tuning, this.o.random);
        await store.webhooks.failed(
          facilityId,
          owner,
          {
            status: outcome.status,
            error: outcome.error,
            batchEnd: page.last,
            nextAttemptAt: new Date(now.getTime() + delay),
          },
          now,
        );
        this.count?.countWebhookDelivery('failed');
        logger.warn(
          { ...logged, status: outcome.status, error: outcome.error, attempts, retryInMs: delay },
          'webhook delivery failed',
        );
        this.wake(delay);
        return true;
      }
    }
  }
}
