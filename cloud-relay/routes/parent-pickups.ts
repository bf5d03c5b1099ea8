import type { FastifyInstance } from 'fastify';
import { ForbiddenError, GenkanError, ValidationError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { localDate } from '../../common/time.ts';
import { describeIssues, ErrorCodes } from '../../protocol/index.ts';
import {
  ParentPickupRequestSchema,
  PickupPeopleUploadSchema,
  type ParentPickup,
  type ParentPickupPeople,
  type ParentPickupRequest,
} from '../../protocol/parent-pickups.ts';
import { CloudErrorCodes, forbidden } from '../errors.ts';
import { checkId } from '../store/inputs.ts';
import type { ChildPickupPeople } from '../store/pickup-types.ts';
import type { CloudRouteContext } from './context.ts';
import type { ParentRoutes } from './parent-api.ts';
import type { ParentAudit } from './parent-audit.ts';
import { activeGuardian } from './parent-guardian.ts';
import type { ParentNoticeSignal } from './parent-notices-signal.ts';

export interface ParentPickupRoutesOptions {
  parent: ParentRoutes;
  /** Wakes the facility's hub long-polls when a plan is stored. */
  signal: ParentNoticeSignal;
  audit: ParentAudit;
  logger: Logger;
}

/**
 * The person a plan names: from the list of EVERY child of the plan (an entry of one child's list may not
 * collect another), or someone else by name (kind `other`, flagged to staff).
 */
export function pickupPersonOf(
  request: ParentPickupRequest,
  lists: readonly ChildPickupPeople[],
): ParentPickup['person'] {
  if (request.someoneElse !== undefined) {
    return {
      id: null,
      kind: 'other',
      name: request.someoneElse.name,
      relation: request.someoneElse.relation,
    };
  }
  const byChild = new Map(lists.map((l) => [l.childId, l.people]));
  const entries = request.childIds.map((id) => byChild.get(id)?.find((p) => p.id === request.personId));
  const [first] = entries;
  if (first === undefined || entries.some((e) => e === undefined)) {
    throw new ValidationError(
      CloudErrorCodes.unknownPickupPerson,
      'personId is not on the pickup list of every child of the plan',
      'personId',
    );
  }
  return { id: first.id, kind: first.kind, name: first.name, relation: first.relation };
}

/**
 * Pickup plans (お迎え予定, issue 17): the hub's upload of each child's authorised pickup people
 * (PUT /v1/hub/pickup-people/CHILD), the parent's view of their own children's lists
 * (GET /parent/api/pickup-people) and today's plan (POST /parent/api/pickups; stored once by its id, then
 * fetched by the hub as a parent message of type pickup). Each send is audited (`pickup.sent`).
 */
export function registerParentPickups(
  app: FastifyInstance,
  context: CloudRouteContext,
  options: ParentPickupRoutesOptions,
): void {
  const { store, clock, auth, metrics } = context;
  const { parent, signal, audit, logger } = options;

  app.put<{ Params: { childId: string } }>(
    '/v1/hub/pickup-people/:childId',
    auth.uploader,
    async (request): Promise<{ stored: boolean }> => {
      const principal = auth.principalOf(request);
      if (principal.kind !== 'hub') throw forbidden('only hub tokens may upload pickup people');
      const childId = checkId(request.params.childId, 'childId');
      const parsed = PickupPeopleUploadSchema.safeParse(request.body);
      if (!parsed.success) throw new ValidationError(ErrorCodes.badRequest, describeIssues(parsed.error));
      const { facilityId, hubId } = principal;
      const stored = await store.pickups.putPickupPeople(facilityId, hubId, childId, parsed.data);
      metrics.hubSeen(hubId, clock.now().getTime());
      // Counts only: the list holds names.
      request.log.info(
        {
          hubId,
          facilityId,
          childId,
          version: parsed.data.version,
          people: parsed.data.people.length,
          stored,
        },
        'pickup people received',
      );
      return { stored };
    },
  );

  app.get(
    '/parent/api/pickup-people',
    parent.routeOptions,
    async (request, reply): Promise<ParentPickupPeople> => {
      const who = await parent.signedIn(request, reply);
      const { guardian } = await activeGuardian(store, who);
      const lists = await store.pickups.pickupPeople(who.facilityId, guardian.childIds);
      const byChild = new Map(lists.map((l) => [l.childId, l.people]));
      // Every own child, listed or not yet (the hub has not uploaded its list): the app offers someone else.
      return {
        children: guardian.childIds.map((childId) => ({ childId, people: byChild.get(childId) ?? [] })),
      };
    },
  );

  app.post('/parent/api/pickups', parent.routeOptions, async (request, reply): Promise<ParentPickup> => {
    const who = await parent.signedIn(request, reply);
    const parsed = ParentPickupRequestSchema.safeParse(request.body);
    if (!parsed.success) throw new ValidationError(ErrorCodes.badRequest, describeIssues(parsed.error));
    const plan = parsed.data;
    const { guardian, facility } = await activeGuardian(store, who);
    const detail = {
      pickupId: plan.id.toLowerCase(),
      date: plan.date,
      children: plan.childIds.length,
      someoneElse: plan.someoneElse !== undefined,
    };
    let stored: { pickup: ParentPickup; created: boolean };
    try {
      const mine = new Set(guardian.childIds);
      if (!plan.childIds.every((id) => mine.has(id))) {
        throw new ForbiddenError(CloudErrorCodes.notOwnChild, 'a plan may name only your own children');
      }
      const earlier = await store.pickups.getPickup(facility.facilityId, plan.id);
      let person: ParentPickup['person'];
      if (earlier === undefined) {
        if (plan.date !== localDate(clock.now(), facility.timeZone)) {
          throw new ValidationError(CloudErrorCodes.pickupNotToday, 'a pickup plan is for today', 'date');
        }
        person = pickupPersonOf(plan, await store.pickups.pickupPeople(facility.facilityId, plan.childIds));
      } else {
        // A resend was checked when first sent (it may arrive after midnight or after a list change).
        person = earlier.person;
      }
      stored = await store.pickups.insertPickup(facility.facilityId, {
        guardianId: guardian.guardianId,
        request: plan,
        person,
        sentAt: clock.now(),
      });
    } catch (err) {
      if (err instanceof GenkanError && err.kind !== 'internal' && err.kind !== 'unavailable') {
        await audit.record(who.facilityId, who.guardianId, 'pickup.sent', 'refused', {
          ...detail,
          code: err.code,
        });
      }
      throw err;
    }
    if (stored.created) {
      signal.notify(facility.facilityId);
      await audit.record(who.facilityId, who.guardianId, 'pickup.sent', 'ok', detail);
      // Ids and counts: the person's name and the note are not the log's.
      logger.info({ ...who, ...detail }, 'parent pickup plan stored');
    }
    return stored.pickup;
  });
}
