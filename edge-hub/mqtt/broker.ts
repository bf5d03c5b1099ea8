import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Aedes, type Client, type PublishPacket } from 'aedes';
import { GenkanError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { decodeJson, parseTopic, StatusSchema, topics } from '../../protocol/index.ts';
import {
  startBrokerListeners,
  TLS_HANDSHAKE_TIMEOUT_MS,
  type BrokerListeners,
  type Remote,
} from './broker-listeners.ts';
import { deviceLogin, emptyStats, type BrokerStats } from './device-login.ts';
import { addressKey, LoginGuard, type LoginLimits } from './login-guard.ts';
import { guardPacketSize, MAX_PACKET_BYTES } from './packet-guard.ts';
import { DEFAULT_OUTGOING_LIMITS, OutgoingWatch, type OutgoingLimits } from './slow-client.ts';
import type { DeviceRole } from '../store/devices.ts';

export interface BrokerOptions {
  host: string;
  /** MQTT over TLS and MQTT over secure WebSocket, with this certificate chain and key (PEM). */
  tls: { cert: string; key: string };
  mqttsPort: number;
  wssPort: number;
  /** Plain MQTT over TCP and WebSocket (legacy devices on a trusted network): each only when given. */
  mqttPort?: number;
  wsPort?: number;
  facilityId: string;
  logger: Logger;
  /** Checks a device's credentials (username = device id). */
  authenticate: (deviceId: string, password: string) => Promise<boolean>;
  /** The role of a device whose password matched, read at login: only kiosks have an MQTT login. */
  roleOf: (deviceId: string) => DeviceRole | undefined;
  /** An events payload from an authenticated device, on its own events topic (any size up to the packet limit). */
  onEvents: (deviceId: string, payload: Buffer) => void;
  /** A request payload from an authenticated kiosk, on its own requests topic. */
  onRequest: (deviceId: string, payload: Buffer) => void;
  /** A valid status payload a device published on its own status topic (it is also retained as usual). */
  onStatus?: (deviceId: string, payload: Buffer) => void;
  /** An authenticated device's connection opened or closed (for the admin app's device list). */
  onConnection?: (deviceId: string, online: boolean) => void;
  /** Connections sending a larger MQTT packet are dropped (default MAX_PACKET_BYTES). */
  maxPacketBytes?: number;
  /**
   * A device's connection that sent anything within this long is not taken over by a new connection with
   * the same id (30 s): two devices sharing an id do not flap, and a real reconnect after a drop the hub
   * has not noticed waits at most this long.
   */
  takeoverGraceMs?: number;
  /** Limits on logins per source address (login-guard.ts DEFAULT_LOGIN_LIMITS). */
  loginLimits?: Partial<LoginLimits>;
  /** Limits on what waits for a device that does not read (slow-client.ts DEFAULT_OUTGOING_LIMITS). */
  outgoingLimits?: Partial<OutgoingLimits>;
  /** A TLS handshake not done within this is dropped (TLS_HANDSHAKE_TIMEOUT_MS). */
  handshakeTimeoutMs?: number;
}

export interface HubBroker {
  ports: { mqtts: number; wss: number; mqtt?: number; ws?: number };
  /**
   * Publishes as the hub (QoS 1). Errors are logged, never thrown. `done` runs once the message is handed
   * to the subscribers (or dropped), so that a later publish cannot overtake it.
   */
  publish: (topic: string, payload: string | Buffer, retain: boolean, done?: () => void) => void;
  close: () => Promise<void>;
  /** Devices with a live connection (for dropping those removed meanwhile). */
  connectedDevices: () => string[];
  /** Closes a device's connection at once (a removed device); whether it had one. */
  disconnect: (deviceId: string) => boolean;
  /** Refused logins and dropped connections since start (counts only). */
  stats: () => BrokerStats;
}

/** A publish or subscription outside the device's ACL. */
export class AclError extends GenkanError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

const EMPTY = Buffer.alloc(0);

/**
 * The hub's MQTT broker (aedes) on TLS and secure WebSocket (and, asked for, plain TCP and WebSocket).
 * Kiosks log in with their id (as both username and client id) and password and may only touch their own
 * topics:
 *   publish   genkan/v1/F/devices/<self>/events (handed to ingest, never retained or routed as is)
 *             genkan/v1/F/devices/<self>/status (must match StatusSchema)
 *             genkan/v1/F/devices/<self>/requests (handed to the request handler likewise)
 *   subscribe genkan/v1/F/devices/<self>/acks, genkan/v1/F/devices/<self>/responses, genkan/v1/F/rollcall,
 *             genkan/v1/F/roster, genkan/v1/+/roster, genkan/v1/F/time
 * A refused subscription is granted 128; a refused publish closes the connection (aedes' behaviour;
 * MQTT 3.1.1 has no negative PUBACK).
 */
export async function startBroker(options: BrokerOptions): Promise<HubBroker> {
  const { facilityId, logger } = options;
  const maxPacket = options.maxPacketBytes ?? MAX_PACKET_BYTES;
  /** Device id of each authenticated client (the MQTT username, checked against the store). */
  const deviceOf = new WeakMap<Client, string>();
  /** The live session of each device: a newcomer may not take over one that is still heard from. */
  const sessions = new Map<string, Client>();
  /** When each connection last sent anything (a packet, a PINGREQ): what "still heard from" means. */
  const lastHeard = new WeakMap<object, number>();
  const takeoverGraceMs = options.takeoverGraceMs ?? 30_000;

  const stats = emptyStats();
  const guard = new LoginGuard(options.loginLimits);
  const outgoingLimits = { ...DEFAULT_OUTGOING_LIMITS, ...options.outgoingLimits };

  const aedes = await Aedes.createBroker({
    // Authentication is async (scrypt), and a device may send its first packets right after CONNECT.
    queueLimit: 1000,
    // A device whose socket does not drain for 5 s is dropped by aedes itself as well (the OutgoingWatch
    // below drops it first, after the stall time). Until then each message it subscribes to holds one of
    // aedes' delivery slots: enough of them that a few seconds of roll-calls never run out.
    drainTimeout: outgoingLimits.stallMs + 1000,
    concurrency: 1000,
    connectTimeout: 10_000,
    heartbeatInterval: 60_000,
  });

  /** Where each connection comes from (address, port), set when it is accepted. */
  const remoteOf = new WeakMap<Duplex, Remote>();
  /** Each connection not logged in yet holds a slot of its address until it logs in or closes. */
  const pendingSlots = new Map<string, () => void>();
  const slotKey = (remote: Remote) => `${remote.address ?? ''}|${String(remote.port ?? '')}`;
  const admit = (socket: Socket): boolean => {
    const release = guard.open(addressKey(socket.remoteAddress));
    if (release === undefined) {
      stats.connectionsRefused++;
      return false;
    }
    const k = slotKey({ address: socket.remoteAddress, port: socket.remotePort });
    pendingSlots.set(k, release);
    socket.once('close', () => {
      release();
      if (pendingSlots.get(k) === release) pendingSlots.delete(k);
    });
    return true;
  };

  const login = deviceLogin({
    logger,
    authenticate: options.authenticate,
    roleOf: options.roleOf,
    guard,
    stats,
    addressOf: (client) => addressKey(remoteOf.get(client.conn)?.address),
    heldElsewhere: (deviceId) => {
      const live = sessions.get(deviceId);
      const heard = live && !live.closed ? lastHeard.get(live.conn) : undefined;
      return heard !== undefined && Date.now() - heard < takeoverGraceMs;
    },
    onLogin: (client, deviceId) => {
      deviceOf.set(client, deviceId);
      const remote = remoteOf.get(client.conn);
      if (remote === undefined) return;
      const k = slotKey(remote);
      pendingSlots.get(k)?.();
      pendingSlots.delete(k);
    },
  });
  aedes.preConnect = login.preConnect;
  aedes.authenticate = login.authenticate;

  const dropped = (stream: Duplex, reason: string, bufferedBytes: number) => {
    stats.slowClientsDropped++;
    const client = (stream as Duplex & { client?: Client }).client;
    const deviceId = client === undefined ? undefined : deviceOf.get(client);
    logger.warn({ deviceId, reason, bufferedBytes }, 'device dropped: it does not read what the hub sends');
  };
  const outgoing = new OutgoingWatch(outgoingLimits, dropped);
  // Every delivery asks first: one to a device over its buffer bound drops the device instead of queueing.
  aedes.authorizeForward = (client, packet) => (outgoing.admit(client.conn) ? packet : null);

  aedes.authorizePublish = (client, packet, done) => {
    const deviceId = client ? deviceOf.get(client) : undefined;
    const t = parseTopic(packet.topic);
    if (deviceId === undefined || t?.facilityId !== facilityId || t.deviceId !== deviceId) {
      done(new AclError(`publishing to ${packet.topic} is not allowed`));
      return;
    }
    switch (t.kind) {
      case 'events': {
        const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
        options.onEvents(deviceId, payload);
        // The hub consumes events; what aedes routes on is an empty, non-retained husk, so that no event
        // lingers on the broker (nobody may subscribe to it anyway).
        packet.retain = false;
        packet.payload = EMPTY;
        done(null);
        return;
      }
      case 'requests': {
        const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
        options.onRequest(deviceId, payload);
        // As with events: the hub consumes the request, nothing lingers or is routed.
        packet.retain = false;
        packet.payload = EMPTY;
        done(null);
        return;
      }
      case 'status': {
        if (!isValidStatus(packet.payload)) {
          done(new AclError(`status of ${deviceId} does not match the status schema`));
          return;
        }
        options.onStatus?.(
          deviceId,
          typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload,
        );
        done(null);
        return;
      }
      case 'acks':
      case 'responses':
      case 'rollcall':
      case 'roster':
      case 'pickups':
      case 'time':
      case 'resync':
        done(new AclError(`publishing to ${packet.topic} is not allowed`));
        return;
    }
  };

  aedes.authorizeSubscribe = (client, sub, done) => {
    const deviceId = deviceOf.get(client);
    const allowed =
      deviceId !== undefined &&
      (sub.topic === topics.acks(facilityId, deviceId) ||
        sub.topic === topics.responses(facilityId, deviceId) ||
        sub.topic === topics.rollcall(facilityId) ||
        sub.topic === topics.roster(facilityId) ||
        sub.topic === topics.pickups(facilityId) ||
        sub.topic === topics.time(facilityId) ||
        sub.topic === topics.resync(facilityId) ||
        sub.topic === topics.anyRoster);
    if (!allowed) logger.warn({ deviceId, topic: sub.topic }, 'subscription refused');
    // null negates the subscription: the SUBACK grants 128 and the connection stays.
    done(null, allowed ? sub : null);
  };

  aedes.on('client', (client) => {
    const deviceId = deviceOf.get(client);
    logger.debug({ deviceId }, 'device connected');
    if (deviceId === undefined) return;
    sessions.set(deviceId, client);
    options.onConnection?.(deviceId, true);
  });
  aedes.on('clientDisconnect', (client) => {
    const deviceId = deviceOf.get(client);
    logger.debug({ deviceId }, 'device disconnected');
    if (deviceId === undefined) return;
    if (sessions.get(deviceId) === client) sessions.delete(deviceId);
    options.onConnection?.(deviceId, false);
  });
  aedes.on('clientError', (client, err) => {
    const deviceId = deviceOf.get(client);
    if (err instanceof AclError)
      logger.warn({ deviceId, code: err.code, err: err.message }, 'device refused');
    else if (err.message === 'drain timeout') {
      // aedes' own backstop for a connection that stopped reading (drainTimeout above).
      stats.slowClientsDropped++;
      logger.warn(
        { deviceId, reason: 'drain_timeout' },
        'device dropped: it does not read what the hub sends',
      );
    } else logger.debug({ deviceId, err: err.message }, 'client connection error');
  });
  aedes.on('connectionError', (_client, err) => {
    logger.debug({ err: err.message }, 'connection error before login');
  });

  const onOversizedPacket = (declared: number) => {
    logger.warn({ bytes: declared, limit: maxPacket }, 'connection dropped: MQTT packet too large');
  };
  const accept = (stream: Duplex, remote: Remote, req?: Parameters<Aedes['handle']>[1]) => {
    remoteOf.set(stream, remote);
    aedes.handle(stream, req);
    guardPacketSize(stream, maxPacket, onOversizedPacket);
    // After aedes.handle, as the guard: a 'data' listener on a stream nobody reads yet would start it
    // flowing and drop what came before aedes listens.
    lastHeard.set(stream, Date.now());
    stream.on('data', () => lastHeard.set(stream, Date.now()));
    outgoing.watch(stream);
  };

  const closeAedes = () =>
    new Promise<void>((resolve) => {
      aedes.close(() => {
        resolve();
      });
    });
  let listeners: BrokerListeners;
  try {
    listeners = await startBrokerListeners({
      host: options.host,
      tls: options.tls,
      mqttsPort: options.mqttsPort,
      wssPort: options.wssPort,
      ...(options.mqttPort !== undefined && { mqttPort: options.mqttPort }),
      ...(options.wsPort !== undefined && { wsPort: options.wsPort }),
      maxWebSocketMessage: maxPacket + 5,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? TLS_HANDSHAKE_TIMEOUT_MS,
      logger,
      admit,
      accept,
    });
  } catch (err) {
    outgoing.stop();
    await closeAedes();
    throw err;
  }
  const { ports } = listeners;

  let closing = false;
  const close = async () => {
    closing = true;
    outgoing.stop();
    await closeAedes();
    await listeners.close();
  };

  return {
    ports,
    publish: (topic, payload, retain, done) => {
      // During shutdown: devices resend what was not acked, and the roll-call is republished at start.
      if (closing) {
        done?.();
        return;
      }
      const packet: PublishPacket = {
        cmd: 'publish',
        topic,
        payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
        qos: 1,
        retain,
        dup: false,
      };
      aedes.publish(packet, (err) => {
        if (err) logger.error({ err, topic }, 'publish failed');
        done?.();
      });
    },
    close,
    connectedDevices: () => [...sessions.keys()],
    disconnect: (deviceId) => {
      const client = sessions.get(deviceId);
      if (client === undefined) return false;
      logger.warn({ deviceId }, 'device disconnected: it was removed');
      client.close();
      return true;
    },
    stats: () => ({ ...stats }),
  };
}

function isValidStatus(payload: Buffer | string): boolean {
  return decodeJson(StatusSchema, typeof payload === 'string' ? payload : payload.toString('utf8')).ok;
}
