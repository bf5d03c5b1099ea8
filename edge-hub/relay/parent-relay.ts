import type { Logger } from '../../common/logger.ts';
import type { Clock } from '../../common/time.ts';
import type { ParentNoticeReads, ParentSettingsUpload } from '../../protocol/parent-notices.ts';
import { ParentGuardianStoredSchema, type ParentGuardianUpload } from '../../protocol/parents.ts';
import { FacilityNoticeRelay } from '../parents/facility-notice-relay.ts';
import { PickupRelay } from '../parents/pickup-relay.ts';
import { adoptCloudRevocation } from '../parents/revoke.ts';
import { parentUploadOf, syncParentAccess } from '../parents/state.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';
import type { ParentSettingsContent } from '../store/parent-notices.ts';
import { notStored, putJson, requestJson } from './http.ts';
import { UploadRetry } from './upload-retry.ts';

/**
 * Most confirmations, of notices and pickup plans together, one POST /v1/hub/parent-notices/read carries
 * (ParentNoticeReadsSchema).
 */
const READS_MAX = 500;

export interface ParentRelayOptions {
  /** Base URL of the cloud relay, without a trailing slash. */
  baseUrl: string;
  token: string;
  store: StoreOf<
    'roster' | 'parentAccess' | 'parentNotices' | 'settings' | 'pickups' | 'facilityNotices' | 'audit'
  > &
    Transactional;
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
 * Relays what the cloud's parent app needs of the hub (issue 17), one request per step, run by the Relay
 * when no events wait (like HistoryRelay: events are never held up):
 * - parents' access: for each guardian whose content changed (an invitation, a revocation, a new name or
 *   other children on the live roster), PUT /v1/hub/parents/GUARDIAN with its current version;
 * - staff's confirmations (確認) of parents' notices and pickup plans: POST /v1/hub/parent-notices/read
 *   (the cloud marks whichever its id names);
 * - the class cut-offs the cloud checks notices against: PUT /v1/hub/parent-settings, versioned;
 * - each child's pickup list (pickup-relay.ts): PUT /v1/hub/pickup-people/CHILD, versioned;
 * - the facility's notices (facility-notice-relay.ts): PUT /v1/hub/facility-notices/ID, versioned.
 * Each is marked relayed once answered 200. A failure is retried with the relay's back-off (each kind on
 * its own) and reported in the relay's health until that kind succeeds.
 */
export class ParentRelay {
  private readonly options: ParentRelayOptions;
  /** The roster version last compared with the guardians' content (undefined: not yet, since the start). */
  private rosterVersionSeen: number | undefined;
  private readonly access: UploadRetry;
  private readonly reads: UploadRetry;
  private readonly settings: UploadRetry;
  /** Each child's pickup list (PUT /v1/hub/pickup-people/CHILD), with its own retry. */
  private readonly pickups: PickupRelay;
  private readonly pickupRetry: UploadRetry;
  /** The facility's notices (園からのお知らせ) with their recipients, with its own retry. */
  private readonly facilityNotices: FacilityNoticeRelay;

  constructor(options: ParentRelayOptions) {
    this.options = options;
    const retry = () =>
      new UploadRetry({
        clock: options.clock,
        backoff: options.backoff,
        configErrorDelayMs: options.configErrorDelayMs,
      });
    this.access = retry();
    this.reads = retry();
    this.settings = retry();
    this.pickupRetry = retry();
    this.facilityNotices = new FacilityNoticeRelay(options);
    this.pickups = new PickupRelay({
      store: options.store,
      logger: options.logger,
      retry: this.pickupRetry,
      stopping: options.stopping,
      cloud: options,
    });
  }

  /** The last failed upload, until one of its kind succeeds. */
  lastError(): { reason: string; at: Date } | null {
    return (
      this.access.lastError() ??
      this.reads.lastError() ??
      this.settings.lastError() ??
      this.pickupRetry.lastError() ??
      this.facilityNotices.lastError()
    );
  }

  /**
   * The next upload due, or undefined when nothing is due now. Synchronous until the upload is run (see
   * HistoryRelay.next).
   */
  next(): (() => Promise<void>) | undefined {
    return (
      this.nextAccess() ??
      this.nextReads() ??
      this.nextSettings() ??
      this.pickups.next() ??
      this.facilityNotices.next()
    );
  }

  private nextAccess(): (() => Promise<void>) | undefined {
    if (!this.access.due()) return undefined;
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
    return () => this.sendAccess(record.guardianId, body);
  }

