import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import type { Clock } from '../../common/time.ts';
import {
  AdminGuardianPinRequestSchema,
  AdminGuardianQrRequestSchema,
  type AdminCardRemoved,
  type AdminGuardianCards,
  type AdminGuardianPin,
  type AdminGuardianQr,
  type AdminQrRevoked,
} from '../../protocol/admin.ts';
import { describeIssues, ErrorCodes } from '../../protocol/index.ts';
import type { AdminContext } from './auth.ts';
import { issueGuardianQr, renderQrCardSvg } from '../facility/qr-card.ts';
import { clearGuardianPin, setGuardianPin } from '../facility/guardian-pins.ts';
import { guardianCards, removeCardByHash, revokeGuardianQr } from '../facility/revocation.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';
import { requireSameOrigin } from '../http/web-app.ts';

export interface GuardianRoutesOptions {
  store: StoreOf<'facility' | 'roster' | 'guardianPins' | 'revocations' | 'audit'> & Transactional;
  clock: Clock;
  /** The request's signed-in admin; throws not_signed_in (401) without one. */
  adminOf: (req: FastifyRequest) => AdminContext;
  /** Largest JSON body (edge-hub/admin/api.ts ADMIN_BODY_LIMIT). */
  bodyLimit: number;
}

/**
 * The admin app's per-guardian routes (registered by edge-hub/admin/api.ts): a printable QR card and its
 * revocation, the kiosk PIN, the guardian's cards (keyed hashes) and removing one. All are credentials:
 * neither the QR payload nor the PIN goes into a log or the audit log; a card only as its keyed hash.
 */
export function registerGuardianRoutes(
  app: FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>,
  options: GuardianRoutesOptions,
): void {
  const { store, clock, adminOf, bodyLimit } = options;

  app.post<{ Params: { guardianId: string } }>(
    '/api/admin/guardians/:guardianId/qr',
    { bodyLimit },
    (req, reply) => {
      requireSameOrigin(req);
      const ctx = adminOf(req);
      const parsed = AdminGuardianQrRequestSchema.safeParse(req.body ?? {});
      if (!parsed.success) throw new ValidationError(ErrorCodes.badRequest, describeIssues(parsed.error));
      const issued = issueGuardianQr(store, req.params.guardianId, {
        ...(parsed.data.days !== undefined && { days: parsed.data.days }),
        clock,
      });
      // The payload is a bearer credential: it goes into the image only, and never into the audit log.
      store.audit.append({
        actorKind: 'staff',
        actorId: ctx.staffId,
        action: 'admin.guardian_qr',
        subject: `guardian:${issued.guardianId}`,
        outcome: 'ok',
        after: { expiresAt: issued.expiresAt },
      });
      const answer: AdminGuardianQr = {
        guardianId: issued.guardianId,
        expiresAt: issued.expiresAt,
        svg: renderQrCardSvg(issued.payload, {
          guardianName: issued.guardianName,
          facilityName: issued.facilityName,
          note: `有効期限 Valid until ${issued.expiresAt.slice(0, 10)}`,
        }),
      };
      return reply.send(answer);
    },
  );

  // The director sets or clears a guardian's kiosk PIN next to the guardian (the PIN never goes into a
  // log or the audit entry); kiosks get the new hash with the roster at the next roster poll (~2 s).
  app.put<{ Params: { guardianId: string } }>(
    '/api/admin/guardians/:guardianId/pin',
    { bodyLimit },
    async (req, reply) => {
      requireSameOrigin(req);
      const ctx = adminOf(req);
      const parsed = AdminGuardianPinRequestSchema.safeParse(req.body ?? {});
      if (!parsed.success) throw new ValidationError(ErrorCodes.badRequest, describeIssues(parsed.error));
      const guardianId = req.params.guardianId;
      const done = await setGuardianPin(store, guardianId, parsed.data.pin, {
        kind: 'staff',
        id: ctx.staffId,
      });
      req.log.info({ staffId: ctx.staffId, guardianId }, 'guardian PIN set');
      const answer: AdminGuardianPin = { guardianId, pin: true, rosterVersion: done.rosterVersion };
      return reply.send(answer);
    },
  );

  app.delete<{ Params: { guardianId: string } }>('/api/admin/guardians/:guardianId/pin', (req, reply) => {
    requireSameOrigin(req);
    const ctx = adminOf(req);
    const guardianId = req.params.guardianId;
    const done = clearGuardianPin(store, guardianId, { kind: 'staff', id: ctx.staffId });
    if (done.cleared) req.log.info({ staffId: ctx.staffId, guardianId }, 'guardian PIN cleared');
    const answer: AdminGuardianPin = { guardianId, pin: false, rosterVersion: done.rosterVersion };
    return reply.send(answer);
  });

  // Revoking a guardian's QR codes (a lost or copied code): every code issued so far is refused by the
  // kiosks from their next roster (~2 s); a card issued afterwards works.
  app.post<{ Params: { guardianId: string } }>(
    '/api/admin/guardians/:guardianId/qr/revoke',
    { bodyLimit },
    (req, reply) => {
      requireSameOrigin(req);
      const ctx = adminOf(req);
      const done = revokeGuardianQr(store, req.params.guardianId, { kind: 'staff', id: ctx.staffId });
      req.log.info({ staffId: ctx.staffId, guardianId: done.guardianId }, 'guardian QR codes revoked');
      const answer: AdminQrRevoked = done;
      return reply.send(answer);
    },
  );

  app.get<{ Params: { guardianId: string } }>('/api/admin/guardians/:guardianId/cards', (req, reply) => {
    adminOf(req);
    const guardianId = req.params.guardianId;
    const answer: AdminGuardianCards = {
      guardianId,
      cards: guardianCards(store, guardianId).map((c) => ({
        credential: c.hash,
        source: c.source,
        enrolledAt: c.enrolledAt,
      })),
    };
    return reply.send(answer);
  });

  // A lost card, named by the keyed hash the list above gave: the card number never reaches the browser.
  app.delete<{ Params: { guardianId: string; credential: string } }>(
    '/api/admin/guardians/:guardianId/cards/:credential',
    (req, reply) => {
      requireSameOrigin(req);
      const ctx = adminOf(req);
      const { guardianId, credential } = req.params;
      const done = removeCardByHash(store, credential, { kind: 'staff', id: ctx.staffId }, guardianId);
      req.log.info({ staffId: ctx.staffId, guardianId }, 'guardian card removed');
      const answer: AdminCardRemoved = done;
      return reply.send(answer);
    },
  );
}
