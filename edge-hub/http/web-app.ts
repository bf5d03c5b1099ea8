import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ForbiddenError, NotFoundError, UnavailableError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import type { WebBundle } from '../../common/web-bundle.ts';
import { ErrorCodes } from '../../protocol/index.ts';

/**
 * The strict CSP of the hub's browser apps (tablet, admin): own scripts and styles only, fetch and
 * WebSocket to the hub itself, no frames, no inline code.
 */
export const WEB_APP_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** Cookies of a request, by name (the first of a repeated name wins). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!out.has(name)) out.set(name, value);
  }
  return out;
}

/**
 * Whether a browser's Origin is this hub as the browser reached it. SameSite=Strict cookies already keep
 * other sites out; this also refuses a page on another port of the same host.
 */
export function originOk(
  origin: string | undefined,
  host: string | undefined,
  requireOrigin: boolean,
): boolean {
  if (origin === undefined) return !requireOrigin;
  if (host === undefined) return false;
  return origin === `http://${host}` || origin === `https://${host}`;
}

const SECURITY_HEADERS = {
  'content-security-policy': WEB_APP_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
} as const;

/**
 * Serves a bundled browser app under `prefix` (`/tablet`, `/admin`): its page, script and stylesheet with
 * the security headers; 503 `unavailableCode` when the hub was built without it.
 */
export function serveWebApp(
  app: FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>,
  prefix: string,
  bundle: WebBundle | undefined,
  unavailableCode: string,
): void {
  const serve = (name: string) => (_req: FastifyRequest, reply: FastifyReply) => {
    reply.headers(SECURITY_HEADERS);
    if (!bundle) throw new UnavailableError(unavailableCode, `${prefix} is not part of this hub build`);
    const file = bundle.files.get(name);
    if (!file) throw new NotFoundError(ErrorCodes.notFound, 'no such file');
    // The HTML names the current bundle: never cached. The assets may be, briefly.
    reply.header('cache-control', name === 'index.html' ? 'no-store' : 'no-cache');
    return reply.type(file.type).send(file.body);
  };
  app.get(prefix, serve('index.html'));
  app.get(`${prefix}/`, serve('index.html'));
  app.get(`${prefix}/app.js`, serve('app.js'));
  app.get(`${prefix}/app.css`, serve('app.css'));
}

/** Refuses a state-changing request from another origin (403): cookies alone do not prove intent. */
export function requireSameOrigin(req: FastifyRequest): void {
  if (!originOk(req.headers.origin, req.headers.host, false)) {
    throw new ForbiddenError(ErrorCodes.forbidden, 'request from another origin');
  }
}