  private nextReads(): (() => Promise<void>) | undefined {
    if (!this.reads.due()) return undefined;
    const { store } = this.options;
    const notices = store.parentNotices.unrelayedReads(READS_MAX);
    const plans = store.pickups.unrelayedPlanReads(READS_MAX - notices.length);
    if (notices.length + plans.length === 0) return undefined;
    return () =>
      this.sendReads(
        { reads: [...notices, ...plans] },
        notices.map((r) => r.id),
        plans.map((r) => r.id),
      );
  }

  private nextSettings(): (() => Promise<void>) | undefined {
    if (!this.settings.due()) return undefined;
    const { store } = this.options;
    // Only once some guardian has the parent app: no notices come before that.
    if (store.parentAccess.all().length === 0) return undefined;
    // The settings change through the API, the admin app or the CLI (another process): compared each time.
    store.parentNotices.putSettings(parentSettingsOf(store));
    const upload = store.parentNotices.settingsUpload();
    if (upload.content === null || upload.relayedVersion >= upload.version) return undefined;
    const body: ParentSettingsUpload = { version: upload.version, ...upload.content };
    return () => this.sendSettings(body);
  }

  private async sendAccess(guardianId: string, body: ParentGuardianUpload): Promise<void> {
    const answer = await putJson(this.options, `/v1/hub/parents/${guardianId}`, body);
    const { store, logger } = this.options;
    if (answer.ok) {
      store.parentAccess.markRelayed(guardianId, body.version);
      if (notStored(answer.body)) {
        const heldRevoked = ParentGuardianStoredSchema.safeParse(answer.body).data?.revoked === true;
        if (heldRevoked && adoptCloudRevocation(store, guardianId, body.version)) {
          // A revocation made after the backup this hub was restored from: kept, sent with a new version.
          this.access.again();
          logger.warn(
            { guardianId, version: body.version },
            "the cloud holds a revocation of this parent's access; revoked here too",
          );
          return;
        }
        if (store.parentAccess.bump(guardianId, body.version)) {
          // The cloud holds this version or a later one: a restored hub's versions are behind (or the
          // answer to this version got lost). Sent again with the next version until the cloud takes it,
          // backing off so that a cloud that never does is not flooded.
          this.access.again();
          logger.warn(
            { guardianId, version: body.version },
            'the cloud holds a later parent access; sending it again',
          );
          return;
        }
      }
      this.access.succeeded();
      logger.info({ guardianId, version: body.version }, 'parent access relayed');
      return;
    }
    if (this.options.stopping.aborted) return;
    const reason = this.access.failed(answer, `parent ${guardianId}`);
    logger.warn({ guardianId, reason }, "cloud did not take a parent's access; retrying");
  }

  private async sendReads(
    body: ParentNoticeReads,
    noticeIds: readonly string[],
    planIds: readonly string[],
  ): Promise<void> {
    const answer = await requestJson(this.options, 'POST', '/v1/hub/parent-notices/read', body);
    const { store, logger } = this.options;
    if (answer.ok) {
      // Unknown ids are ignored by the cloud: nothing to send again for them either.
      store.transaction(() => {
        store.parentNotices.markReadsRelayed(noticeIds);
        store.pickups.markPlanReadsRelayed(planIds);
      });
      this.reads.succeeded();
      logger.info({ notices: noticeIds.length, pickups: planIds.length }, 'confirmations relayed');
      return;
    }
    if (this.options.stopping.aborted) return;
    const reason = this.reads.failed(answer, 'notice reads');
    logger.warn({ reason }, 'cloud did not take the notice confirmations; retrying');
  }

  private async sendSettings(body: ParentSettingsUpload): Promise<void> {
    const answer = await putJson(this.options, '/v1/hub/parent-settings', body);
    const { store, logger } = this.options;
    if (answer.ok) {
      store.parentNotices.markSettingsRelayed(body.version);
      if (notStored(answer.body) && store.parentNotices.bumpSettings(body.version)) {
        // As for parents' access: the cloud holds a later version (a restored hub).
        this.settings.again();
        logger.warn({ version: body.version }, 'the cloud holds later parent settings; sending them again');
        return;
      }
      this.settings.succeeded();
      logger.info({ version: body.version }, 'parent settings relayed');
      return;
    }
    if (this.options.stopping.aborted) return;
    const reason = this.settings.failed(answer, 'parent settings');
    logger.warn({ reason }, 'cloud did not take the parent settings; retrying');
  }
}

/** The cut-offs the cloud checks parents' notices against: the default and each class's own. */
export function parentSettingsOf(store: StoreOf<'settings'>): ParentSettingsContent {
  const classCutoffs: Record<string, string> = {};
  const classes = [...store.settings.classSettings()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [classId, own] of classes) if (own.cutoff !== null) classCutoffs[classId] = own.cutoff;
  return { defaultCutoff: store.settings.facilitySettings().defaultCutoff, classCutoffs };
}
