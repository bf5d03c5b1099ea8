import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { GenkanError, ValidationError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { describeIssues, ErrorCodes } from '../../protocol/index.ts';
import type { ParentMe } from '../../protocol/parents.ts';
import type { ParentRateLimit } from '../defaults.ts';
import { forbidden } from '../errors.ts';
import type { ParentIdentity } from '../store/parent-types.ts';
import type { CloudRouteContext } from './context.ts';
import {
  notSignedIn,
  ParentAuth,
  parentSite,
  type NewParentSession,
  type ParentSite,
} from './parent-auth.ts';
import { parentMe } from './parent-me.ts';
import { ParentRateLimiter } from './parent-rate-limit.ts';

/** The parent session cookie (issue 17): only under /parent/, never sent to another site. */
export const PARENT_COOKIE = 'genkan_parent';
/** Bodies of the parent API: WebAuthn responses are a few kB. */
export const PARENT_BODY_LIMIT = 16 * 1024;

export interface ParentApiOptions {
  /** The origin parents reach the app at (--parent-origin); undefined: each request's own origin. */
  parentOrigin: string | undefined;
  /** null disables the limits (tests that make many requests). */
  rateLimit: ParentRateLimit | null;
  logger: Logger;
}

/**
 * What the other /parent/api/ route modules (push, notices) share with these: one rate limiter per
 * client address, the same-origin check, the body limit, and the session.
 */
export interface ParentRoutes {
  /** Options for every /parent/api/ route: body limit, rate limit, no writes from another origin. */
  routeOptions: { bodyLimit: number; onRequest: (request: FastifyRequest) => Promise<void> };
  /** The signed-in guardian; 401 not_signed_in otherwise. The cookie's expiry slides with the session. */
  signedIn(request: FastifyRequest, reply: FastifyReply): Promise<ParentIdentity>;
}

/** An invitation token: 32 random bytes in base64url. */
const InvitationSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'not an invitation token');
/** A WebAuthn response as the browser library sends it; @simplewebauthn/server checks the rest. */
const CredentialSchema = z.looseObject({
  id: z.string().min(1).max(1024),
  rawId: z.string().min(1).max(1024),
  type: z.literal('public-key'),
  response: z.looseObject({ clientDataJSON: z.string() }),
  clientExtensionResults: z.looseObject({}),
});
const RegisterOptionsBody = z.looseObject({ invitation: InvitationSchema });
const RegisterBody = z.looseObject({ invitation: InvitationSchema, response: CredentialSchema });
const LoginBody = z.looseObject({ response: CredentialSchema });

function parsed<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw new ValidationError(ErrorCodes.badRequest, describeIssues(result.error));
  return result.data;
}

/** The value of the session cookie of a request; '' without one. */
function sessionToken(request: FastifyRequest): string {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === PARENT_COOKIE) return part.slice(eq + 1).trim();
  }
  return '';
}

/**
 * The parent app's API under /parent/api/ (issue 17): passkey registration with an invitation, passkey
 * sign-in, sign-out, and GET me (the guardian's own children today). Every route is rate limited per
 * client address; sessions are an HttpOnly, SameSite=Strict cookie holding a random token the store keeps
 * only hashed.
 */
export function registerParentApi(
  app: FastifyInstance,
  context: CloudRouteContext,
  options: ParentApiOptions,
): ParentRoutes {
  const { store, clock } = context;
  const auth = new ParentAuth(store, clock, options.logger);
  const limiter = options.rateLimit === null ? undefined : new ParentRateLimiter(options.rateLimit);

  /** The origin WebAuthn expects: the configured one, else the request's own (see docs/parents.md). */
  function siteOf(request: FastifyRequest): ParentSite {
    return parentSite(options.parentOrigin ?? `${request.protocol}://${request.host}`);
  }

  function setSession(
    reply: FastifyReply,
    site: ParentSite,
    session: NewParentSession | { token: ''; expires: Date },
  ): void {
    const maxAge = Math.max(0, Math.floor((session.expires.getTime() - clock.now().getTime()) / 1000));
    const secure = site.origin.startsWith('https:') ? '; Secure' : '';
    reply.header(
      'set-cookie',
      `${PARENT_COOKIE}=${session.token}; Path=/parent/; Max-Age=${String(maxAge)}; HttpOnly; SameSite=Strict${secure}`,
    );
  }

  /** The signed-in guardian; 401 not_signed_in otherwise. The cookie's expiry slides with the session. */
  async function signedIn(request: FastifyRequest, reply: FastifyReply): Promise<ParentIdentity> {
    const token = sessionToken(request);
    const session = token === '' ? undefined : await auth.session(token);
    if (session === undefined) throw notSignedIn();
    setSession(reply, siteOf(request), { token, expires: session.expires });
    return { facilityId: session.facilityId, guardianId: session.guardianId };
  }

  /** A sign-in or registration: refused while the address is over its failures, counted when it fails. */
  async function attempt<T>(request: FastifyRequest, work: () => Promise<T>): Promise<T> {
    limiter?.attempt(request.ip);
    try {
      return await work();
    } catch (err) {
      if (err instanceof GenkanError && err.kind !== 'internal' && err.kind !== 'unavailable') {
        limiter?.failed(request.ip);
      }
      throw err;
    }
  }

  const routeOptions = {
    bodyLimit: PARENT_BODY_LIMIT,
    // Before the body is read: a client over its limit costs no parse. A throw rejects the promise.
    onRequest: (request: FastifyRequest) =>
      new Promise<void>((resolve) => {
        limiter?.request(request.ip);
        // A browser names the page that sent a write: another site's page may not sign anyone in or out.
        const origin = request.headers.origin;
        const writes = request.method !== 'GET' && request.method !== 'HEAD';
        if (writes && origin !== undefined && origin !== siteOf(request).origin) {
          throw forbidden('request from another origin');
        }
        resolve();
      }),
  };

  app.post('/parent/api/register/options', routeOptions, async (request) => {
    const { invitation } = parsed(RegisterOptionsBody, request.body);
    return attempt(request, () => auth.registrationOptions(invitation, siteOf(request)));
  });

  app.post('/parent/api/register', routeOptions, async (request, reply) => {
    const body = parsed(RegisterBody, request.body);
    const site = siteOf(request);
    const session = await attempt(request, () =>
      auth.register(body.invitation, body.response as unknown as RegistrationResponseJSON, site),
    );
    setSession(reply, site, session);
    request.log.info(
      { facilityId: session.facilityId, guardianId: session.guardianId },
      'parent passkey registered',
    );
    return reply.code(204).send();
  });

  app.post('/parent/api/login/options', routeOptions, async (request) => auth.loginOptions(siteOf(request)));

  app.post('/parent/api/login', routeOptions, async (request, reply) => {
    const body = parsed(LoginBody, request.body);
    const site = siteOf(request);
    const session = await attempt(request, () =>
      auth.login(body.response as unknown as AuthenticationResponseJSON, site),
    );
    setSession(reply, site, session);
    request.log.info({ facilityId: session.facilityId, guardianId: session.guardianId }, 'parent signed in');
    return reply.code(204).send();
  });

  app.post('/parent/api/logout', routeOptions, async (request, reply) => {
    await auth.logout(sessionToken(request));
    setSession(reply, siteOf(request), { token: '', expires: clock.now() });
    return reply.code(204).send();
  });

  app.get('/parent/api/me', routeOptions, async (request, reply): Promise<ParentMe> => {
    const who = await signedIn(request, reply);
    return parentMe(store, clock, who);
  });

  return { routeOptions, signedIn };
}
