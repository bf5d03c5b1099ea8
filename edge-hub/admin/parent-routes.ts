import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ConflictError, ValidationError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import type { Clock } from '../../common/time.ts';
import type { ParentInviteResult } from '../../protocol/parents.ts';
import type { AdminContext } from './auth.ts';
import { renderQrSvg } from '../facility/qr-card.ts';
import { inviteParent, type ParentInviteStore } from '../parents/invite.ts';
import { revokeParent } from '../parents/revoke.ts';
import { requireSameOrigin } from '../http/web-app.ts';

/** POST /api/admin/guardians/:id/parent-invite answers the CLI's result and the link as a QR code. */
export type AdminParentInvite = ParentInviteResult & { svg: string };

export interface ParentRoutesOptions {
  store: ParentInviteStore;
  clock: Clock;
  /** The request's signed-in admin; throws not_signed_in (401) without one. */
  adminOf: (req: FastifyRequest) => AdminContext;
  /** Largest JSON body (edge-hub/admin/api.ts ADMIN_BODY_LIMIT). */
  bodyLimit: number;
}

/**
 * The admin app's parent-app routes (issue 17), next to the guardian's card: inviting a guardian (the
 * link and its QR code, for the director to hand over) and ending a parent's access. The link carries a
 * one-time token: it goes to the director's browser only, never into a log or the audit log.
 */
export function registerParentRoutes(
  app: FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>,
  options: ParentRoutesOptions,
): void {
  const { store, clock, adminOf, bodyLimit } = options;

  app.post<{ Params: { guardianId: string } }>(
    '/api/admin/guardians/:guardianId/parent-invite',
    { bodyLimit },
    (req, reply) => {
      requireSameOrigin(req);
      const ctx = adminOf(req);
      const guardianId = req.params.guardianId;
      let invited: ParentInviteResult;
      try {
        invited = inviteParent(store, guardianId, { actor: { kind: 'staff', id: ctx.staffId }, clock });
      } catch (err) {
        // Not the director's input: the hub has never been told its cloud (genkan hub --cloud URL).
        if (err instanceof ValidationError && err.code === 'no_cloud_url') {
          throw new ConflictError(err.code, err.message);
        }
        throw err;
      }
      req.log.info({ staffId: ctx.staffId, guardianId }, 'parent invited');
      const answer: AdminParentInvite = { ...invited, svg: renderQrSvg(invited.url) };
      return reply.send(answer);
    },
  );

  app.post<{ Params: { guardianId: string } }>(
    '/api/admin/guardians/:guardianId/parent-revoke',
    { bodyLimit },
    (req, reply) => {
      requireSameOrigin(req);
      const ctx = adminOf(req);
      const done = revokeParent(store, req.params.guardianId, { kind: 'staff', id: ctx.staffId });
      req.log.info({ staffId: ctx.staffId, guardianId: done.guardianId }, 'parent access revoked');
      return reply.send(done);
    },
  );
}
