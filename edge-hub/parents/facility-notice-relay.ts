import type { Logger } from '../../common/logger.ts';
import type { Clock } from '../../common/time.ts';
import type { FacilityNoticeUpload } from '../../protocol/facility-notices.ts';
import { notStored, putJson, type CloudTarget } from '../relay/http.ts';
import { UploadRetry } from '../relay/upload-retry.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';
import type { FacilityNoticeRecord } from '../store/facility-notices.ts';
import { growRecipients } from './facility-notice-audience.ts';

export interface FacilityNoticeRelayOptions extends CloudTarget {
  store: StoreOf<'roster' | 'parentAccess' | 'facilityNotices'> & Transactional;
  logger: Logger;
  clock: Clock;
  /** The relay's back-off after the `attempt`th transient failure in a row. */
  backoff: (attempt: number) => number;
  configErrorDelayMs: number;
}

/**
 * Uploads the facility's notices (issue 17), one request per step of the parent relay (parent-relay.ts):
 * PUT /v1/hub/facility-notices/ID with the notice, its recipients and its version whenever the version is
 * ahead of the one the cloud took (published, withdrawn, recipients grown). Before that, when the roster
 * or anyone's parent access changed, the open notices' recipients grow (facility-notice-audience.ts).
 */
export class FacilityNoticeRelay {
  private readonly o: FacilityNoticeRelayOptions;
  private readonly retry: UploadRetry;
  /** The roster version and parent access last compared with the notices' recipients. */
  private audienceSeen: string | undefined;

  constructor(options: FacilityNoticeRelayOptions) {
    this.o = options;
    this.retry = new UploadRetry({
      clock: options.clock,
      backoff: options.backoff,
      configErrorDelayMs: options.configErrorDelayMs,
    });
  }

  lastError(): { reason: string; at: Date } | null {
    return this.retry.lastError();
  }

  /** The next upload due, or undefined. Synchronous until the upload is run. */
  next(): (() => Promise<void>) | undefined {
    if (!this.retry.due()) return undefined;
    const { store, clock } = this.o;
    const access = store.parentAccess.all();
    // No guardian has the parent app: no notice has recipients to grow, and the cloud needs none yet.
    if (access.length === 0) return undefined;
    const seen = `${String(store.roster.rosterVersion())}|${access
      .map((a) => `${a.guardianId}:${a.revoked ? 1 : 0}`)
      .join(',')}`;
    if (seen !== this.audienceSeen) {
      growRecipients(store, clock.now());
      this.audienceSeen = seen;
    }
    const [record] = store.facilityNotices.unrelayed(1);
    if (record === undefined) return undefined;
    const body = uploadOf(record);
    return () => this.send(body);
  }

  private async send(body: FacilityNoticeUpload): Promise<void> {
    const { store, logger } = this.o;
    const id = body.notice.id;
    const answer = await putJson(this.o, `/v1/hub/facility-notices/${id}`, body);
    if (answer.ok) {
      store.facilityNotices.markRelayed(id, body.version);
      if (notStored(answer.body) && store.facilityNotices.bump(id, body.version)) {
        // The cloud holds this version or a later one (a restored hub's versions are behind): sent again
        // with the next version, backing off, as parents' access is.
        this.retry.again();
        logger.warn(
          { noticeId: id, version: body.version },
          'the cloud holds a later facility notice; sending it again',
        );
        return;
      }
      this.retry.succeeded();
      logger.info(
        { noticeId: id, version: body.version, recipients: body.guardianIds.length },
        'facility notice relayed',
      );
      return;
    }
    if (this.o.stopping.aborted) return;
    const reason = this.retry.failed(answer, `facility notice ${id}`);
    logger.warn({ noticeId: id, reason }, 'cloud did not take a facility notice; retrying');
  }
}

/** The body of PUT /v1/hub/facility-notices/ID for a notice's current version. */
export function uploadOf(record: FacilityNoticeRecord): FacilityNoticeUpload {
  return { version: record.version, notice: record.notice, guardianIds: record.recipients };
}
