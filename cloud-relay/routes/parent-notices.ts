import type { FastifyInstance } from 'fastify';
import { GenkanError, ValidationError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { localDate, localTime } from '../../common/time.ts';
import { describeIssues, ErrorCodes } from '../../protocol/index.ts';
import {
  ParentNoticeRequestSchema,
  type ParentNotice,
  type ParentNoticeList,
  type ParentNoticeRequest,
} from '../../protocol/parent-notices.ts';
import type { ParentGuardian, ParentIdentity } from '../store/parent-types.ts';
import type { Facility } from '../store/types.ts';
import type { CloudRouteContext } from './context.ts';
import type { ParentRoutes } from './parent-api.ts';
import type { ParentAudit } from './parent-audit.ts';
import { notSignedIn } from './parent-auth.ts';
import {
  addDays,
  checkNoticeDays,
  checkOwnChildren,
  daysBetween,
  NOTICE_HISTORY_DAYS,
} from './parent-notices-rules.ts';
import type { ParentNoticeSignal } from './parent-notices-signal.ts';

export interface ParentNoticeRoutesOptions {
  /** The session and limits the other /parent/api/ routes use (registerParentApi). */
  parent: ParentRoutes;
  /** Told of each new notice: wakes the facility's hub long-polls at once. */
  signal: ParentNoticeSignal;
  audit: ParentAudit;
  logger: Logger;
}

/**
 * The parent app's notices (issue 17): POST /parent/api/notices sends an absence or lateness (rules:
 * parent-notices-rules.ts; stored once by its id, then fetched by the hub), GET /parent/api/notices lists
 * the guardian's notices. Each send is audited (`notice.sent`, ok or refused with the code).
 */
export function registerParentNotices(
  app: FastifyInstance,
  { store, clock }: CloudRouteContext,
  options: ParentNoticeRoutesOptions,
): void {
  const { parent, signal, audit, logger } = options;

  /** The signed-in guardian (revoked meanwhile: signed out) and the facility. */
  async function guardianOf(who: ParentIdentity): Promise<{ guardian: ParentGuardian; facility: Facility }> {
    const [guardian, facility] = await Promise.all([
      store.parents.getGuardian(who.facilityId, who.guardianId),
      store.getFacility(who.facilityId),
    ]);
    if (guardian === undefined || guardian.revoked || facility === undefined) throw notSignedIn();
    return { guardian, facility };
  }

  /** Checks a new notice against the rules; a resend of a stored one was checked when first sent. */
  async function checkRules(
    notice: ParentNoticeRequest,
    guardian: ParentGuardian,
    facility: Facility,
  ): Promise<void> {
    checkOwnChildren(notice, guardian.childIds);
    if ((await store.parentNotices.getNotice(facility.facilityId, notice.id)) !== undefined) return;
    const now = clock.now();
    const today = localDate(now, facility.timeZone);
    const [snapshot, settings] = await Promise.all([
      store.getSnapshot(facility.facilityId, today),
      store.parentNotices.settings(facility.facilityId),
    ]);
    const classes = new Map(snapshot?.children.map((c) => [c.id, c.classId]));
    checkNoticeDays(notice, { today, now: localTime(now, facility.timeZone) }, settings, (id) =>
      classes.get(id),
    );
  }

  app.post('/parent/api/notices', parent.routeOptions, async (request, reply): Promise<ParentNotice> => {
    const who = await parent.signedIn(request, reply);
    const parsed = ParentNoticeRequestSchema.safeParse(request.body);
    if (!parsed.success) throw new ValidationError(ErrorCodes.badRequest, describeIssues(parsed.error));
    const notice = parsed.data;
    const { guardian, facility } = await guardianOf(who);
    const until = notice.until ?? notice.date;
    const detail = {
      noticeId: notice.id.toLowerCase(),
      kind: notice.kind,
      date: notice.date,
      until,
      children: notice.childIds.length,
    };
    let stored: { notice: ParentNotice; created: boolean };
    try {
      await checkRules(notice, guardian, facility);
      stored = await store.parentNotices.insertNotice(facility.facilityId, {
        guardianId: guardian.guardianId,
        request: notice,
        sentAt: clock.now(),
      });
    } catch (err) {
      if (err instanceof GenkanError && err.kind !== 'internal' && err.kind !== 'unavailable') {
        await audit.record(who.facilityId, who.guardianId, 'notice.sent', 'refused', {
          ...detail,
          code: err.code,
        });
      }
      throw err;
    }
    if (stored.created) {
      signal.notify(facility.facilityId);
      await audit.record(who.facilityId, who.guardianId, 'notice.sent', 'ok', detail);
      // Ids, kind and counts: the notice's reason, symptoms and note are the parent's words, not the log's.
      logger.info({ ...who, ...detail, days: daysBetween(notice.date, until) + 1 }, 'parent notice stored');
    }
    return stored.notice;
  });

  app.get('/parent/api/notices', parent.routeOptions, async (request, reply): Promise<ParentNoticeList> => {
    const who = await parent.signedIn(request, reply);
    const { facility } = await guardianOf(who);
    const today = localDate(clock.now(), facility.timeZone);
    const notices = await store.parentNotices.noticesForGuardian(
      who.facilityId,
      who.guardianId,
      addDays(today, -NOTICE_HISTORY_DAYS),
    );
    return { notices };
  });
}
