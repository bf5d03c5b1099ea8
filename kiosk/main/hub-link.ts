import { connect, type IClientOptions, type ISubscriptionMap, type MqttClient } from 'mqtt';
import { parseTopic, topics, type DeviceStatus, type ParsedTopic } from '../../protocol/index.ts';
import { withTimeout } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { KIOSK_DEFAULTS } from './defaults.ts';
import { KioskError } from './errors.ts';
import { pinnedTls } from './pairing-tls.ts';

export interface HubLinkOptions {
  /** mqtts:// (or mqtt:// to a --plain hub, ws(s):// likewise). */
  url: string;
  /** PEM of the pinned hub CA: trusted alone, and the hub's identity (no host name check). */
  ca?: string;
  deviceId: string;
  password: string;
  logger: Logger;
  reconnectPeriodMs: number;
  connectTimeoutMs: number;
  keepaliveSeconds: number;
  /** A link silent this long sends a PINGREQ (again every as long while silent); 1 s by default. */
  pingAfterMs?: number;
  /** A link silent this long although pinged counts as dead and is remade; 3 s by default. */
  silenceMs?: number;
}

export interface HubLinkHandlers {
  /** Subscribed to acks, responses, roster, roll-call, pickups and time, and announced online. */
  online(): void;
  /** A connection that was online is gone (the link reconnects by itself). */
  offline(): void;
  /**
   * A message on one of the subscribed topics, its topic already parsed; `retained` when the broker
   * delivered a stored message at subscribe rather than a live one.
   */
  message(topic: ParsedTopic, payload: Buffer, retained: boolean): void;
  /** The status to announce now (retained). */
  status(): DeviceStatus;
}

/** The retained status the broker publishes for us if we vanish without saying goodbye. */
export const LAST_WILL: DeviceStatus = { online: false };

const CLOSE_TIMEOUT_MS = 2000;
/** How often the liveness check looks at the link. */
const LIVENESS_TICK_MS = 250;

/**
 * The kiosk's MQTT connection to the hub: MQTT 3.1.1, clean session, reconnecting every ~1 s for ever.
 * Subscriptions are made on every connection (clean sessions keep none). While the facility is unknown
 * it only listens for rosters on genkan/v1/+/roster; once the agent learns the facility the connection
 * is remade, because the last will (the status topic) names the facility and is fixed at connect time.
 *
 * Liveness: a hub process that is frozen (SIGSTOP, a hung VM) keeps its TCP connection open and silent,
 * which MQTT's own keepalive notices only after 1.5 × 15 s. So while connected the link pings whenever
 * the hub has been silent for pingAfterMs, and drops a connection silent for silenceMs despite the pings
 * (docs/kiosk.md, "The hub link").
 */
export class HubLink {
  readonly #options: HubLinkOptions;
  readonly #handlers: HubLinkHandlers;
  readonly #logger: Logger;
  #client: MqttClient | undefined;
  #facilityId: string | undefined;
  /** Bumped whenever the client is replaced, so stale callbacks of an old client do nothing. */
  #generation = 0;
  #online = false;
  #closed = false;
  #failures = 0;

  constructor(options: HubLinkOptions, handlers: HubLinkHandlers) {
    this.#options = options;
    this.#handlers = handlers;
    this.#logger = options.logger;
  }

  get online(): boolean {
    return this.#online;
  }

  get facilityId(): string | undefined {
    return this.#facilityId;
  }

  start(facilityId: string | undefined): void {
    this.#facilityId = facilityId;
    this.#connect();
  }

