import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeJson } from '../../protocol/index.ts';
import type { Logger } from '../../common/logger.ts';
import { sameBytes } from '../../common/secrets.ts';
import {
  KIOSK_CSP,
  UI_FRAME_MAX_BYTES,
  WsClientFrameSchema,
  type UiEvent,
  type UiReply,
  type WsServerFrame,
} from '../common/ui-api.ts';
import { KioskError } from './errors.ts';
import type { WebBundle } from '../../common/web-bundle.ts';

/** What the server hands screens to: the kiosk's UI controller. */
export interface UiEndpoint {
  subscribe(listener: (event: UiEvent) => void): () => void;
  handle(raw: unknown): UiReply;
}

export interface UiServerOptions {
  /** 0 picks a free port. Always bound to 127.0.0.1: the screen is for this machine only. */
  port: number;
  bundle: WebBundle;
  logger: Logger;
  /** The per-launch secret in every path; random by default. */
  token?: string;
}

export interface UiServer {
  /** The screen's address, with its token: http://127.0.0.1:PORT/k/TOKEN/ */
  readonly url: string;
  /** The same, as the WebSocket the screen (or the Electron shell) connects to. */
  readonly wsUrl: string;
  readonly port: number;
  /**
   * Starts serving screens with this endpoint; until then, socket connections are refused (pages
   * reconnect by themselves). Serving another endpoint later moves every screen over to it.
   */
  serve(endpoint: UiEndpoint): void;
  close(): Promise<void>;
}

/** The screen's Content-Security-Policy (defined with the screen contract). */
export { KIOSK_CSP };

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': KIOSK_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};

/** A screen that stops reading its socket is dropped rather than buffered for without bound. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * Browser mode: the kiosk screen served on 127.0.0.1 to a plain browser (Chromium --kiosk --app=URL)
 * or to the Electron shell. Every path carries a per-launch token, so another local user or a web page
 * the browser happens to open cannot drive the screen; the Host header is checked against DNS
 * rebinding, and a browser's Origin must be this server's.
 */
export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  if (!/^[A-Za-z0-9_-]{16,128}$/.test(token)) {
    throw new KioskError('bad_ui_token', 'UI token must be 16–128 URL-safe characters');
  }
  const logger = options.logger.child({ ns: 'kiosk.ui-server' });
  const prefix = `/k/${token}/`;
  const prefixBytes = Buffer.from(prefix);
  let endpoint: UiEndpoint | undefined;
  let port = 0;
  const sockets = new WebSocketServer({ noServer: true, maxPayload: UI_FRAME_MAX_BYTES });

  /** The file a path names under the token prefix; undefined for anything else (answered 404). */
  const fileOf = (url: string | undefined): string | undefined => {
    const path = (url ?? '').split('?')[0] ?? '';
    if (!sameBytes(Buffer.from(path.slice(0, prefix.length)), prefixBytes)) return undefined;
    const rest = path.slice(prefix.length);
    return rest === '' ? 'index.html' : rest;
  };
  const hostOk = (req: IncomingMessage): boolean =>
    req.headers.host === `127.0.0.1:${port}` || req.headers.host === `localhost:${port}`;
  const originOk = (req: IncomingMessage): boolean => {
    const origin = req.headers.origin;
    return (
      origin === undefined || origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`
    );
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const name = fileOf(req.url);
    const file = name === undefined ? undefined : options.bundle.files.get(name);
    if (!hostOk(req) || !file || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
      res.end('not found\n');
      return;
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': file.type,
      'content-length': file.body.length,
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const refuse = (status: number, why: string): void => {
      logger.warn({ status, why }, 'screen connection refused');
      socket.end(`HTTP/1.1 ${status} ${why}\r\nConnection: close\r\n\r\n`);
    };
    if (fileOf(req.url) !== 'ws' || !hostOk(req)) {
      refuse(404, 'Not Found');
      return;
    }
    if (!originOk(req)) {
      refuse(403, 'Forbidden');
      return;
    }
    const target = endpoint;
    if (!target) {
      refuse(503, 'Service Unavailable');
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => {
      attach(ws, target);
    });
  };

  const attach = (ws: WebSocket, target: UiEndpoint): void => {
    logger.info('screen connected');
    const send = (frame: WsServerFrame): void => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        logger.warn('screen not reading; disconnected');
        ws.terminate();
        return;
      }
      ws.send(JSON.stringify(frame));
    };
    const unsubscribe = target.subscribe((event) => {
      send({ event });
    });
    ws.on('message', (data: Buffer, isBinary) => {
      const frame = isBinary ? undefined : decodeJson(WsClientFrameSchema, data.toString('utf8'));
      if (!frame?.ok) {
        // Nothing to reply to without an id: the frame is dropped and the screen keeps its connection.
        logger.warn('malformed frame from the screen dropped');
        return;
      }
      let reply: UiReply;
      try {
        reply = target.handle(frame.value.command);
      } catch (err) {
        logger.error({ err }, 'screen command failed');
        reply = { ok: false, code: 'internal', message: 'the kiosk could not do that' };
      }
      send({ id: frame.value.id, reply });
    });
    ws.on('close', () => {
      unsubscribe();
      logger.info('screen disconnected');
    });
    ws.on('error', (err) => {
      logger.warn({ err }, 'screen connection failed');
    });
  };

  const server: Server = createServer(onRequest);
  server.on('upgrade', onUpgrade);
  server.on('clientError', (_err, socket) => {
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}${prefix}`;
  logger.info({ port }, 'kiosk screen served');

  return {
    url,
    wsUrl: `ws://127.0.0.1:${port}${prefix}ws`,
    port,
    serve(target) {
      const previous = endpoint;
      endpoint = target;
      // Screens of the previous endpoint (the pairing screen) reconnect to the new one by themselves.
      if (previous && previous !== target) for (const ws of sockets.clients) ws.close(1012, 'restarting');
    },
    async close() {
      for (const ws of sockets.clients) ws.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}
