import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import {
  createServer as createNetServer,
  type AddressInfo,
  type Server as NetServer,
  type Socket,
} from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AuthenticateError, type Client, type PublishPacket } from 'aedes';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { GenkanError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { decodeJson, parseTopic, StatusSchema, topics } from '../../protocol/index.ts';
import { guardPacketSize, MAX_PACKET_BYTES } from './packet-guard.ts';
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
}

/** A publish or subscription outside the device's ACL. */
export class AclError extends GenkanError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

const EMPTY = Buffer.alloc(0);

/**
 * CONNACK return codes of MQTT 3.1.1: 2 identifier rejected, 3 server unavailable, 4 bad user name or
 * password, 5 not authorised.
 */
function authError(returnCode: 2 | 3 | 4 | 5, message: string): AuthenticateError {
  // aedes declares the codes as an ambient const enum, which isolatedModules cannot reference by name.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
  return Object.assign(new GenkanError('unauthorized', message), { returnCode });
}

function listen(server: NetServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: NetServer): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => {
      resolve();
    });
  });
}

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

  const aedes = await Aedes.createBroker({
    // Authentication is async (scrypt), and a device may send its first packets right after CONNECT.
    queueLimit: 1000,
    drainTimeout: 30_000,
    heartbeatInterval: 60_000,
  });

  aedes.authenticate = (client, username, password, done) => {
    if (username === undefined || username === '' || password === undefined) {
      done(authError(5, 'anonymous connections are not allowed'), null);
      return;
    }
    // Checked before the password and before aedes looks for a session to take over (that happens only
    // after a successful login), so a refused connection leaves the device's live session alone.
    if (client.id !== username) {
      logger.warn(
        { deviceId: username.slice(0, 64) },
        'device login refused: client id is not the device id',
      );
      done(authError(2, 'the client id must be the device id'), null);
      return;
    }
    options.authenticate(username, password.toString('utf8')).then(
      (ok) => {
        const role = ok ? options.roleOf(username) : undefined;
        if (role === undefined) {
          logger.warn({ deviceId: username.slice(0, 64) }, 'device login refused');
          done(authError(4, 'bad device id or password'), null);
          return;
        }
        // Tablets work over the staff-authenticated HTTP paths only: a tablet's password is no way around
        // the staff PIN (and tablets paired before this rule still hold one).
        if (role !== 'kiosk') {
          logger.warn({ deviceId: username }, 'device login refused: tablets have no MQTT login');
          done(authError(5, 'tablets have no MQTT login'), null);
          return;
        }
        // Two devices given the same id would throw each other off for ever: the one connected stays while
        // it is heard from. A device reconnecting after a drop the hub has not noticed yet gets in once its
        // old connection has been silent for the grace (a kiosk pings after 1 s of silence).
        const live = sessions.get(username);
        const heard = live && !live.closed ? lastHeard.get(live.conn) : undefined;
        if (heard !== undefined && Date.now() - heard < takeoverGraceMs) {
          logger.error(
            { deviceId: username },
            'device login refused: this device id is connected already (two devices sharing one id?)',
          );
          done(authError(2, 'this device id is connected already'), null);
          return;
        }
        deviceOf.set(client, username);
        done(null, true);
      },
      (err: unknown) => {
        logger.error({ err, deviceId: username.slice(0, 64) }, 'device authentication failed');
        done(authError(3, 'authentication unavailable'), null);
      },
    );
  };

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
      case 'time':
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
        sub.topic === topics.time(facilityId) ||
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
    else logger.debug({ deviceId, err: err.message }, 'client connection error');
  });
  aedes.on('connectionError', (_client, err) => {
    logger.debug({ err: err.message }, 'connection error before login');
  });

  const sockets = new Set<Duplex>();
  const onOversizedPacket = (declared: number) => {
    logger.warn({ bytes: declared, limit: maxPacket }, 'connection dropped: MQTT packet too large');
  };
  const refuseHttp = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket only\n');
  };
  /** MQTT over WebSocket on an HTTP(S) server; ws enforces the packet bound per message (close code 1009). */
  const webSocketServer = (server: HttpServer) => {
    const wss = new WebSocketServer({ server, maxPayload: maxPacket + 5 });
    wss.on('connection', (socket, req) => {
      const stream = createWebSocketStream(socket);
      stream.on('error', (err) => {
        logger.debug({ err: err.message }, 'websocket stream error');
      });
      accept(stream, req);
    });
    wss.on('error', (err) => {
      logger.error({ err }, 'websocket server error');
    });
    return wss;
  };
  const accept = (stream: Duplex, req?: Parameters<Aedes['handle']>[1]) => {
    sockets.add(stream);
    stream.once('close', () => sockets.delete(stream));
    aedes.handle(stream, req);
    guardPacketSize(stream, maxPacket, onOversizedPacket);
    // After aedes.handle, as the guard: a 'data' listener on a stream nobody reads yet would start it
    // flowing and drop what came before aedes listens.
    lastHeard.set(stream, Date.now());
    stream.on('data', () => lastHeard.set(stream, Date.now()));
  };

  // No Nagle: an ack written right after a PUBACK would otherwise wait for the device's delayed ACK
  // (about 40 ms per round trip measured on loopback).
  const mqtts = createTlsServer({ ...options.tls, noDelay: true }, (socket) => {
    accept(socket);
  });
  // A client speaking plain MQTT (or anything but TLS) to the TLS port fails its handshake: dropped.
  mqtts.on('tlsClientError', (err) => {
    logger.debug({ err: err.message }, 'TLS handshake failed');
  });
  const wssHttp = createHttpsServer({ ...options.tls, noDelay: true }, refuseHttp);
  wssHttp.on('tlsClientError', (err) => {
    logger.debug({ err: err.message }, 'TLS handshake failed');
  });
  const tcp =
    options.mqttPort === undefined
      ? undefined
      : createNetServer({ noDelay: true }, (socket: Socket) => {
          accept(socket);
        });
  const wsHttp = options.wsPort === undefined ? undefined : createHttpServer(refuseHttp);
  const webSockets = [wssHttp, wsHttp].flatMap((server) => (server ? [webSocketServer(server)] : []));
  const servers: NetServer[] = [mqtts, wssHttp, ...(tcp ? [tcp] : []), ...(wsHttp ? [wsHttp] : [])];

  let closing = false;
  const close = async () => {
    closing = true;
    await new Promise<void>((resolve) => {
      aedes.close(() => {
        resolve();
      });
    });
    for (const s of sockets) s.destroy();
    for (const wss of webSockets) {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    }
    wssHttp.closeAllConnections();
    wsHttp?.closeAllConnections();
    await Promise.all(servers.map(closeServer));
  };

  let ports: HubBroker['ports'];
  try {
    ports = {
      mqtts: await listen(mqtts, options.mqttsPort, options.host),
      wss: await listen(wssHttp, options.wssPort, options.host),
    };
    if (tcp && options.mqttPort !== undefined) ports.mqtt = await listen(tcp, options.mqttPort, options.host);
    if (wsHttp && options.wsPort !== undefined) ports.ws = await listen(wsHttp, options.wsPort, options.host);
  } catch (err) {
    await close();
    throw err;
  }

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
  };
}

function isValidStatus(payload: Buffer | string): boolean {
  return decodeJson(StatusSchema, typeof payload === 'string' ? payload : payload.toString('utf8')).ok;
}
