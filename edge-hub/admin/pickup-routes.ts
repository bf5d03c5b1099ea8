import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { ErrorCodes } from '../../protocol/index.ts';
import type { PickupPerson } from '../../protocol/parent-pickups.ts';
import type { AdminContext } from './auth.ts';
import { requireSameOrigin } from '../http/web-app.ts';
import { sendPickupPhoto } from '../http/pickup-photo.ts';
import { parsePhotoDataUrl, PICKUP_PHOTO_MAX_BYTES } from '../parents/pickup-photo.ts';
import { PICKUP_PEOPLE_MAX, pickupPeopleOf, pickupPersonOf } from '../parents/pickup-view.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';
import type { PickupPersonRecord } from '../store/pickups.ts';

export interface PickupRoutesOptions {
  store: StoreOf<'roster' | 'pickups' | 'audit'> & Transactional;
  /** The request's signed-in admin; throws not_signed_in (401) without one. */
  adminOf: (req: FastifyRequest) => AdminContext;
}

/** A body with a photo: 300 KB as base64 and the JSON around it. */
const PICKUP_BODY_LIMIT = Math.ceil((PICKUP_PHOTO_MAX_BYTES * 4) / 3) + 16 * 1024;

// eslint-disable-next-line no-control-regex -- control characters are what is refused
const NO_CONTROL = /^[^\u0000-\u001f\u007f-\u009f]*$/;

/** POST /api/admin/children/:childId/pickup-people; PUT /api/admin/pickup-people/:id (photo null removes it). */
const PersonRequestSchema = z.strictObject({
  name: z.string().trim().min(1).max(100).regex(NO_CONTROL),
  relation: z.string().trim().max(40).regex(NO_CONTROL),
  photo: z.string().max(PICKUP_BODY_LIMIT).nullable().optional(),
});

/** GET /api/admin/children/:childId/pickup-people. */
export interface AdminPickupPeople {
  people: PickupPerson[];
}

/**
 * The admin app's pickup people of a child (issue 17, お迎え予定): the roster's guardians (listed, not
 * editable here) and the people the director adds with a relation and an optional photo. The photo stays
 * at the hub (staff see it on the tablet); the names go to the cloud with the child's list (the relay).
 * Audited without names: a person's id, the child, whether a photo is kept.
 */
export function registerPickupRoutes(
  app: FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>,
  options: PickupRoutesOptions,
): void {
  const { store, adminOf } = options;

  const parseBody = (body: unknown) => {
    const parsed = PersonRequestSchema.safeParse(body);
    if (!parsed.success) {
      const field = parsed.error.issues[0]?.path.join('.') ?? '';
      throw new ValidationError(
        'invalid_pickup_person',
        'name (1–100) and relation (up to 40) are needed',
        field,
      );
    }
    const { photo } = parsed.data;
    return {
      name: parsed.data.name,
      relation: parsed.data.relation,
      photo: photo === undefined ? undefined : photo === null ? null : parsePhotoDataUrl(photo),
    };
  };

  const personOf = (id: string): PickupPersonRecord => {
    const person = store.pickups.person(id);
    if (person === undefined) throw new NotFoundError('pickup_person_not_found', 'no such pickup person');
    return person;
  };

  const audit = (ctx: AdminContext, action: string, p: PickupPersonRecord, before?: PickupPersonRecord) => {
    store.audit.append({
      actorKind: 'staff',
      actorId: ctx.staffId,
      action,
      subject: `child:${p.childId}`,
      outcome: 'ok',
      ...(before !== undefined && { before: { personId: before.id, hasPhoto: before.hasPhoto } }),
      ...(action !== 'pickup.person_remove' && { after: { personId: p.id, hasPhoto: p.hasPhoto } }),
    });
  };

  app.get<{ Params: { childId: string } }>('/api/admin/children/:childId/pickup-people', (req, reply) => {
    adminOf(req);
    const { childId } = req.params;
    const roster = store.roster.read();
    if (!roster.children.some((c) => c.id === childId)) {
      throw new NotFoundError(ErrorCodes.unknownChild, 'no such child on the roster');
    }
    const answer: AdminPickupPeople = { people: pickupPeopleOf(store, roster, childId) };
    return reply.send(answer);
  });

  app.post<{ Params: { childId: string } }>(
    '/api/admin/children/:childId/pickup-people',
    { bodyLimit: PICKUP_BODY_LIMIT },
    (req, reply) => {
      requireSameOrigin(req);
      const ctx = adminOf(req);
      const { childId } = req.params;
      const body = parseBody(req.body);
      const person = store.transaction(() => {
        const roster = store.roster.read();
        if (!roster.children.some((c) => c.id === childId)) {
          throw new NotFoundError(ErrorCodes.unknownChild, 'no such child on the roster');
        }
        if (pickupPeopleOf(store, roster, childId).length >= PICKUP_PEOPLE_MAX) {
          throw new ValidationError(
            'too_many_pickup_people',
            `a child has at most ${String(PICKUP_PEOPLE_MAX)} pickup people`,
          );
        }
        const added = store.pickups.addPerson({ childId, ...body, photo: body.photo ?? null });
        audit(ctx, 'pickup.person_add', added);
        return added;
      });
      req.log.info({ staffId: ctx.staffId, childId, personId: person.id }, 'pickup person added');
      return reply.send(pickupPersonOf(person));
    },
  );

  app.put<{ Params: { id: string } }>(
    '/api/admin/pickup-people/:id',
    { bodyLimit: PICKUP_BODY_LIMIT },
    (req, reply) => {
      requireSameOrigin(req);
      const ctx = adminOf(req);
      const body = parseBody(req.body);
      const person = store.transaction(() => {
        const before = personOf(req.params.id);
        const after = store.pickups.updatePerson(before.id, {
          name: body.name,
          relation: body.relation,
          ...(body.photo !== undefined && { photo: body.photo }),
        });
        if (after === undefined) throw new NotFoundError('pickup_person_not_found', 'no such pickup person');
        audit(ctx, 'pickup.person_update', after, before);
        return after;
      });
      req.log.info({ staffId: ctx.staffId, personId: person.id }, 'pickup person changed');
      return reply.send(pickupPersonOf(person));
    },
  );

  app.delete<{ Params: { id: string } }>('/api/admin/pickup-people/:id', (req, reply) => {
    requireSameOrigin(req);
    const ctx = adminOf(req);
    const removed = store.transaction(() => {
      const gone = store.pickups.removePerson(req.params.id);
      if (gone === undefined) throw new NotFoundError('pickup_person_not_found', 'no such pickup person');
      audit(ctx, 'pickup.person_remove', gone, gone);
      return gone;
    });
    req.log.info({ staffId: ctx.staffId, personId: removed.id }, 'pickup person removed');
    return reply.code(204).send();
  });

  app.get<{ Params: { id: string } }>('/api/admin/pickup-people/:id/photo', (req, reply) => {
    adminOf(req);
    return sendPickupPhoto(store.pickups, req.params.id, reply);
  });
}
