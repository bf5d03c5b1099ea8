import type { z } from 'zod';
import {
  AckSchema,
  decodeJson,
  DeviceResponseSchema,
  describeIssues,
  HubTimeSchema,
  RollcallSchema,
  RosterSchema,
  type ParsedTopic,
  type Roster,
} from '../../../protocol/index.ts';
import { KioskPickupsSchema } from '../../../protocol/parent-pickups.ts';
import type { Logger } from '../../../common/logger.ts';
import { DEFAULT_TIME_ZONE, isValidTimeZone, localDate, type Clock } from '../../../common/time.ts';
import type { HubLink } from '../hub-link.ts';
import type { KioskClock } from '../kiosk-clock.ts';
import type { OutboxSender } from '../sender.ts';
import type { CacheStore } from '../store/cache.ts';
import type { IdentityStore } from '../store/identity.ts';
import type { KioskTransactional } from '../store/kiosk-store.ts';
import type { OutboxStore } from '../store/outbox.ts';
import type { CardEnrolment } from './enrolment.ts';
import type { FacilityState } from './facility.ts';
import type { KioskLifecycle } from './lifecycle.ts';
import type { KioskOutput } from './output.ts';
import type { KioskResync } from './resync.ts';
import type { StatusPublisher } from './status.ts';

export interface HubMessagesOptions {
  deviceId: string;
  logger: Logger;
  clock: Clock;
  store: KioskTransactional & {
    identity: Pick<IdentityStore, 'setFacilityId'>;
    cache: CacheStore;
    outbox: Pick<OutboxStore, 'markAcked' | 'markRejected'>;
  };
  facility: FacilityState;
  link: Pick<HubLink, 'setFacility'>;
  sender: Pick<OutboxSender, 'settled'>;
  time: Pick<KioskClock, 'observeHub' | 'state' | 'read'>;
  output: Pick<KioskOutput, 'emit'>;
  lifecycle: Pick<KioskLifecycle, 'closed' | 'maybeReady'>;
  status: Pick<StatusPublisher, 'publishNow' | 'changed'>;
  enrolment: Pick<CardEnrolment, 'answered'>;
  resync: Pick<KioskResync, 'onRequest'>;
}

/** Parses an inbound MQTT payload against a schema; undefined (and a log line) when invalid. */
function parsePayload<T>(payload: Buffer, schema: z.ZodType<T>, what: string, logger: Logger): T | undefined {
  const r = decodeJson(schema, payload.toString('utf8'));
  if (r.ok) return r.value;
  if (r.problem === 'not_json') logger.warn({ what }, 'ignoring a payload that is not JSON');
  else logger.warn({ what, issue: describeIssues(r.error) }, 'ignoring an invalid payload');
  return undefined;
}

/** What the hub sends the kiosk: roster, roll-call, acknowledgements, request responses and its time. */
export class HubMessages {
  readonly #o: HubMessagesOptions;

  constructor(options: HubMessagesOptions) {
    this.#o = options;
  }

  /** At start: the roster and roll-call cached from an earlier run, so the kiosk works with the hub down. */
  restore(): void {
    const { facility, store } = this.#o;
    if (facility.id === undefined) return;
    const roster = store.cache.loadRoster(facility.id);
    if (roster) this.#adoptRoster(roster.value, false);
    facility.setRollcall(store.cache.loadRollcall(facility.id));
  }

  onMessage(topic: ParsedTopic, payload: Buffer, retained: boolean): void {
    const { lifecycle, facility, deviceId, logger } = this.#o;
    if (lifecycle.closed) return;
    try {
      switch (topic.kind) {
        case 'roster':
          this.#onRoster(topic.facilityId, payload);
          return;
        case 'rollcall':
          this.#onRollcall(topic.facilityId, payload);
          return;
        case 'pickups':
          if (topic.facilityId === facility.id) this.#onPickups(payload);
          return;
        case 'acks':
          if (topic.facilityId === facility.id && topic.deviceId === deviceId) this.#onAcks(payload);
          return;
        case 'responses':
          if (topic.facilityId === facility.id && topic.deviceId === deviceId) this.#onResponse(payload);
          return;
        case 'time':
          if (topic.facilityId === facility.id) this.#onTime(payload, retained);
          return;
        case 'resync':
          if (topic.facilityId === facility.id) this.#o.resync.onRequest(payload);
          return;
        case 'events':
        case 'status':
        case 'requests':
          return;
      }
    } catch (err) {
      logger.error({ err, topicKind: topic.kind }, 'handling a hub message failed');
    }
  }

