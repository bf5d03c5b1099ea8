import type { Logger } from '../../common/logger.ts';
import type { Clock } from '../../common/time.ts';
import type { ParentGuardianUpload } from '../../protocol/parents.ts';
import { parentUploadOf, syncParentAccess } from '../parents/state.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';
import { putJson } from './http.ts';

export interface ParentRelayOptions {
  /** Base URL of the cloud relay, without a trailing slash. */
  baseUrl: string;
  token: string;
  store: StoreOf<'roster' | 'parentAccess'> & Transactional;
  logger: Logger;
  /** For the failure's time in the health report. */
  clock: Clock;
  timeoutMs: number;
  /**
   * The relay's back-off after the `attempt`th failure in a row of network errors, 429 and 5xx (relay.ts:
   * full jitter, exponential), so that events and parents back off alike.
   */
  backoff: (attempt: number) => number;
  /** Wait after any other refusal (400, 401, 404 of a cloud without the route…). */
  configErrorDelayMs: number;
  /** The relay's close(): aborts a request in flight. */
  stopping: AbortSignal;
}

/**
 * Relays parents' access to the cloud (issue 17): for each guardian whose content changed (an
 * invitation, a revocation, a new name or other children on the live roster), PUT
 * /v1/hub/parents/GUARDIAN with the guardian's current version, marked relayed once answered 200. Run by
 * the Relay when no events wait, one request per step, like HistoryRelay: events are never held up. A
 * failure is retried with the relay's back-off and reported in its health until an upload succeeds.
 */
export class ParentRelay {
  private readonly options: ParentRelayOptions;
  /** The roster version last compared with the guardians' content (undefined: not yet, since the start). */
  private rosterVersionSeen: number | undefined;
  /** After a failure, not before this time (Date.now()). */
  private retryAt = 0;
  private attempt = 0;
  private failure: { reason: string; at: Date } | null = null;

  constructor(options: ParentRelayOptions) {
    this.options = options;
  }

  /** The last failed upload, until one succeeds. */
  lastError(): { reason: string; at: Date } | null {
    return this.failure;
  }

  /**
   * The next upload due, or undefined when nothing is due now. Synchronous until the upload is run (see
   * HistoryRelay.next).
   */
  next(): (() => Promise<void>) | undefined {
    if (Date.now() < this.retryAt) return undefined;
    const { store } = this.options;
    // Another process (a roster import) may change the roster: follow it when its version moved.
    const rosterVersion = store.roster.rosterVersion();
    if (rosterVersion !== this.rosterVersionSeen) {
      syncParentAccess(store);
      this.rosterVersionSeen = rosterVersion;
    }
    const [record] = store.parentAccess.unrelayed(1);
    if (record === undefined) return undefined;
    const body = parentUploadOf(record);
    return () => this.send(record.guardianId, body);
  }

  private async send(guardianId: string, body: ParentGuardianUpload): Promise<void> {
    const answer = await putJson(this.options, `/v1/hub/parents/${guardianId}`, body);
    const { store, logger } = this.options;
    if (answer.ok) {
      store.parentAccess.markRelayed(guardianId, body.version);
      this.failure = null;
      if (notStored(answer.body) && store.parentAccess.bump(guardianId, body.version)) {
        // The cloud holds this version or a later one: a restored hub's versions are behind (or the answer
        // to this version got lost). Sent again with the next version until the cloud takes it, backing
        // off so that a cloud that never does is not flooded.
        this.retryAt = Date.now() + this.options.backoff(this.attempt++);
        logger.warn(
          { guardianId, version: body.version },
          'the cloud holds a later parent access; sending it again',
        );
        return;
      }
      this.attempt = 0;
      logger.info({ guardianId, version: body.version }, 'parent access relayed');
      return;
    }
    if (this.options.stopping.aborted) return;
    const transient = answer.status === null || answer.status === 429 || answer.status >= 500;
    const delay = transient ? this.options.backoff(this.attempt++) : this.options.configErrorDelayMs;
    this.retryAt = Date.now() + Math.max(delay, answer.retryAfterMs ?? 0, 1);
    this.failure = { reason: `parent ${guardianId}: ${answer.reason}`, at: this.options.clock.now() };
    logger.warn({ guardianId, reason: answer.reason }, "cloud did not take a parent's access; retrying");
  }
}

/** The cloud's `{stored: false}`: it kept the version it had (the same or a later one). */
function notStored(body: unknown): boolean {
  return typeof body === 'object' && body !== null && 'stored' in body && body.stored === false;
}
