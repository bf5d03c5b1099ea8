import type { FastifyInstance } from 'fastify';
import { NotFoundError, ValidationError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { localDate } from '../../common/time.ts';
import { FacilityNoticeUploadSchema, type ParentFacilityNotices } from '../../protocol/facility-notices.ts';
import { describeIssues, ErrorCodes } from '../../protocol/index.ts';
import type { ParentPushPayload } from '../../protocol/parent-push.ts';
import { CloudErrorCodes, forbidden } from '../errors.ts';
import { PUSH_TEXTS } from '../push/texts.ts';
import type { CloudStore } from '../store/types.ts';
import type { CloudRouteContext } from './context.ts';
import type { ParentRoutes } from './parent-api.ts';
import type { ParentAudit } from './parent-audit.ts';
import { activeGuardian } from './parent-guardian.ts';
import type { ParentNoticeSignal } from './parent-notices-signal.ts';

/** What sends a notice's Web Push (PushNotifier). */
export interface GuardianNotifier {
  notifyGuardians(facilityId: string, guardianIds: readonly string[], payload: ParentPushPayload): void;
}

export interface FacilityNoticeRoutesOptions {
  parent: ParentRoutes;
  /** Wakes the facility's hub long-polls when a read is stored. */
  signal: ParentNoticeSignal;
  audit: ParentAudit;
  push: GuardianNotifier;
  logger: Logger;
}

function unknownNotice(): NotFoundError {
  return new NotFoundError(CloudErrorCodes.unknownFacilityNotice, 'no such notice for you');
}

/** The notification of a new notice: the facility's name (today's snapshot) over the notice's title. */
async function noticePayload(
  store: CloudStore,
  facilityId: string,
  timeZone: string,
  now: Date,
  notice: { id: string; title: string },
): Promise<ParentPushPayload> {
  const snapshot = await store.getSnapshot(facilityId, localDate(now, timeZone));
  const name = snapshot?.facilityName ?? '';
  return {
    title: name === '' ? PUSH_TEXTS.ja.untitled : name,
    body: notice.title,
    url: '/parent/#notices',
    tag: `notice-${notice.id}`,
  };
}

/**
 * The facility's notices to parents (園からのお知らせ, issue 17): the hub's upload of a notice with its
 * recipients (PUT /v1/hub/facility-notices/ID; its first stored version not withdrawn sends a Web Push to
 * them, once whatever the process or upload), the parent's list (GET /parent/api/facility-notices) and the
 * parent's confirmation (POST /parent/api/facility-notices/ID/read; stored once, then fetched by the hub
 * as a parent message of type facility_notice_read). Each confirmation is audited
 * (`facility_notice.read`).
 */
export function registerFacilityNotices(
  app: FastifyInstance,
  context: CloudRouteContext,
  options: FacilityNoticeRoutesOptions,
): void {
  const { store, clock, auth, metrics } = context;
  const { parent, signal, audit, push, logger } = options;

  app.put<{ Params: { id: string } }>(
    '/v1/hub/facility-notices/:id',
    auth.uploader,
    async (request): Promise<{ stored: boolean }> => {
      const principal = auth.principalOf(request);
      if (principal.kind !== 'hub') throw forbidden('only hub tokens may upload facility notices');
      const parsed = FacilityNoticeUploadSchema.safeParse(request.body);
      if (!parsed.success) throw new ValidationError(ErrorCodes.badRequest, describeIssues(parsed.error));
      const upload = parsed.data;
      if (upload.notice.id.toLowerCase() !== request.params.id.toLowerCase()) {
        throw new ValidationError(ErrorCodes.badRequest, 'the notice id is not the one of the path', 'id');
      }
      const { facilityId, hubId } = principal;
      const stored = await store.facilityNotices.putFacilityNotice(facilityId, hubId, upload);
      metrics.hubSeen(hubId, clock.now().getTime());
      // Claimed in the store: a re-upload, or another process storing the same notice, finds it pushed.
      const pushed = await store.facilityNotices.claimPush(facilityId, upload.notice.id);
      if (pushed) {
        const notice = await store.facilityNotices.getFacilityNotice(facilityId, upload.notice.id);
        const facility = await store.getFacility(facilityId);
        if (notice !== undefined && facility !== undefined) {
          const payload = await noticePayload(
            store,
            facilityId,
            facility.timeZone,
            clock.now(),
            notice.notice,
          );
          push.notifyGuardians(facilityId, notice.guardianIds, payload);
        }
      }
      // Ids and counts: the title and body are the facility's words to parents.
      request.log.info(
        {
          hubId,
          facilityId,
          noticeId: upload.notice.id,
          version: upload.version,
          recipients: upload.guardianIds.length,
          withdrawn: upload.notice.withdrawn,
          stored,
          pushed,
        },
        'facility notice received',
      );
      return { stored };
    },
  );

  app.get(
    '/parent/api/facility-notices',
    parent.routeOptions,
    async (request, reply): Promise<ParentFacilityNotices> => {
      const who = await parent.signedIn(request, reply);
      await activeGuardian(store, who);
      return { notices: await store.facilityNotices.noticesForGuardian(who.facilityId, who.guardianId) };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/parent/api/facility-notices/:id/read',
    parent.routeOptions,
    async (request, reply): Promise<void> => {
      const who = await parent.signedIn(request, reply);
      await activeGuardian(store, who);
      const noticeId = request.params.id.toLowerCase();
      const read = await store.facilityNotices.markNoticeRead(
        who.facilityId,
        noticeId,
        who.guardianId,
        clock.now(),
      );
      if (read === undefined) {
        await audit.record(who.facilityId, who.guardianId, 'facility_notice.read', 'refused', {
          code: CloudErrorCodes.unknownFacilityNotice,
        });
        throw unknownNotice();
      }
      if (read.created) {
        signal.notify(who.facilityId);
        await audit.record(who.facilityId, who.guardianId, 'facility_notice.read', 'ok', { noticeId });
        logger.info({ ...who, noticeId }, 'facility notice read');
      }
      await reply.code(204).send();
    },
  );
}
