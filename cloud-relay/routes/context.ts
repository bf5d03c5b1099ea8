import type { FastifyRequest } from 'fastify';
import { GenkanError } from '../../common/errors.ts';
import type { Clock } from '../../common/time.ts';
import { ErrorCodes } from '../../protocol/index.ts';
import type { CloudAccess, Principal } from '../access.ts';
import type { CloudMetrics } from '../metrics.ts';
import type { CloudStore } from '../store/types.ts';
import type { StoredEvents } from '../stored-events.ts';

/** Route options whose onRequest hook authenticates the request. */
export interface AuthHook {
  onRequest: (request: FastifyRequest) => Promise<void>;
}

/**
 * Authentication of the API routes: hooks that run before the body is read (strangers are refused without
 * costing a parse of up to the body limit), and the principal each found.
 */
export class RequestAuth {
  readonly access: CloudAccess;
  /** For reading routes: the admin, a hub or an organisation. */
  readonly reader: AuthHook;
  /** For uploading routes: a hub within its rate limit. */
  readonly uploader: AuthHook;
  private readonly principals = new WeakMap<FastifyRequest, Principal>();

  constructor(access: CloudAccess) {
    this.access = access;
    this.reader = { onRequest: (request) => this.authenticate(request, true) };
    this.uploader = { onRequest: (request) => this.authenticate(request, false) };
  }

  principalOf(request: FastifyRequest): Principal {
    const principal = this.principals.get(request);
    // Every authenticated route has one of the hooks; reaching here without a principal is a bug.
    if (principal === undefined) throw new GenkanError(ErrorCodes.internal, 'route without authentication');
    return principal;
  }

  private async authenticate(request: FastifyRequest, reader: boolean): Promise<void> {
    this.principals.set(request, await this.access.authenticate(request.headers.authorization, reader));
  }
}

/** What the route modules share. */
export interface CloudRouteContext {
  store: CloudStore;
  metrics: CloudMetrics;
  clock: Clock;
  auth: RequestAuth;
  /** The events each upload newly stored, for listeners such as Web Push. */
  storedEvents: StoredEvents;
}
