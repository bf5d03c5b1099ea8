import type { Logger } from '../../common/logger.ts';

export interface PushQueueOptions {
  /** Jobs run at once. */
  concurrency: number;
  /** Jobs waiting at most; past it the oldest waiting one is dropped with a warning. */
  maxWaiting: number;
  logger: Logger;
}

/**
 * A bounded FIFO of asynchronous jobs run a few at a time: pushes are sent beside the uploads, never in
 * their way. A burst beyond `maxWaiting` (a hub relaying a morning's backlog, push services down) drops the
 * oldest waiting jobs: push is best effort, the parent page stays the source of truth. A failing job is
 * logged and forgotten.
 */
export class PushQueue {
  private readonly waiting: (() => Promise<void>)[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly options: PushQueueOptions;
  private dropped = 0;
  private closed = false;

  constructor(options: PushQueueOptions) {
    this.options = options;
  }

  /** Jobs waiting or running (tests, metrics). */
  get size(): number {
    return this.waiting.length + this.running.size;
  }

  add(job: () => Promise<void>): void {
    if (this.closed) return;
    this.waiting.push(job);
    if (this.waiting.length > this.options.maxWaiting) {
      this.waiting.shift();
      this.dropped += 1;
      // One line per power of two: a flood does not flood the log.
      if ((this.dropped & (this.dropped - 1)) === 0) {
        this.options.logger.warn({ dropped: this.dropped }, 'push queue full: oldest pushes dropped');
      }
    }
    this.pump();
  }

  /**
   * Stops taking jobs, drops those waiting, and waits for the running ones at most `boundMs` (a push
   * service that hangs must not hold up a shutdown; each send has its own timeout anyway).
   */
  async close(boundMs: number): Promise<void> {
    this.closed = true;
    const dropped = this.waiting.splice(0).length;
    if (dropped > 0) this.options.logger.info({ dropped }, 'pushes not sent: shutting down');
    if (this.running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.running]),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, boundMs);
      }),
    ]);
    clearTimeout(timer);
  }

  private pump(): void {
    while (!this.closed && this.running.size < this.options.concurrency) {
      const job = this.waiting.shift();
      if (job === undefined) return;
      const run: Promise<void> = job()
        .catch((err: unknown) => {
          this.options.logger.error({ err }, 'push job failed');
        })
        .finally(() => {
          this.running.delete(run);
          this.pump();
        });
      this.running.add(run);
    }
  }
}
