import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { ValidationError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { describeIssues, ErrorCodes } from '../../protocol/index.ts';
import {
  PUSH_SUBSCRIPTIONS_MAX,
  PushSubscriptionRequestSchema,
  PushUnsubscribeRequestSchema,
  type PushKey,
} from '../../protocol/parent-push.ts';
import { endpointAllowed, endpointRef, pushEndpointInsecure } from '../push/endpoint.ts';
import type { PushNotifier } from '../push/notifier.ts';
import type { CloudRouteContext } from './context.ts';
import type { ParentRoutes } from './parent-api.ts';
import { ParentAudit } from './parent-audit.ts';
import { notSignedIn } from './parent-auth.ts';

function parsed<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw new ValidationError(ErrorCodes.badRequest, describeIssues(result.error));
  return result.data;
}

/**
 * The parent app's Web Push routes (issue 17; docs/protocol.md): the VAPID public key the browser
 * subscribes with, and the guardian's subscriptions. Signed-in parents only, rate limited and
 * origin-checked as every /parent/api/ route (ParentRoutes). The sending is PushNotifier's.
 */
export function registerParentPush(
  app: FastifyInstance,
  { store, clock }: CloudRouteContext,
  parent: ParentRoutes,
  push: PushNotifier,
  logger: Logger,
): void {
  const audit = new ParentAudit(store, clock, logger);

  app.get('/parent/api/push/key', parent.routeOptions, async (request, reply): Promise<PushKey> => {
    await parent.signedIn(request, reply);
    return { publicKey: (await push.vapid.keys()).publicKey };
  });

  app.post('/parent/api/push/subscriptions', parent.routeOptions, async (request, reply) => {
    const who = await parent.signedIn(request, reply);
    const body = parsed(PushSubscriptionRequestSchema, request.body);
    const ref = endpointRef(body.endpoint);
    if (!endpointAllowed(body.endpoint, push.allowInsecure)) {
      await audit.record(who.facilityId, who.guardianId, 'push.subscribe', 'refused', {
        endpoint: ref,
        code: 'push_endpoint_insecure',
      });
      throw pushEndpointInsecure();
    }
    const keys = { endpoint: body.endpoint, ...body.keys };
    // Revoked since the session check: signed out all the same.
    if (!(await store.push.subscribe(who, keys, clock.now(), PUSH_SUBSCRIPTIONS_MAX))) throw notSignedIn();
    await audit.record(who.facilityId, who.guardianId, 'push.subscribe', 'ok', { endpoint: ref });
    return reply.code(204).send();
  });

  app.delete('/parent/api/push/subscriptions', parent.routeOptions, async (request, reply) => {
    const who = await parent.signedIn(request, reply);
    const { endpoint } = parsed(PushUnsubscribeRequestSchema, request.body);
    // Idempotent: an endpoint already gone (or never this guardian's) is no error.
    const removed = await store.push.unsubscribe(who, endpoint);
    await audit.record(who.facilityId, who.guardianId, 'push.unsubscribe', 'ok', {
      endpoint: endpointRef(endpoint),
      removed,
    });
    return reply.code(204).send();
  });
}
