import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import {
  FacilityNoticeRequestSchema,
  type AdminFacilityNotices,
  type FacilityNotice,
} from '../../protocol/facility-notices.ts';
import { describeIssues, ErrorCodes } from '../../protocol/index.ts';
import type { AdminContext } from './auth.ts';
import {
  publishFacilityNotice,
  withdrawFacilityNotice,
  type FacilityNoticePublishStore,
} from '../parents/facility-notice-publish.ts';
import { adminFacilityNotices } from '../parents/facility-notice-view.ts';
import { requireSameOrigin } from '../http/web-app.ts';

export interface FacilityNoticeRoutesOptions {
  store: FacilityNoticePublishStore;
  /** The request's signed-in admin; throws not_signed_in (401) without one. */
  adminOf: (req: FastifyRequest) => AdminContext;
  /** Largest JSON body (edge-hub/admin/api.ts ADMIN_BODY_LIMIT; a notice of 4000 characters fits). */
  bodyLimit: number;
}

/**
 * The admin app's facility notices (園からのお知らせ, issue 17): publishing one to every parent or to some
 * classes, the list with who has read each, and withdrawing one. Neither the text nor names go into a log.
 */
export function registerFacilityNoticeRoutes(
  app: FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>,
  options: FacilityNoticeRoutesOptions,
): void {
  const { store, adminOf, bodyLimit } = options;

  app.get('/api/admin/facility-notices', (req, reply) => {
    adminOf(req);
    const answer: AdminFacilityNotices = adminFacilityNotices(store);
    return reply.send(answer);
  });

  app.post('/api/admin/facility-notices', { bodyLimit }, (req, reply) => {
    requireSameOrigin(req);
    const ctx = adminOf(req);
    const parsed = FacilityNoticeRequestSchema.safeParse(req.body);
    if (!parsed.success) throw new ValidationError(ErrorCodes.badRequest, describeIssues(parsed.error));
    const done = publishFacilityNotice(store, parsed.data, ctx.staffId);
    req.log.info(
      { staffId: ctx.staffId, noticeId: done.notice.id, recipients: done.recipients },
      'facility notice published',
    );
    const answer: FacilityNotice = done.notice;
    return reply.send(answer);
  });

  app.post<{ Params: { id: string } }>(
    '/api/admin/facility-notices/:id/withdraw',
    { bodyLimit },
    (req, reply) => {
      requireSameOrigin(req);
      const ctx = adminOf(req);
      const answer: FacilityNotice = withdrawFacilityNotice(store, req.params.id, ctx.staffId);
      req.log.info({ staffId: ctx.staffId, noticeId: answer.id }, 'facility notice withdrawn');
      return reply.send(answer);
    },
  );
}
