import type { Logger } from '../../common/logger.ts';
import { inEffect } from '../../common/ledger/timeline.ts';
import type { Clock } from '../../common/time.ts';
import type { Amendment, SnapshotVersion } from '../../protocol/index.ts';
import { snapshotOf } from '../facility/history.ts';
import type { StoreOf } from '../store/hub-store.ts';
import { putJson, type PutAnswer } from './http.ts';

export interface HistoryRelayOptions {
  /** Base URL of the cloud relay, without a trailing slash. */
  baseUrl: string;
  token: string;
  facilityId: string;
  /** The facility's zone: the wire snapshot names it (protocol/ledger.ts FacilitySnapshot). */
  timeZone: string;
  store: StoreOf<'history' | 'corrections'>;
  logger: Logger;
  /** For the failure's time in the health report. */
  clock: Clock;
  timeoutMs: number;
  /** Wait after a failed upload before the next try. */
  retryDelayMs: number;
  /** The relay's close(): aborts a request in flight. */
  stopping: AbortSignal;
}

/**
 * Relays the facility's dated history to the cloud (issue 13): each snapshot version the cloud has not
 * taken (PUT /v1/snapshots/V, in version order), then each amendment (PUT /v1/amendments/ID, oldest
 * first), marking each relayed once answered 200. Run by the Relay when no events wait, one request at a
 * time between its looks for events, so that events are never held up. A failure is retried after `retryDelayMs` and reported in the
 * relay's health until an upload succeeds. A cloud without /v1/snapshots (404: an old cloud) is sent the
 * snapshot in effect today with the deprecated PUT /v1/snapshot instead, for as long as this process
 * runs; the versions stay unrelayed, so an upgraded cloud gets them all after a restart.
 */
export class HistoryRelay {
  private readonly options: HistoryRelayOptions;
  /** After a failure, not before this time (Date.now()). */
  private retryAt = 0;
  /** The failure not overcome yet: why, and when. */
  private failure: { reason: string; at: Date } | null = null;
  /** The cloud answered 404 for /v1/snapshots. */
  private oldCloud = false;
  /** JSON of the snapshot an old cloud last took. */
  private oldCloudHas: string | undefined;

  constructor(options: HistoryRelayOptions) {
    this.options = options;
  }

  /** The last failed upload of history, until one succeeds. */
  lastError(): { reason: string; at: Date } | null {
    return this.failure;
  }

  /**
   * The next upload due (one request: a version, else an amendment), or undefined when nothing is due
   * now. Synchronous until the upload is run, so that the relay's wait for a notification follows its
   * reads without a gap.
   */
  next(): (() => Promise<void>) | undefined {
    if (Date.now() < this.retryAt) return undefined;
    if (this.oldCloud) return this.nextForOldCloud();
    const { history, corrections } = this.options.store;
    const [version] = history.unrelayed(1);
    if (version !== undefined) {
      const wire: SnapshotVersion = {
        version: version.version,
        effectiveFrom: version.effectiveFrom,
        snapshot: snapshotOf(version.content, this.options.facilityId, this.options.timeZone),
      };
      return () => this.sendVersion(wire);
    }
    const [amendment] = corrections.unrelayedAmendments(1);
    if (amendment !== undefined) return () => this.sendAmendment(amendment);
    return undefined;
  }

  private async sendVersion(v: SnapshotVersion): Promise<void> {
    const answer = await this.put(`/v1/snapshots/${String(v.version)}`, v);
    if (answer.ok) {
      this.options.store.history.markRelayed(v.version);
      this.succeeded();
      this.options.logger.info(
        { version: v.version, effectiveFrom: v.effectiveFrom },
        'snapshot version relayed',
      );
      return;
    }
    if (answer.status === 404) {
      this.oldCloud = true;
      this.options.logger.warn(
        'the cloud has no PUT /v1/snapshots (an old cloud): sending the snapshot in effect today with PUT /v1/snapshot; its ledgers of past months may change',
      );
      return;
    }
    this.failed(`snapshot v${String(v.version)}: ${answer.reason}`, answer.retryAfterMs);
  }

  private async sendAmendment(a: Amendment): Promise<void> {
    const answer = await this.put(`/v1/amendments/${a.correctionId}`, a);
    if (answer.ok) {
      this.options.store.corrections.markRelayed(a.correctionId);
      this.succeeded();
      this.options.logger.info({ correctionId: a.correctionId, date: a.date }, 'amendment relayed');
      return;
    }
    this.failed(`amendment ${a.correctionId}: ${answer.reason}`, answer.retryAfterMs);
  }

  /** An old cloud: the snapshot in effect today, when it changed. Amendments it cannot take. */
  private nextForOldCloud(): (() => Promise<void>) | undefined {
    const { store, facilityId, timeZone } = this.options;
    const current = inEffect(store.history.versions(), store.history.today());
    if (current === undefined) return undefined;
    const snapshot = snapshotOf(current.content, facilityId, timeZone);
    const text = JSON.stringify(snapshot);
    if (text === this.oldCloudHas) return undefined;
    return async () => {
      const answer = await this.put('/v1/snapshot', snapshot);
      if (answer.ok) {
        this.oldCloudHas = text;
        this.succeeded();
        this.options.logger.info({ version: current.version }, 'snapshot relayed (PUT /v1/snapshot)');
      } else {
        this.failed(`snapshot: ${answer.reason}`, answer.retryAfterMs);
      }
    };
  }

  private put(path: string, body: unknown): Promise<PutAnswer> {
    return putJson(this.options, path, body);
  }

  private succeeded(): void {
    this.failure = null;
  }

  /** Not while closing: an aborted request is no failure of the cloud's. */
  private failed(reason: string, retryAfterMs = 0): void {
    if (this.options.stopping.aborted) return;
    this.retryAt = Date.now() + Math.max(this.options.retryDelayMs, retryAfterMs);
    this.failure = { reason, at: this.options.clock.now() };
    this.options.logger.warn({ reason }, 'cloud did not take the history; its ledgers may lag; retrying');
  }
}
