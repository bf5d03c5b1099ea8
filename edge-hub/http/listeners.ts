import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { FastifyListenOptions, FastifyRequest, FastifyServerFactory } from 'fastify';

/** What listening needs of the fastify app (whatever its logger type). */
interface FastifyApp {
  listen(options: FastifyListenOptions): Promise<string>;
}

/** The hub's HTTP listeners: HTTPS always, plain HTTP only when asked (legacy devices, trusted network). */
export interface HttpListeners {
  /** Fastify's serverFactory: HTTPS is the app's server; the plain one, if any, serves the same handler. */
  serverFactory: FastifyServerFactory;
  /** Listens on both (after the routes are registered); the ports chosen. */
  listen(app: FastifyApp, host: string): Promise<{ https: number; http?: number }>;
  /** Closes the plain listener (fastify's close closes its own server only). */
  closePlain(): Promise<void>;
}

/**
 * Whether a request came over TLS: to this hub directly, or (with --trust-proxy) to the proxy in front of
 * it, as its X-Forwarded-Proto says. What makes the session cookies `Secure`.
 */
export function isSecureRequest(req: FastifyRequest): boolean {
  return req.protocol === 'https' || 'encrypted' in req.raw.socket;
}

export function httpListeners(options: {
  tls: { cert: string; key: string };
  httpsPort: number;
  /** The plain HTTP port; undefined: no plain listener. */
  httpPort?: number;
}): HttpListeners {
  let https: HttpsServer | undefined;
  let plain: HttpServer | undefined;
  const serverFactory: FastifyServerFactory = (handler) => {
    // A TLS handshake not done within 10 s is dropped (Node's default is 120 s): a LAN host opening many
    // connections and never finishing them holds less.
    const main = createHttpsServer({ ...options.tls, handshakeTimeout: 10_000 }, handler);
    https = main;
    if (options.httpPort !== undefined) {
      plain = createHttpServer(handler);
      // Upgrades (the tablet's push channel) are handled by listeners on the app's server.
      plain.on('upgrade', (...args) => main.emit('upgrade', ...args));
    }
    // Same server interface for fastify; node types https.Server apart from http.Server.
    return main;
  };
  return {
    serverFactory,
    async listen(app, host) {
      await app.listen({ host, port: options.httpsPort });
      const ports: { https: number; http?: number } = {
        https: (https?.address() as AddressInfo).port,
      };
      const server = plain;
      if (server !== undefined && options.httpPort !== undefined) {
        ports.http = await new Promise<number>((resolve, reject) => {
          server.once('error', reject);
          server.listen(options.httpPort, host, () => {
            server.off('error', reject);
            resolve((server.address() as AddressInfo).port);
          });
        });
      }
      return ports;
    },
    async closePlain() {
      const server = plain;
      if (server === undefined || !server.listening) return;
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}