  /** Switches to a facility learned from a roster: reconnects with the facility's last will. */
  async setFacility(facilityId: string): Promise<void> {
    if (this.#closed || facilityId === this.#facilityId) return;
    this.#facilityId = facilityId;
    const old = this.#client;
    this.#client = undefined;
    this.#generation++;
    this.#setOffline();
    if (old) await old.endAsync(true);
    // close() may have run while the old client was ending.
    if (!this.#isClosed()) this.#connect();
  }

  /** Publishes an events message (QoS 1). False when not online: the outbox keeps it for later. */
  publishEvents(payload: string): boolean {
    const client = this.#client;
    const facility = this.#facilityId;
    if (!this.#online || !client || facility === undefined) return false;
    client.publish(topics.events(facility, this.#options.deviceId), payload, { qos: 1 }, (err) => {
      // Not fatal: the event stays in the outbox and is sent again on the ack timeout or reconnect.
      if (err) this.#logger.debug({ err }, 'events publish not confirmed');
    });
    return true;
  }

  /**
   * Publishes a request to the hub on the device's requests topic (QoS 1); its answer arrives as a
   * `responses` message. False when not online.
   */
  publishRequest(payload: string): boolean {
    const client = this.#client;
    const facility = this.#facilityId;
    if (!this.#online || !client || facility === undefined) return false;
    client.publish(topics.requests(facility, this.#options.deviceId), payload, { qos: 1 }, (err) => {
      // The requester's own timeout reports it; nothing else to do here.
      if (err) this.#logger.debug({ err }, 'request publish not confirmed');
    });
    return true;
  }

  publishStatus(status: DeviceStatus): void {
    const client = this.#client;
    const facility = this.#facilityId;
    if (!client?.connected || facility === undefined) return;
    client.publish(
      topics.status(facility, this.#options.deviceId),
      JSON.stringify(status),
      { qos: 1, retain: true },
      (err) => {
        if (err) this.#logger.debug({ err }, 'status publish not confirmed');
      },
    );
  }

  /** Says goodbye (retained offline status) when connected, then disconnects for good. */
  async close(finalStatus: DeviceStatus): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#generation++;
    this.#setOffline();
    const client = this.#client;
    const facility = this.#facilityId;
    if (!client) return;
    if (client.connected && facility !== undefined) {
      // A connection that dies meanwhile would hold the publish until the timeout: give up at once.
      const lost = new Promise<never>((_, reject) => {
        client.once('close', () => {
          reject(new KioskError('connection_lost', 'connection lost while closing'));
        });
      });
      lost.catch(() => undefined);
      try {
        const goodbye = client.publishAsync(
          topics.status(facility, this.#options.deviceId),
          JSON.stringify(finalStatus),
          { qos: 1, retain: true },
        );
        await withTimeout(Promise.race([goodbye, lost]), CLOSE_TIMEOUT_MS, 'offline status publish');
        await withTimeout(Promise.race([client.endAsync(), lost]), CLOSE_TIMEOUT_MS, 'disconnect');
        return;
      } catch (err) {
        this.#logger.info({ err }, 'could not say goodbye to the hub; disconnecting anyway');
      }
    }
    await client.endAsync(true);
  }

  #connect(): void {
    const { deviceId, password, url } = this.#options;
    const facility = this.#facilityId;
    const generation = ++this.#generation;
    const options: IClientOptions = {
      protocolVersion: 4,
      clean: true,
      clientId: deviceId,
      username: deviceId,
      password,
      reconnectPeriod: this.#options.reconnectPeriodMs,
      connectTimeout: this.#options.connectTimeoutMs,
      keepalive: this.#options.keepaliveSeconds,
      // Subscriptions are made by #onConnect on every connection; a refused login is retried too.
      resubscribe: false,
      reconnectOnConnackError: true,
      queueQoSZero: false,
      ...(this.#options.ca !== undefined && pinnedTls(this.#options.ca)),
    };
    if (facility !== undefined) {
      options.will = {
        topic: topics.status(facility, deviceId),
        payload: Buffer.from(JSON.stringify(LAST_WILL)),
        qos: 1,
        retain: true,
      };
    }
    const client = connect(url, options);
    this.#client = client;
    const current = () => generation === this.#generation;
    client.on('connect', () => {
      if (current()) void this.#onConnect(client, current);
    });
    this.#watchLiveness(client, current);
    client.on('close', () => {
      if (current()) this.#setOffline();
    });
    client.on('message', (topic, payload, packet) => {
      if (!current()) return;
      const parsed = parseTopic(topic);
      if (parsed) this.#handlers.message(parsed, payload, packet.retain);
      else this.#logger.warn({ topic }, 'message on an unexpected topic ignored');
    });
    client.on('error', (err) => {
      // While the hub is down this repeats every second; say it once, then quietly.
      this.#failures++;
      if (this.#failures === 1) this.#logger.warn({ err }, 'hub connection failed; retrying');
      else this.#logger.debug({ err }, 'hub connection failed; retrying');
    });
  }

  async #onConnect(client: MqttClient, current: () => boolean): Promise<void> {
    this.#failures = 0;
    const facility = this.#facilityId;
    const { deviceId } = this.#options;
    const subscriptions: ISubscriptionMap =
      facility === undefined
        ? { [topics.anyRoster]: { qos: 1 } }
        : {
            [topics.acks(facility, deviceId)]: { qos: 1 },
            [topics.responses(facility, deviceId)]: { qos: 1 },
            [topics.roster(facility)]: { qos: 1 },
            [topics.rollcall(facility)]: { qos: 1 },
            // Today's pickup plans for the tap result (retained; a hub without it refuses: no plans shown).
            [topics.pickups(facility)]: { qos: 1 },
            // QoS 0: a lost sample is replaced by the next one 15 s later.
            [topics.time(facility)]: { qos: 0 },
            // A restored hub's request to resend (retained; protocol/resync.ts).
            [topics.resync(facility)]: { qos: 1 },
          };
    try {
      const granted = await client.subscribeAsync(subscriptions);
      for (const g of granted) {
        if (g.qos !== 128) continue;
        // A hub older than the resync or pickups topic refuses it; it never sends one either.
        if (
          facility !== undefined &&
          (g.topic === topics.resync(facility) || g.topic === topics.pickups(facility))
        ) {
          this.#logger.debug({ topic: g.topic }, 'hub has no such topic');
        } else {
          this.#logger.error({ topic: g.topic }, 'hub refused a subscription');
        }
      }
    } catch (err) {
      // The connection dropped while subscribing; the next connection tries again.
      this.#logger.debug({ err }, 'subscribing failed');
      return;
    }
    if (!current() || !client.connected) return;
    this.#logger.info({ facilityId: facility ?? null }, 'connected to hub');
    // Without a facility there is nothing to announce yet: the agent learns it from the roster.
    if (facility === undefined) return;
    this.publishStatus(this.#handlers.status());
    this.#online = true;
    this.#handlers.online();
  }

  /**
   * Per connection, from CONNACK to close: any packet from the hub (a PUBACK, a message, a PINGRESP)
   * counts as a sign of life. A silent link is pinged; one that stays silent is declared dead through
   * mqtt.js's own keepalive path (the socket is destroyed and the client reconnects as usual).
   */
  #watchLiveness(client: MqttClient, current: () => boolean): void {
    const pingAfterMs = this.#options.pingAfterMs ?? KIOSK_DEFAULTS.hubPingAfterMs;
    const silenceMs = this.#options.silenceMs ?? KIOSK_DEFAULTS.hubSilenceMs;
    let heard = 0;
    let pinged = 0;
    let ticked = 0;
    let timer: NodeJS.Timeout | undefined;
    const stop = () => {
      clearInterval(timer);
      timer = undefined;
    };
    const tick = () => {
      const now = performance.now();
      const late = now - ticked > 2 * LIVENESS_TICK_MS;
      ticked = now;
      if (!current() || !client.connected) {
        stop();
        return;
      }
      const silent = now - heard;
      // After a stall of this process, packets may be waiting unread in the socket: judge next tick.
      if (silent >= silenceMs && !late) {
        stop();
        this.#logger.warn({ silentMs: Math.round(silent) }, 'hub stopped answering; reconnecting');
        this.#setOffline();
        client.onKeepaliveTimeout();
        return;
      }
      if (silent >= pingAfterMs && now - pinged >= pingAfterMs) {
        pinged = now;
        client.sendPing();
      }
    };
    client.on('packetreceive', () => {
      heard = performance.now();
    });
    client.on('connect', () => {
      stop();
      heard = ticked = pinged = performance.now();
      timer = setInterval(tick, LIVENESS_TICK_MS);
      timer.unref();
    });
    client.on('close', stop);
  }

  #isClosed(): boolean {
    return this.#closed;
  }

  #setOffline(): void {
    if (!this.#online) return;
    this.#online = false;
    this.#logger.info('disconnected from hub');
    this.#handlers.offline();
  }
}
