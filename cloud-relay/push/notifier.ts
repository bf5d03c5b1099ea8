import type { Logger } from '../../common/logger.ts';
import { localDate, type Clock } from '../../common/time.ts';
import type { AttendanceEvent } from '../../protocol/index.ts';
import type { ParentPushPayload } from '../../protocol/parent-push.ts';
import type { ParentPushSubscription } from '../store/push-types.ts';
import type { CloudStore } from '../store/types.ts';
import { endpointAllowed, endpointRef } from './endpoint.ts';
import { isToday, newsOf, pushPayload, type NewsEvent } from './message.ts';
import { PushQueue } from './queue.ts';
import { sendPush, type PushSendOptions, type PushTransport } from './transport.ts';
import { VapidSource } from './vapid.ts';

/** A check-in is news for an hour: a phone offline longer gets nothing rather than stale news. */
export const PUSH_TTL_S = 3600;
export const PUSH_TIMEOUT_MS = 10_000;
export const PUSH_CONCURRENCY = 4;
export const PUSH_QUEUE_MAX = 10_000;
/** How long close() waits for sends in flight. */
export const PUSH_CLOSE_BOUND_MS = 5_000;

export interface PushNotifierOptions {
  store: CloudStore;
  clock: Clock;
  logger: Logger;
  /** Sends to plain http and local endpoints too (--push-insecure-endpoints: tests, local development). */
  allowInsecure: boolean;
  /** The VAPID contact (--push-contact); undefined: the one stored with the keys. */
  contact: string | undefined;
  transport?: PushTransport;
  timeoutMs?: number;
  concurrency?: number;
  maxWaiting?: number;
}

/** Per child, the latest of the events: on the phone a newer notification of a child replaces the older. */
function latestPerChild(events: readonly NewsEvent[]): NewsEvent[] {
  const latest = new Map<string, NewsEvent>();
  for (const e of events) {
    const seen = latest.get(e.childId);
    if (seen === undefined || Date.parse(seen.occurredAt) <= Date.parse(e.occurredAt))
      latest.set(e.childId, e);
  }
  return [...latest.values()];
}

/**
 * Web Push of check-ins and check-outs to parents (issue 17): told of each batch's newly stored events
 * (StoredEvents), it sends each of today's check-ins and check-outs to the subscriptions of the child's
 * guardians (not revoked), in the background with a few sends at a time. Best effort by nature: a
 * message may be late, dropped by a full queue or a push service, or never shown; the parent page stays
 * the source of truth. A subscription the push service calls gone (404, 410) is deleted; other failures
 * are counted on it and logged by code, naming the endpoint only by a hash prefix.
 */
export class PushNotifier {
  readonly vapid: VapidSource;
  readonly allowInsecure: boolean;
  private readonly store: CloudStore;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly queue: PushQueue;
  private readonly transport: PushTransport;
  private readonly timeoutMs: number;
  private closed = false;

  constructor(options: PushNotifierOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.log = options.logger;
    this.allowInsecure = options.allowInsecure;
    this.transport = options.transport ?? sendPush;
    this.timeoutMs = options.timeoutMs ?? PUSH_TIMEOUT_MS;
    this.vapid = new VapidSource(options.store.push, options.clock, options.contact);
    this.queue = new PushQueue({
      concurrency: options.concurrency ?? PUSH_CONCURRENCY,
      maxWaiting: options.maxWaiting ?? PUSH_QUEUE_MAX,
      logger: options.logger,
    });
  }

  /** The StoredEvents listener: returns at once, the work is queued. */
  readonly onStored = (facilityId: string, events: readonly AttendanceEvent[]): void => {
    const news = newsOf(events);
    if (news.length > 0) this.queue.add(() => this.fanOut(facilityId, news));
  };

  /**
   * Queues one message to every subscription of the guardians (a facility notice to its recipients);
   * returns at once. The caller makes sure a message is sent once (FacilityNoticeStore.claimPush).
   */
  notifyGuardians(facilityId: string, guardianIds: readonly string[], payload: ParentPushPayload): void {
    if (this.closed || guardianIds.length === 0) return;
    const text = JSON.stringify(payload);
    this.queue.add(async () => {
      for (const guardianId of new Set(guardianIds)) {
        const subscriptions = await this.store.push.subscriptionsOf({ facilityId, guardianId });
        for (const subscription of subscriptions) this.queue.add(() => this.send(subscription, text));
      }
    });
  }

  /** Stops taking news and waits (bounded) for the sends in flight; call before the store closes. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue.close(PUSH_CLOSE_BOUND_MS);
  }

  /** Finds the recipients of a batch's news of today and queues one send per subscription. */
  private async fanOut(facilityId: string, news: readonly NewsEvent[]): Promise<void> {
    const facility = await this.store.getFacility(facilityId);
    if (facility === undefined) return;
    const { timeZone } = facility;
    const today = localDate(this.clock.now(), timeZone);
    const todays = latestPerChild(news.filter((e) => isToday(e, today, timeZone)));
    if (todays.length === 0) return;
    const snapshot = await this.store.getSnapshot(facilityId, today);
    for (const event of todays) {
      const subscriptions = await this.store.push.subscriptionsForChild(facilityId, event.childId);
      if (subscriptions.length === 0) continue;
      const payload = JSON.stringify(pushPayload(event, snapshot, timeZone));
      for (const subscription of subscriptions) this.queue.add(() => this.send(subscription, payload));
    }
  }

  private async send(subscription: ParentPushSubscription, payload: string): Promise<void> {
    const { facilityId, endpoint } = subscription;
    const ref = endpointRef(endpoint);
    // Stored while --push-insecure-endpoints was on: not sent to without it.
    if (!endpointAllowed(endpoint, this.allowInsecure)) {
      this.log.debug({ facilityId, endpoint: ref }, 'push endpoint not allowed: skipped');
      return;
    }
    const options: PushSendOptions = {
      vapid: await this.vapid.keys(),
      ttlSeconds: PUSH_TTL_S,
      urgency: 'high',
      timeoutMs: this.timeoutMs,
    };
    const outcome = await this.transport(subscription, payload, options);
    // Shutting down: the store may be closing; the outcome is not worth an error.
    if (this.closed) return;
    if ('error' in outcome) {
      await this.store.push.pushFailed(facilityId, endpoint);
      this.log.warn({ facilityId, endpoint: ref, code: outcome.error }, 'push not sent');
    } else if (outcome.status >= 200 && outcome.status < 300) {
      await this.store.push.pushDelivered(facilityId, endpoint, this.clock.now());
      this.log.debug({ facilityId, endpoint: ref, status: outcome.status }, 'push sent');
    } else if (outcome.status === 404 || outcome.status === 410) {
      await this.store.push.removeEndpoint(facilityId, endpoint);
      this.log.info({ facilityId, endpoint: ref, status: outcome.status }, 'push subscription gone: deleted');
    } else {
      await this.store.push.pushFailed(facilityId, endpoint);
      this.log.warn(
        { facilityId, endpoint: ref, status: outcome.status },
        'push refused by the push service',
      );
    }
  }
}
