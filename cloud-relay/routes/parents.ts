import type { FastifyInstance } from 'fastify';
import type { Logger } from '../../common/logger.ts';
import { loadWebApp, type WebBundle } from '../../common/web-bundle.ts';
import { DEFAULT_PARENT_RATE_LIMIT, type ParentRateLimit } from '../defaults.ts';
import { checkedOrigin, checkedPushContact } from '../option-checks.ts';
import { PushNotifier } from '../push/notifier.ts';
import type { CloudRouteContext } from './context.ts';
import { registerFacilityNotices } from './facility-notices.ts';
import { registerHubParentMessages } from './hub-parent-messages.ts';
import { registerParentApi } from './parent-api.ts';
import { registerParentApp } from './parent-app.ts';
import { ParentAudit } from './parent-audit.ts';
import { registerParentNotices } from './parent-notices.ts';
import { registerParentPickups } from './parent-pickups.ts';
import { ParentNoticeSignal } from './parent-notices-signal.ts';
import { registerParentPush } from './parent-push.ts';
import { registerParentUploads } from './parents-hub.ts';

export interface ParentOptions {
  logger: Logger;
  /** The origin parents use (WebAuthn's expected origin); default each request's own. */
  parentOrigin?: string | undefined;
  /** Rate limit of /parent/api/ per client address; null turns it off (tests). */
  parentRateLimit?: ParentRateLimit | null;
  parentApp?: () => Promise<WebBundle>;
  pushAllowInsecure?: boolean | undefined;
  pushContact?: string | undefined;
}

/**
 * Everything of the parents' app at the cloud (docs/parents.md): the hub's uploads of guardians, the
 * parent API and its sign-in, notices (sent by parents, fetched by the hub by long-poll), Web Push of
 * check-ins and check-outs, and the app itself.
 */
export function registerParents(
  app: FastifyInstance,
  context: CloudRouteContext,
  options: ParentOptions,
): void {
  const { store, clock } = context;
  const logger = options.logger.child({ ns: 'cloud.parents' });
  registerParentUploads(app, context);
  const parentRoutes = registerParentApi(app, context, {
    parentOrigin: checkedOrigin(options.parentOrigin),
    rateLimit: options.parentRateLimit === undefined ? DEFAULT_PARENT_RATE_LIMIT : options.parentRateLimit,
    logger,
  });
  const signal = new ParentNoticeSignal();
  const audit = new ParentAudit(store, clock, logger);
  registerParentNotices(app, context, { parent: parentRoutes, signal, audit, logger });
  registerParentPickups(app, context, { parent: parentRoutes, signal, audit, logger });
  registerHubParentMessages(app, context, signal);
  // Its sends end before the store closes.
  const pushLog = options.logger.child({ ns: 'cloud.push' });
  const push = new PushNotifier({
    store,
    clock,
    logger: pushLog,
    allowInsecure: options.pushAllowInsecure === true,
    contact: checkedPushContact(options.pushContact),
  });
  context.storedEvents.add(push.onStored);
  app.addHook('onClose', () => push.close());
  registerParentPush(app, context, parentRoutes, push, pushLog);
  registerFacilityNotices(app, context, { parent: parentRoutes, signal, audit, push, logger });
  registerParentApp(app, options.parentApp ?? (() => loadWebApp('parent')));
}
