import type { Logger } from '../../common/logger.ts';
import type { Clock } from '../../common/time.ts';
import { ParentMessagesPageSchema, type ParentMessagesPage } from '../../protocol/parent-notices.ts';
import { requestJson } from '../relay/http.ts';
import type { StoreOf } from '../store/hub-store.ts';

export interface MessageFetcherOptions {
  /** Base URL of the cloud relay, without a trailing slash. */
  baseUrl: string;
  token: string;
  /** Where the cursor is kept (written by `apply`, with the page's messages). */
  store: StoreOf<'parentNotices'>;
  /** Stores a page and its cursor (notice-apply.ts); throws on a database error. */
  apply: (page: ParentMessagesPage) => void;
  logger: Logger;
  /** For the failure's time. */
  clock: Clock;
  /** How long the cloud may hold a request with nothing to answer (long-poll), seconds. */
  waitS?: number;
  /** The relay's back-off after the `attempt`th failure in a row of network errors, 429 and 5xx. */
  backoff: (attempt: number) => number;
  /** Wait after any other refusal (400, 401, 404 of a cloud without the route) or a bad answer. */
  configErrorDelayMs: number;
  /**
   * An empty page answered sooner than this waits out the rest before the next request, so that a cloud
   * that does not hold requests is not asked in a tight loop.
   */
  minIntervalMs?: number;
  /**
   * False while a restored hub catches up from the cloud (relay/catch-up.ts): nothing is fetched before,
   * so that the parent app's events and sequence numbers the cloud has are back first. Looked at every
   * minIntervalMs.
   */
  ready?: () => boolean;
}

type StepOutcome = { delayMs: number; failed: boolean };

/** The current run of failed fetches: the last one (why, when) and when the run began. */
export interface FetchFailure {
  reason: string;
  at: Date;
  since: Date;
}

/**
 * Fetches what parents sent (issue 17) from the cloud: GET /v1/hub/parent-messages?after=CURSOR&wait=S
 * with the hub token, one request at a time, the cloud holding it until a message comes (long-poll). The
 * hub opens every connection; the cloud never connects to it. Each page is applied and its cursor stored
 * in the hub's database before the next request, so that a restart resumes after the last page applied.
 * Failures are retried for ever: network errors, 429 and 5xx with the relay's back-off, other refusals
 * and answers that are not a page slowly; a bad answer is never applied.
 */
export class ParentMessageFetcher {
  private readonly o: MessageFetcherOptions;
  private readonly waitS: number;
  private readonly minIntervalMs: number;
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  private failure: FetchFailure | null = null;

  constructor(options: MessageFetcherOptions) {
    this.o = options;
    this.waitS = options.waitS ?? 25;
    this.minIntervalMs = options.minIntervalMs ?? 1000;
  }

  start(): void {
    this.loop ??= this.run().catch((err: unknown) => {
      this.o.logger.fatal({ err }, 'parent message fetch stopped');
    });
  }

  /** The last failed fetch and when the run of failures began, until a fetch succeeds. */
  lastError(): FetchFailure | null {
    return this.failure;
  }

  /** Aborts the request in flight and the wait; resolves once the loop has ended. */
  async close(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopping.signal.aborted) {
      if (this.o.ready?.() === false) {
        // Waiting for the catch-up is not failing: nothing is asked of the cloud yet.
        this.failure = null;
        await this.sleep(this.minIntervalMs);
        continue;
      }
      const outcome = await this.step(attempt);
      attempt = outcome.failed ? attempt + 1 : 0;
      if (outcome.delayMs > 0) await this.sleep(outcome.delayMs);
    }
  }

  private async step(attempt: number): Promise<StepOutcome> {
    const { store, logger } = this.o;
    const startedAt = Date.now();
    let after: number;
    try {
      after = store.parentNotices.messagesCursor();
    } catch (err) {
      return this.databaseFailed(err, attempt);
    }
    const answer = await requestJson(
      {
        baseUrl: this.o.baseUrl,
        token: this.o.token,
        // The cloud may hold the request `wait` seconds before it answers.
        timeoutMs: (this.waitS + 15) * 1000,
        stopping: this.stopping.signal,
      },
      'GET',
      `/v1/hub/parent-messages?after=${String(after)}&wait=${String(this.waitS)}`,
    );
    if (this.stopping.signal.aborted) return { delayMs: 0, failed: false };
    if (!answer.ok) {
      const transient = answer.status === null || answer.status === 429 || answer.status >= 500;
      const delay = transient ? this.o.backoff(attempt) : this.o.configErrorDelayMs;
      this.failed(answer.reason);
      logger.warn({ reason: answer.reason }, 'parent message fetch failed; retrying');
      return { delayMs: Math.max(delay, answer.retryAfterMs ?? 0, 1), failed: true };
    }
    const page = ParentMessagesPageSchema.safeParse(answer.body);
    if (!page.success) {
      // Never the answer or zod's message: they may quote what parents wrote.
      this.failed('bad_parent_messages');
      logger.error(
        { code: 'bad_parent_messages', paths: page.error.issues.slice(0, 5).map((i) => i.path.join('.')) },
        'the cloud answered something that is not a page of parent messages; nothing applied; retrying',
      );
      return { delayMs: Math.max(this.o.configErrorDelayMs, 1), failed: true };
    }
    try {
      this.o.apply(page.data);
    } catch (err) {
      return this.databaseFailed(err, attempt);
    }
    this.failure = null;
    if (page.data.messages.length > 0) {
      logger.debug({ messages: page.data.messages.length, cursor: page.data.cursor }, 'parent messages');
    }
    // More may wait after a page with messages. An empty page answered at once: the cloud did not hold
    // the request (it is not to be asked in a tight loop).
    if (page.data.messages.length > 0) return { delayMs: 0, failed: false };
    return { delayMs: Math.max(0, startedAt + this.minIntervalMs - Date.now()), failed: false };
  }

  /** A database error (busy, disk): nothing was applied; the page is fetched again later. */
  private databaseFailed(err: unknown, attempt: number): StepOutcome {
    this.o.logger.error({ err }, 'parent messages could not be stored; retrying');
    this.failed(`hub database ${errorCode(err)}`);
    return { delayMs: Math.max(this.o.backoff(attempt), 1), failed: true };
  }

  private failed(reason: string): void {
    const at = this.o.clock.now();
    this.failure = { reason, at, since: this.failure?.since ?? at };
  }

  /** Waits `ms`, or until close(). */
  private sleep(ms: number): Promise<void> {
    const signal = this.stopping.signal;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done);
    });
  }
}

/** A database error's code (SQLITE_BUSY…), or its class name: never its message, which may quote values. */
function errorCode(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string')
    return err.code;
  return err instanceof Error ? err.name : 'error';
}
