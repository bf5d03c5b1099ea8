import { ValidationError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { systemClock, type Clock } from '../../common/time.ts';
import type { ConfiguredRelayHealth } from '../../protocol/admin.ts';
import {
  BATCH_MAX,
  BatchResponseSchema,
  describeIssues,
  ID_RE,
  type AttendanceEvent,
  type BatchResponse,
} from '../../protocol/index.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';
import type { CatchUpResult } from './catch-up.ts';
import { HistoryRelay } from './history-relay.ts';
import { errorCodeOf, networkReason, parseRetryAfter, RequestDeadline } from './http.ts';
import { ParentRelay } from './parent-relay.ts';

export { networkReason, parseRetryAfter } from './http.ts';

export interface RelayOptions {
  /** Base URL of the cloud relay; batches go to URL/v1/batches. */
  url: string;
  /** HUBID.SECRET, as issued by the cloud. */
  token: string;
  facilityId: string;
  /** The facility's zone, which the snapshots sent to the cloud name. */
  timeZone: string;
  /**
   * The outbox of events, and what to relay when idle: parents' access (and the roster it follows),
   * notice confirmations and class cut-offs (parent-relay.ts; the audit log for a revocation it adopts
   * from the cloud), the dated history (snapshot versions, amendments).
   */
  store: StoreOf<
    | 'outbox'
    | 'history'
    | 'corrections'
    | 'roster'
    | 'parentAccess'
    | 'parentNotices'
    | 'settings'
    | 'pickups'
    | 'facilityNotices'
    | 'audit'
  > &
    Transactional;
  logger: Logger;
  /** For the health report's times and ages (the store stamps received_at with the hub's clock). */
  clock?: Clock;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Full-jitter exponential backoff for network errors, 5xx and 429. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /**
   * Retry interval after a configuration error (400, 401, 403, 413, other 4xx), and after any failed
   * upload of the history (snapshot versions, amendments).
   */
  configErrorDelayMs?: number;
  /** Look for unsent events this often even without a commit notification. */
  pollIntervalMs?: number;
  batchSize?: number;
  random?: () => number;
  /** Called after each answered batch with the new cursor (tests, metrics). */
  onProgress?: (cursor: number) => void;
  /**
   * A restored hub's catch-up from the cloud (catch-up.ts CloudCatchUp): run before anything is sent,
   * retried with backoff until it succeeds; meanwhile events wait and the health says `catchingUp`.
   */
  catchUp?: { readonly done: boolean; run(): Promise<CatchUpResult> };
}

/** The hub id is the token's part before the first '.'. */
export function hubIdOf(token: string): string {
  const hubId = token.split('.', 1)[0] ?? '';
  if (!ID_RE.test(hubId) || hubId.length === token.length) {
    throw new ValidationError('bad_cloud_token', 'the cloud token must look like HUBID.SECRET', 'cloudToken');
  }
  return hubId;
}

/** Full jitter: a uniform delay between 0 and the capped exponential bound. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** attempt));
}

type Outcome =
  | { kind: 'ok'; response: BatchResponse }
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  | { kind: 'config'; reason: string; retryAfterMs?: number };

/**
 * Forwards stored events to the cloud, oldest first, one request at a time. The cursor (last hub_seq the
 * cloud answered for) lives in SQLite, so a restart resumes where it stopped. Events are never dropped:
 * every failure is retried, transient ones with backoff, configuration errors slowly. When no events
 * wait, it relays the dated history the cloud's ledgers are built from (HistoryRelay: snapshot versions,
 * then amendments), each marked relayed in SQLite once taken.
 */
export class Relay {
  private readonly url: string;
  private readonly token: string;
  private readonly hubId: string;
  private readonly facilityId: string;
  private readonly store: StoreOf<'outbox'>;
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly configErrorDelayMs: number;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly random: () => number;
  private readonly onProgress: ((cursor: number) => void) | undefined;
  private readonly catchUp: RelayOptions['catchUp'];
  /** Snapshot versions and amendments, sent when no events wait. */
  private readonly history: HistoryRelay;
  /** Parents' access (issue 17), sent when no events wait, before the history. */
  private readonly parents: ParentRelay;
  private readonly clock: Clock;
  /** Since this process started: the last failed batch (cleared by an answered one), the last answered. */
  private lastError: { reason: string; at: Date } | null = null;
  private lastSuccessAt: Date | null = null;
  private readonly stopping = new AbortController();
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(options: RelayOptions) {
    if (!URL.canParse(options.url) || !/^https?:$/.test(new URL(options.url).protocol)) {
      throw new ValidationError('bad_cloud_url', `not an http(s) URL: ${options.url}`, 'cloud');
    }
    const baseUrl = options.url.replace(/\/+$/, '');
    this.url = `${baseUrl}/v1/batches`;
    this.token = options.token;
    this.hubId = hubIdOf(options.token);
    this.facilityId = options.facilityId;
    this.store = options.store;
    this.logger = options.logger;
    this.clock = options.clock ?? systemClock;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    this.configErrorDelayMs = options.configErrorDelayMs ?? 60_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 5_000;
    this.batchSize = Math.min(options.batchSize ?? BATCH_MAX, BATCH_MAX);
    this.random = options.random ?? Math.random;
    this.catchUp = options.catchUp;
    this.onProgress = options.onProgress;
    this.history = new HistoryRelay({
      baseUrl,
      token: options.token,
      facilityId: options.facilityId,
      timeZone: options.timeZone,
      store: options.store,
      logger: options.logger,
      clock: this.clock,
      timeoutMs: this.timeoutMs,
      retryDelayMs: this.configErrorDelayMs,
      stopping: this.stopping.signal,
    });
    this.parents = new ParentRelay({
      baseUrl,
      token: options.token,
      store: options.store,
      logger: options.logger,
      clock: this.clock,
      timeoutMs: this.timeoutMs,
      backoff: (attempt) => backoffDelay(attempt, this.baseDelayMs, this.maxDelayMs, this.random),
      configErrorDelayMs: this.configErrorDelayMs,
      stopping: this.stopping.signal,
    });
  }

  start(): void {
    this.loop ??= this.run().catch((err: unknown) => {
      this.logger.fatal({ err }, 'relay loop stopped');
    });
  }

  /** New events were committed: send soon (a send in flight or a backoff wait is not cut short). */
  notify(): void {
    this.wake?.();
  }

  /** The relay's state for /healthz, /metrics and the admin app (reads the store). */
  health(): ConfiguredRelayHealth {
    const backlog = this.store.outbox.relayBacklog();
    const now = this.clock.now().getTime();
    const oldestMs = backlog.oldestReceivedAt === null ? Number.NaN : Date.parse(backlog.oldestReceivedAt);
    const known = !Number.isNaN(oldestMs);
    const lastError = this.lastError ?? this.parents.lastError() ?? this.history.lastError();
    return {
      configured: true,
      waiting: backlog.waiting,
      oldestWaitingAt: known ? new Date(oldestMs).toISOString() : null,
      oldestAgeSeconds: known ? Math.max(0, Math.floor((now - oldestMs) / 1000)) : null,
      // A failed batch first; else a failed upload of parents' access (an invitation link does not work
      // yet), or of the history (the cloud's ledgers lag meanwhile).
      lastError: lastError && { reason: lastError.reason, at: lastError.at.toISOString() },
      lastSuccessAt: this.lastSuccessAt?.toISOString() ?? null,
      rejected: this.store.outbox.relayRejectCount(),
      ...(this.catchUp !== undefined && !this.catchUp.done && { catchingUp: true }),
    };
  }

  async close(): Promise<void> {
    this.stopping.abort();
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopped()) {
      let delay: number;
      try {
        delay = await this.step(attempt);
      } catch (err) {
        // A database error (busy, disk): the events stay stored; try again later.
        this.logger.error({ err }, 'relay step failed');
        this.failed(`hub database ${errorCode(err)}`);
        delay = Math.max(
          this.baseDelayMs,
          backoffDelay(attempt, this.baseDelayMs, this.maxDelayMs, this.random),
        );
      }
      if (delay === 0) {
        attempt = 0;
        continue;
      }
      attempt++;
      await this.sleep(delay, false);
    }
  }

  /**
   * Sends the next batch, or waits for new events when there are none. Returns how long to wait before
   * the next step: 0 after progress, a backoff delay after a failure.
   */
  private async step(attempt: number): Promise<number> {
    if (this.catchUp !== undefined && !this.catchUp.done) return this.catchUpStep(attempt);
    const cursor = this.store.outbox.relayCursor();
    const batch = this.store.outbox.eventsAfter(cursor, this.batchSize);
    if (batch.length === 0) {
      // Events first: parents' access (small, and an invitation link waits on it), then the history go
      // only when none are waiting, one upload per step; then look for events again. A failed upload
      // waits on its own delay and never holds up events.
      const upload = this.parents.next() ?? this.history.next();
      if (upload !== undefined) {
        await upload();
        return 0;
      }
      // No await since the read, so no notification can fall between it and this wait.
      await this.sleep(this.pollIntervalMs, true);
      return 0;
    }
    const outcome = await this.send(batch.map((b) => b.event));
    if (this.stopped()) return 0;
    switch (outcome.kind) {
      case 'ok': {
        const seqOf = new Map(batch.map((b) => [b.event.id, b.hubSeq]));
        const rejects = outcome.response.rejected.flatMap((r) => {
          const hubSeq = r.id === null ? undefined : seqOf.get(r.id);
          return hubSeq === undefined || r.id === null
            ? []
            : [{ id: r.id, code: r.code, message: r.message, hubSeq }];
        });
        for (const r of rejects) this.logger.warn({ eventId: r.id, code: r.code }, 'cloud rejected an event');
        const last = batch.at(-1)?.hubSeq ?? cursor;
        this.store.outbox.advanceRelay(last, rejects);
        this.lastError = null;
        this.lastSuccessAt = this.clock.now();
        this.onProgress?.(last);
        this.logger.debug(
          {
            cursor: last,
            accepted: outcome.response.accepted.length,
            duplicates: outcome.response.duplicates.length,
            rejected: rejects.length,
          },
          'batch relayed',
        );
        return 0;
      }
      case 'retry': {
        const delay = Math.max(
          backoffDelay(attempt, this.baseDelayMs, this.maxDelayMs, this.random),
          outcome.retryAfterMs ?? 0,
          1,
        );
        this.failed(outcome.reason);
        this.logger.warn(
          { reason: outcome.reason, attempt: attempt + 1, delayMs: delay },
          'cloud relay failed; retrying',
        );
        return delay;
      }
      case 'config': {
        const delay = Math.max(this.configErrorDelayMs, outcome.retryAfterMs ?? 0, 1);
        this.failed(outcome.reason);
        this.logger.error(
          { reason: outcome.reason, delayMs: delay },
          'cloud relay refused the hub (check --cloud and --cloud-token); retrying slowly',
        );
        return delay;
      }
    }
  }

  /** A restored hub's catch-up: nothing is sent before it succeeds (its history would clash). */
  private async catchUpStep(attempt: number): Promise<number> {
    const result = await this.catchUp?.run();
    if (this.stopped() || result === undefined) return 0;
    if (result.ok) {
      this.lastError = null;
      return 0;
    }
    const delay = Math.max(
      backoffDelay(attempt, this.baseDelayMs, this.maxDelayMs, this.random),
      result.retryAfterMs ?? 0,
      1,
    );
    this.failed(`catch-up: ${result.reason}`);
    this.logger.warn(
      { reason: result.reason, attempt: attempt + 1, delayMs: delay },
      'restored hub could not catch up from the cloud; events wait; retrying',
    );
    return delay;
  }

  private async send(events: readonly AttendanceEvent[]): Promise<Outcome> {
    let res: Response;
    const deadline = new RequestDeadline(this.timeoutMs, this.stopping.signal);
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
        body: JSON.stringify({ hubId: this.hubId, facilityId: this.facilityId, events }),
        signal: deadline.signal,
      });
    } catch (err) {
      return { kind: 'retry', reason: deadline.timedOut ? 'timeout' : networkReason(err) };
    }
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
    const extra = retryAfterMs === undefined ? {} : { retryAfterMs };
    let body: unknown;
    try {
      const text = await res.text();
      body = text === '' ? undefined : JSON.parse(text);
    } catch (err) {
      // Not the parser's message: it quotes the body.
      const why =
        err instanceof SyntaxError ? 'not JSON' : deadline.timedOut ? 'timeout' : networkReason(err);
      if (res.status === 200) return { kind: 'retry', reason: `unreadable response: ${why}`, ...extra };
    }
    if (res.status === 200) {
      const parsed = BatchResponseSchema.safeParse(body);
      if (!parsed.success) return { kind: 'retry', reason: `bad response: ${describeIssues(parsed.error)}` };
      const covered = new Set([
        ...parsed.data.accepted,
        ...parsed.data.duplicates,
        ...parsed.data.rejected.map((r) => r.id),
      ]);
      const missing = events.filter((e) => !covered.has(e.id));
      // Advancing past an event the cloud did not answer for could lose it: send the batch again.
      if (missing.length > 0) return { kind: 'retry', reason: `response omits ${missing.length} event(s)` };
      return { kind: 'ok', response: parsed.data };
    }
    const reason = `HTTP ${res.status}${errorCodeOf(body)}`;
    if (res.status === 429 || res.status >= 500) return { kind: 'retry', reason, ...extra };
    return { kind: 'config', reason, ...extra };
  }

  private failed(reason: string): void {
    this.lastError = { reason, at: this.clock.now() };
  }

  private stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  /** Waits `ms`, or until close(); with `wakeOnNotify`, also until new events are committed. */
  private sleep(ms: number, wakeOnNotify: boolean): Promise<void> {
    if (this.stopping.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.stopping.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.stopping.signal.addEventListener('abort', done);
      if (wakeOnNotify) this.wake = done;
    });
  }
}

/** A database error's code (SQLITE_BUSY…), or its class name: never its message, which may quote values. */
function errorCode(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string')
    return err.code;
  return err instanceof Error ? err.name : 'error';
}
