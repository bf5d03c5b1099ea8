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
import { createWebSocketStream, WebSocketServer } from 'ws';
import type { Logger } from '../../common/logger.ts';

/** A TLS handshake not finished within this is dropped (Node's default is 120 s). */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/** Where a connection comes from (undefined once its socket is gone). */
export interface Remote {
  address: string | undefined;
  port: number | undefined;
}

export interface BrokerListenerOptions {
  host: string;
  tls: { cert: string; key: string };
  mqttsPort: number;
  wssPort: number;
  mqttPort?: number;
  wsPort?: number;
  /** Largest WebSocket message (the MQTT packet bound plus its header). */
  maxWebSocketMessage: number;
  handshakeTimeoutMs: number;
  logger: Logger;
  /** A new TCP connection, before any TLS handshake: false drops it unanswered. */
  admit: (socket: Socket) => boolean;
  /** A connection ready to speak MQTT (after TLS, after the WebSocket upgrade) and where it comes from. */
  accept: (stream: Duplex, remote: Remote, req?: IncomingMessage) => void;
}

export interface BrokerListeners {
  ports: { mqtts: number; wss: number; mqtt?: number; ws?: number };
  /** Stops listening and destroys every connection. */
  close: () => Promise<void>;
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

/** MQTT over TLS and secure WebSocket, and (asked for) plain TCP and WebSocket, for the broker. */
export async function startBrokerListeners(options: BrokerListenerOptions): Promise<BrokerListeners> {
  const { logger } = options;
  const sockets = new Set<Duplex>();
  const accept: BrokerListenerOptions['accept'] = (stream, remote, req) => {
    sockets.add(stream);
    stream.once('close', () => sockets.delete(stream));
    options.accept(stream, remote, req);
  };
  const refuseHttp = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket only\n');
  };
  /** MQTT over WebSocket on an HTTP(S) server; ws enforces the packet bound per message (close code 1009). */
  const webSocketServer = (server: HttpServer) => {
    const wss = new WebSocketServer({ server, maxPayload: options.maxWebSocketMessage });
    wss.on('connection', (socket, req) => {
      const stream = createWebSocketStream(socket);
      stream.on('error', (err) => {
        logger.debug({ err: err.message }, 'websocket stream error');
      });
      accept(stream, { address: req.socket.remoteAddress, port: req.socket.remotePort }, req);
    });
    wss.on('error', (err) => {
      logger.error({ err }, 'websocket server error');
    });
    return wss;
  };
  /** Every listener admits its raw connections first, so a refused one costs no handshake. */
  const admitting = <S extends NetServer>(server: S): S => {
    server.on('connection', (socket: Socket) => {
      if (!options.admit(socket)) socket.destroy();
    });
    return server;
  };
  const tlsOptions = { ...options.tls, handshakeTimeout: options.handshakeTimeoutMs };

  // No Nagle: an ack written right after a PUBACK would otherwise wait for the device's delayed ACK
  // (about 40 ms per round trip measured on loopback).
  const mqtts = admitting(
    createTlsServer({ ...tlsOptions, noDelay: true }, (socket) => {
      accept(socket, { address: socket.remoteAddress, port: socket.remotePort });
    }),
  );
  // A client speaking plain MQTT (or anything but TLS) to the TLS port fails its handshake: dropped.
  mqtts.on('tlsClientError', (err) => {
    logger.debug({ err: err.message }, 'TLS handshake failed');
  });
  const wssHttp = admitting(createHttpsServer({ ...tlsOptions, noDelay: true }, refuseHttp));
  wssHttp.on('tlsClientError', (err) => {
    logger.debug({ err: err.message }, 'TLS handshake failed');
  });
  const tcp =
    options.mqttPort === undefined
      ? undefined
      : admitting(
          createNetServer({ noDelay: true }, (socket: Socket) => {
            accept(socket, { address: socket.remoteAddress, port: socket.remotePort });
          }),
        );
  const wsHttp = options.wsPort === undefined ? undefined : admitting(createHttpServer(refuseHttp));
  const webSockets = [wssHttp, wsHttp].flatMap((server) => (server ? [webSocketServer(server)] : []));
  const servers: NetServer[] = [mqtts, wssHttp, ...(tcp ? [tcp] : []), ...(wsHttp ? [wsHttp] : [])];

  const close = async () => {
    for (const s of sockets) s.destroy();
    for (const wss of webSockets) {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    }
    wssHttp.closeAllConnections();
    wsHttp?.closeAllConnections();
    await Promise.all(servers.map(closeServer));
  };

  try {
    const ports: BrokerListeners['ports'] = {
      mqtts: await listen(mqtts, options.mqttsPort, options.host),
      wss: await listen(wssHttp, options.wssPort, options.host),
    };
    if (tcp && options.mqttPort !== undefined) ports.mqtt = await listen(tcp, options.mqttPort, options.host);
    if (wsHttp && options.wsPort !== undefined) ports.ws = await listen(wsHttp, options.wsPort, options.host);
    return { ports, close };
  } catch (err) {
    await close();
    throw err;
  }
}