  #onRoster(topicFacility: string, payload: Buffer): void {
    const { logger, clock, store, facility, link } = this.#o;
    const roster = parsePayload(payload, RosterSchema, 'roster', logger);
    if (!roster) return;
    if (roster.facilityId !== topicFacility) {
      logger.warn({ topicFacility }, 'roster names another facility than its topic; ignored');
      return;
    }
    if (!isValidTimeZone(roster.timeZone)) {
      logger.warn({ facilityId: roster.facilityId }, 'roster has an unknown time zone; ignored');
      return;
    }
    const now = clock.now();
    if (facility.id === undefined) {
      // Bound to the roster's facility and the roster cached in one transaction.
      store.transaction(() => {
        store.identity.setFacilityId(roster.facilityId);
        store.cache.saveRoster(roster, now);
      });
      facility.learn(roster.facilityId);
      facility.setRollcall(store.cache.loadRollcall(roster.facilityId));
      logger.info({ facilityId: roster.facilityId }, 'facility learned from the roster');
      this.#adoptRoster(roster, true);
      void link.setFacility(roster.facilityId).catch((err: unknown) => {
        logger.error({ err }, 'reconnecting for the facility failed');
      });
      return;
    }
    if (roster.facilityId !== facility.id) {
      logger.warn({ facilityId: roster.facilityId }, 'roster of another facility ignored');
      return;
    }
    if (JSON.stringify(roster) === facility.roster?.json) return;
    store.cache.saveRoster(roster, now);
    this.#adoptRoster(roster, true);
  }

  #adoptRoster(roster: Roster, announce: boolean): void {
    this.#o.facility.adopt(roster);
    this.#o.logger.info({ facilityId: roster.facilityId, version: roster.version }, 'roster in use');
    if (announce)
      this.#o.output.emit({ type: 'roster', version: roster.version, children: roster.children.length });
    this.#o.lifecycle.maybeReady();
  }

  #onRollcall(topicFacility: string, payload: Buffer): void {
    const { logger, clock, store, facility, output } = this.#o;
    const rollcall = parsePayload(payload, RollcallSchema, 'rollcall', logger);
    if (!rollcall) return;
    if (rollcall.facilityId !== topicFacility || rollcall.facilityId !== facility.id) {
      logger.warn({ facilityId: rollcall.facilityId }, 'roll-call of another facility ignored');
      return;
    }
    const now = clock.now();
    store.cache.saveRollcall(rollcall, now);
    facility.setRollcall({ value: rollcall, receivedAt: now.toISOString() });
    logger.debug({ date: rollcall.date }, 'roll-call received');
    output.emit({ type: 'rollcall', date: rollcall.date, generatedAt: rollcall.generatedAt });
  }

  /** Today's pickup plans (retained): kept in memory for the tap result; another day's are ignored. */
  #onPickups(payload: Buffer): void {
    const { logger, facility, time } = this.#o;
    const pickups = parsePayload(payload, KioskPickupsSchema, 'pickups', logger);
    if (!pickups) return;
    const today = localDate(time.read().at, facility.roster?.roster.timeZone ?? DEFAULT_TIME_ZONE);
    if (facility.pickups.accept(pickups, today)) {
      logger.info({ plans: pickups.plans.length }, 'pickup plans received');
    } else {
      logger.info({ date: pickups.date, today }, 'pickup plans of another day ignored');
    }
  }

  /** The hub's clock: compared with the kiosk's at connect (retained) and every 15 s. */
  #onTime(payload: Buffer, retained: boolean): void {
    const { logger, time, output, status } = this.#o;
    const hubTime = parsePayload(payload, HubTimeSchema, 'time', logger);
    if (!hubTime) return;
    const change = time.observeHub(new Date(hubTime.now), { retained });
    logger.debug({ skewMs: time.state().skewMs, retained }, 'hub time sample');
    if (!change) return;
    const fields = { skewMs: change.skewMs, corrected: change.corrected };
    if (change.corrected) {
      logger.warn(fields, "kiosk clock is more than 2 minutes off the hub's: stamping with the hub's time");
    } else {
      logger.info(fields, "kiosk clock agrees with the hub's: stamping with its own");
    }
    output.emit({ type: 'clock', ...fields });
    status.publishNow();
  }

  #onAcks(payload: Buffer): void {
    const { logger, clock, store, sender, output, status } = this.#o;
    const ack = parsePayload(payload, AckSchema, 'ack', logger);
    if (!ack) return;
    const acked = store.outbox.markAcked(ack.acked, clock.now());
    const rejected = store.outbox.markRejected(ack.rejected);
    const settled = [...ack.acked];
    for (const r of ack.rejected) {
      if (r.id !== null) settled.push(r.id);
      else logger.error({ code: r.code, message: r.message }, 'hub rejected a whole message');
    }
    sender.settled(settled);
    if (acked.length > 0) {
      logger.debug({ count: acked.length }, 'events acknowledged');
      output.emit({ type: 'acked', ids: acked });
    }
    for (const r of rejected) {
      logger.warn({ eventId: r.id, code: r.code }, 'hub rejected an event; it will not be sent again');
      output.emit({ type: 'rejected', id: r.id, code: r.code, message: r.message });
    }
    if (acked.length > 0 || rejected.length > 0) status.changed();
  }

  #onResponse(payload: Buffer): void {
    const response = parsePayload(payload, DeviceResponseSchema, 'response', this.#o.logger);
    if (response) this.#o.enrolment.answered(response);
  }
}
