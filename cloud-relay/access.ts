import { RateLimitedError } from '../common/errors.ts';
import type { TokenBuckets } from './backpressure.ts';
import { BEARER_MAX } from './defaults.ts';
import { CloudErrorCodes, forbidden, unauthorized } from './errors.ts';
import { secretMatches } from './store/tokens.ts';
import type { CloudStore } from './store/types.ts';

/** Who is asking: a hub (uploads, reads its facility), an organisation (reads its facilities) or the admin. */
export type Principal =
  { kind: 'hub'; hubId: string; facilityId: string } | { kind: 'org'; orgId: string } | { kind: 'admin' };

/** Who read something, for the logs: a hub id, `org:ID` or `admin`. */
export function readerOf(principal: Principal): string {
  switch (principal.kind) {
    case 'hub':
      return principal.hubId;
    case 'org':
      return `org:${principal.orgId}`;
    case 'admin':
      return 'admin';
  }
}

/** The token of an Authorization header `Bearer TOKEN`; undefined without one, or with one too long. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  const token = match?.[1];
  return token !== undefined && token.length <= BEARER_MAX ? token : undefined;
}

/** Tokens to principals, and what each principal may read. */
export class CloudAccess {
  private readonly store: CloudStore;
  private readonly adminToken: string | undefined;
  private readonly buckets: TokenBuckets | undefined;

  constructor(options: {
    store: CloudStore;
    adminToken: string | undefined;
    buckets: TokenBuckets | undefined;
  }) {
    this.store = options.store;
    this.adminToken = options.adminToken;
    this.buckets = options.buckets;
  }

  /**
   * The principal of an Authorization header. Readers may be the admin, a hub or an organisation;
   * uploaders only a hub, and a hub within its rate limit.
   */
  async authenticate(authorization: string | undefined, reader: boolean): Promise<Principal> {
    const token = bearerToken(authorization);
    if (token === undefined) throw unauthorized();
    if (reader && this.adminToken !== undefined && secretMatches(token, this.adminToken)) {
      return { kind: 'admin' };
    }
    const hub = await this.store.authenticateHub(token);
    if (hub !== undefined) {
      if (!reader) this.throttle(hub.hubId);
      return { kind: 'hub', ...hub };
    }
    const orgId = await this.store.authenticateOrg(token);
    if (orgId === undefined) throw unauthorized('unknown or revoked token');
    // A valid credential, but organisations only read: forbidden tells the operator what is wrong.
    if (!reader) throw forbidden('organisation tokens cannot upload; use the hub token');
    return { kind: 'org', orgId };
  }

  /** Refuses unless the principal may read the facility: its own hub, its organisation, or the admin. */
  async checkFacilityAccess(principal: Principal, facilityId: string): Promise<void> {
    if (principal.kind === 'hub' && principal.facilityId !== facilityId) {
      throw forbidden(`this token does not belong to facility ${facilityId}`);
    }
    // An unknown facility is also forbidden here: an organisation learns nothing about others' ids.
    if (principal.kind === 'org' && (await this.store.facilityOrg(facilityId)) !== principal.orgId) {
      throw forbidden(`facility ${facilityId} is not in organisation ${principal.orgId}`);
    }
  }

  private throttle(hubId: string): void {
    const verdict = this.buckets?.take(hubId);
    if (verdict === undefined || verdict.ok) return;
    throw new RateLimitedError(
      CloudErrorCodes.rateLimited,
      `hub ${hubId} is over its request rate; retry after ${String(verdict.retryAfterSeconds)} s`,
      verdict.retryAfterSeconds,
    );
  }
}
