import {
  fastify,
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { GenkanError, NotFoundError, ValidationError } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import { isValidDate, systemClock, type Clock } from '../common/time.ts';
import {
  BATCH_MAX,
  BatchRequestSchema,
  CLOUD_TIME_WINDOW,
  describeIssues,
  ErrorCodes,
  IdSchema,
  validateEvents,
  type AttendanceEvent,
  type BatchResponse,
  type HttpErrorBody,
} from '../protocol/index.ts';
import { dailyLedger, LedgerFontError, monthlyLedger } from '../common/ledger/index.ts';
import {
  ledgerDateOf,
  ledgerFile,
  ledgerMonthOf,
  ledgerOutputOf,
  type LedgerFile,
  type LedgerOutput,
} from '../common/ledger-http.ts';
import {
  FacilitySnapshotSchema,
  type DailyLedger,
  type FacilitySnapshot,
  type MonthlyLedger,
} from '../protocol/ledger.ts';
import { DEFAULT_HUB_RATE_LIMIT, TokenBuckets, type RateLimit } from './backpressure.ts';
import { badRequest, CloudErrorCodes, ConflictError, forbidden, HttpError, unauthorized } from './errors.ts';
import { CloudMetrics } from './metrics.ts';
import { DEFAULT_STALE_AFTER_MS, facilityRollup, type FacilityRollup } from './rollup.ts';
import { describeStoreLocation, openCloudStore, type CloudStoreLocation } from './store/open.ts';
import { secretMatches } from './store/tokens.ts';
import type { CloudStore, OrgFacility } from './store/types.ts';

/** 2 MiB: a full batch of 500 events with maximal notes still fits. */
export const DEFAULT_BODY_LIMIT = 2 * 1024 * 1024;
export const DEFAULT_PORT = 8090;
/** Loopback by default: bearer tokens travel in clear, so exposure goes through a TLS proxy or --host. */
export const DEFAULT_HOST = '127.0.0.1';
/** Shorter admin tokens are refused at start: the admin token reads every facility. */
export const ADMIN_TOKEN_MIN = 16;
/** Longer bearer values are refused unread (hub tokens are about 110 characters). */
export const BEARER_MAX = 1024;

export interface CloudTimeouts {
  /** Whole request, headers and body, must arrive within this (slow-client protection). */
  requestTimeoutMs: number;
  /** A socket with no traffic at all for this long is closed. */
  connectionTimeoutMs: number;
  /** Idle keep-alive connections stay open this long, longer than a typical hub's sync interval. */
  keepAliveTimeoutMs: number;
}

export const DEFAULT_TIMEOUTS: CloudTimeouts = {
  requestTimeoutMs: 30_000,
  connectionTimeoutMs: 120_000,
  keepAliveTimeoutMs: 72_000,
};

/** Requests served at once (health and metrics excluded) before new ones get 503 overloaded. */
export const DEFAULT_MAX_IN_FLIGHT = 256;
/** Callers queued for a database connection (PostgreSQL pool) before new requests get 503 overloaded. */
export const DEFAULT_MAX_DB_WAITING = 64;
/** Retry-After of a 503 overloaded: a moment, the hubs' own jittered backoff spreads them out. */
export const OVERLOAD_RETRY_AFTER_S = 1;
/** GET /readyz gives up on the database after this long. */
export const READY_TIMEOUT_MS = 2_000;

/** Tunables shared by buildCloudApp and startCloud. */
export interface CloudTuning {
  /** Enables cross-facility reads (every facility, every organisation); undefined or empty disables them. */
  adminToken?: string | undefined;
  /** When set, GET /metrics needs it (or the admin token) as a bearer token; open otherwise. */
  metricsToken?: string | undefined;
  bodyLimit?: number;
  timeouts?: Partial<CloudTimeouts>;
  /** Per-hub token bucket on POST /v1/batches and PUT /v1/snapshot; null disables it. */
  hubRateLimit?: RateLimit | null;
  maxInFlight?: number;
  maxDbWaiting?: number;
  /** The rollup marks a facility stale after this long without a relay from any of its hubs. */
  staleAfterMs?: number;
  clock?: Clock;
}

export interface CloudAppOptions extends CloudTuning {
  /** Not owned: the caller closes it after the app. */
  store: CloudStore;
  logger: Logger;
}

/** The store is PostgreSQL when `db` (a postgres:// URL) is given, else SQLite in `dataDir`. */
export interface CloudOptions extends CloudStoreLocation, CloudTuning {
  port: number;
  host?: string;
  logger: Logger;
}

export interface CloudServer {
  /** The bound port (the OS's choice when started with port 0). */
  port: number;
  /** Stops accepting, finishes in-flight requests, then closes the store. Idempotent. */
  close(): Promise<void>;
}

type Principal =
  { kind: 'hub'; hubId: string; facilityId: string } | { kind: 'org'; orgId: string } | { kind: 'admin' };

/** Who read something, for the logs: a hub id, `org:ID` or `admin`. */
function readerOf(principal: Principal): string {
  switch (principal.kind) {
    case 'hub':
      return principal.hubId;
    case 'org':
      return `org:${principal.orgId}`;
    case 'admin':
      return 'admin';
  }
}

interface OrgRoute {
  Params: { orgId: string };
  Querystring: Record<string, unknown>;
}

interface RollupResponse {
  orgId: string;
  date: string;
  staleAfterSeconds: number;
  facilities: FacilityRollup[];
}

/** Routes outside backpressure and request metrics' in-flight count: probes must work under load. */
const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

interface FacilityRoute {
  Params: { facilityId: string };
  Querystring: Record<string, unknown>;
}
type FacilityRequest = FastifyRequest<FacilityRoute>;

interface EventsResponse {
  facilityId: string;
  date: string;
  events: AttendanceEvent[];
}

/** Fastify's own errors, mapped to our codes so every error body has the same shape. */
function frameworkError(
  err: { code?: unknown; statusCode?: unknown; message: string },
  bodyLimit: number,
): HttpError {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new HttpError(400, ErrorCodes.invalidJson, 'request body is not valid JSON');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new HttpError(400, ErrorCodes.invalidJson, 'request body is empty');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpError(413, ErrorCodes.payloadTooLarge, `request body is over ${bodyLimit} bytes`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HttpError(
        415,
        CloudErrorCodes.unsupportedMediaType,
        'request body must be application/json',
      );
    default: {
      const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
      if (status >= 400 && status < 500) return new HttpError(status, ErrorCodes.badRequest, err.message);
      return new HttpError(500, ErrorCodes.internal, 'internal error');
    }
  }
}

/** A refusal that tells the client when to come back (429, 503). */
class RetryLaterError extends HttpError {
  readonly retryAfterSeconds: number;
  constructor(statusCode: number, code: string, message: string, retryAfterSeconds: number) {
    super(statusCode, code, message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

function toHttpError(err: unknown, bodyLimit: number): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof ValidationError) return new HttpError(400, err.code, err.message);
  if (err instanceof NotFoundError) return new HttpError(404, err.code, err.message);
  if (err instanceof ConflictError) return new HttpError(409, err.code, err.message);
  if (err instanceof GenkanError) return new HttpError(500, ErrorCodes.internal, 'internal error');
  if (err instanceof Error) return frameworkError(err, bodyLimit);
  return new HttpError(500, ErrorCodes.internal, 'internal error');
}

function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  const token = match?.[1];
  return token !== undefined && token.length <= BEARER_MAX ? token : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The cloud relay's HTTP API on a given store: POST /v1/batches and PUT /v1/snapshot (hub uploads), GET
 * /v1/facilities/F/events and …/ledger/daily|monthly (reads), GET /healthz. Not listening yet; startCloud
 * does that.
 */
export function buildCloudApp(options: CloudAppOptions): FastifyInstance {
  const { store } = options;
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const adminToken = checkedSecret(options.adminToken, 'adminToken');
  const metricsToken = checkedSecret(options.metricsToken, 'metricsToken');
  const clock = options.clock ?? systemClock;
  const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  const maxDbWaiting = options.maxDbWaiting ?? DEFAULT_MAX_DB_WAITING;
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const hubRateLimit = options.hubRateLimit === undefined ? DEFAULT_HUB_RATE_LIMIT : options.hubRateLimit;
  const buckets = hubRateLimit === null ? undefined : new TokenBuckets(hubRateLimit);
  let inFlight = 0;
  const metrics = new CloudMetrics(() => inFlight);
  // Typed as fastify's logger so that the app is a plain FastifyInstance for callers.
  const log: FastifyBaseLogger = options.logger.child({ ns: 'cloud.http' });

  const app = fastify({
    loggerInstance: log,
    // Our onResponse hook logs one line per request, without query strings.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit,
    requestTimeout: timeouts.requestTimeoutMs,
    connectionTimeout: timeouts.connectionTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    // Not taken from the client: ids are ours, so a request id header cannot spoof log lines.
    requestIdHeader: false,
    // While draining, fastify would answer 503 with its own body shape; serving the request (with
    // Connection: close) is better: the store stays open until the last response is sent.
    return503OnClosing: false,
    frameworkErrors: (err, _request, reply) => {
      sendError(reply, frameworkError(err, bodyLimit));
    },
  });
  // Only JSON bodies: fastify would otherwise accept text/plain as a string.
  app.removeContentTypeParser('text/plain');

  const principals = new WeakMap<FastifyRequest, Principal>();

  function sendError(reply: FastifyReply, err: HttpError): void {
    if (err.statusCode === 401) reply.header('www-authenticate', 'Bearer');
    if (err instanceof RetryLaterError) reply.header('retry-after', String(err.retryAfterSeconds));
    const body: HttpErrorBody = { error: { code: err.code, message: err.message } };
    void reply.code(err.statusCode).send(body);
  }

  /**
   * Sets the request's principal. Readers may be the admin, a hub or an organisation; uploaders only a
   * hub, and a hub within its rate limit (checked here, before the body is read).
   */
  async function authenticate(request: FastifyRequest, reader: boolean): Promise<void> {
    const token = bearerToken(request.headers.authorization);
    if (token === undefined) throw unauthorized();
    if (reader && adminToken !== undefined && secretMatches(token, adminToken)) {
      principals.set(request, { kind: 'admin' });
      return;
    }
    const hub = await store.authenticateHub(token);
    if (hub !== undefined) {
      if (!reader) throttle(hub.hubId);
      principals.set(request, { kind: 'hub', ...hub });
      return;
    }
    const orgId = await store.authenticateOrg(token);
    if (orgId === undefined) throw unauthorized('unknown or revoked token');
    // A valid credential, but organisations only read: 403 tells the operator what is wrong.
    if (!reader) throw forbidden('organisation tokens cannot upload; use the hub token');
    principals.set(request, { kind: 'org', orgId });
  }

  function throttle(hubId: string): void {
    const verdict = buckets?.take(hubId);
    if (verdict === undefined || verdict.ok) return;
    throw new RetryLaterError(
      429,
      CloudErrorCodes.rateLimited,
      `hub ${hubId} is over its request rate; retry after ${String(verdict.retryAfterSeconds)} s`,
      verdict.retryAfterSeconds,
    );
  }

  /** 403 unless the principal may read the facility: its own hub, its organisation, or the admin. */
  async function checkFacilityAccess(principal: Principal, facilityId: string): Promise<void> {
    if (principal.kind === 'hub' && principal.facilityId !== facilityId) {
      throw forbidden(`this token does not belong to facility ${facilityId}`);
    }
    // An unknown facility is also 403 here: an organisation learns nothing about others' ids.
    if (principal.kind === 'org' && (await store.facilityOrg(facilityId)) !== principal.orgId) {
      throw forbidden(`facility ${facilityId} is not in organisation ${principal.orgId}`);
    }
  }

  function principalOf(request: FastifyRequest): Principal {
    const principal = principals.get(request);
    // The onRequest hook sets it on every authenticated route; reaching here without one is a bug.
    if (principal === undefined) throw new GenkanError(ErrorCodes.internal, 'route without authentication');
    return principal;
  }

  app.setErrorHandler((err, request, reply) => {
    const httpError = toHttpError(err, bodyLimit);
    const { statusCode: status, code } = httpError;
    // Backpressure is expected under load: counted in /metrics, not an error.
    if (httpError instanceof RetryLaterError) request.log.warn({ status, code }, 'request deferred');
    else if (status >= 500) request.log.error({ err }, 'request failed');
    // Auth refusals at info: repeated ones are worth seeing (a revoked hub, a probe).
    else if (status === 401 || status === 403) request.log.info({ status, code }, 'request refused');
    else request.log.debug({ status, code }, 'request refused');
    sendError(reply, httpError);
  });

  app.setNotFoundHandler((request, reply) => {
    sendError(
      reply,
      new HttpError(
        404,
        ErrorCodes.notFound,
        `no route ${request.method} ${request.url.split('?')[0] ?? ''}`,
      ),
    );
  });

  app.addHook('onSend', async (_request, reply) => {
    // Responses carry attendance data or tokens' verdicts: never cache them anywhere.
    reply.header('cache-control', 'no-store');
  });

  // Overload guard, before authentication: a saturated server should not even hash a token.
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (PROBES.has(path)) return;
    if (inFlight >= maxInFlight || store.waitingForConnection() > maxDbWaiting) {
      throw new RetryLaterError(
        503,
        CloudErrorCodes.overloaded,
        'the cloud relay is overloaded; retry later',
        OVERLOAD_RETRY_AFTER_S,
      );
    }
    inFlight += 1;
    // 'close' fires once whether the response finished or the client went away.
    reply.raw.once('close', () => {
      inFlight -= 1;
    });
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.countRequest(request.method, route, reply.statusCode);
    if (route === '/v1/batches' && reply.statusCode === 200) {
      metrics.observeBatchSeconds(reply.elapsedTime / 1000);
    }
    request.log.debug(
      {
        method: request.method,
        path: request.url.split('?')[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });

  app.get('/healthz', () => ({ ok: true }));

  app.get('/readyz', async (request) => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        store.ping(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            reject(new Error(`no answer within ${String(READY_TIMEOUT_MS)} ms`));
          }, READY_TIMEOUT_MS);
        }),
      ]);
      return { ok: true };
    } catch (err) {
      request.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'database not reachable');
      throw new RetryLaterError(503, CloudErrorCodes.notReady, 'the database is not reachable', 5);
    } finally {
      clearTimeout(timer);
    }
  });

  app.get('/metrics', async (request, reply) => {
    if (metricsToken !== undefined) {
      const token = bearerToken(request.headers.authorization);
      const ok =
        token !== undefined &&
        (secretMatches(token, metricsToken) ||
          (adminToken !== undefined && secretMatches(token, adminToken)));
      if (!ok) throw unauthorized('the metrics token or the admin token is required');
    }
    return reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8').send(metrics.render());
  });

  app.post(
    '/v1/batches',
    {
      // Before the body is read: strangers get 401 without costing a parse of up to bodyLimit bytes.
      onRequest: async (request) => {
        await authenticate(request, false);
      },
    },
    async (request): Promise<BatchResponse> => {
      const principal = principalOf(request);
      if (principal.kind !== 'hub') throw forbidden('only hub tokens may upload batches');
      const body = request.body;
      if (isRecord(body) && Array.isArray(body['events']) && body['events'].length > BATCH_MAX) {
        throw badRequest(
          ErrorCodes.batchTooLarge,
          `a batch holds at most ${BATCH_MAX} events, got ${body['events'].length}`,
        );
      }
      const parsed = BatchRequestSchema.safeParse(body);
      // bad_request, as docs/protocol.md lists for HTTP (invalid_payload is the MQTT counterpart).
      if (!parsed.success) throw badRequest(ErrorCodes.badRequest, describeIssues(parsed.error));
      const { hubId, facilityId } = parsed.data;
      if (facilityId !== principal.facilityId) {
        throw forbidden(`this token does not belong to facility ${facilityId}`);
      }
      if (hubId !== principal.hubId) throw forbidden(`this token does not belong to hub ${hubId}`);

      // The rule the hub applied (protocol/plausibility.ts), with the cloud's wider time window: an event
      // refused here is answered as rejected, so that it never holds back the hub's later batches.
      const { events, rejected: invalid } = validateEvents(parsed.data.events, {
        now: clock.now(),
        window: CLOUD_TIME_WINDOW,
      });
      // Also with nothing valid: the call records the hub's relay time. Events the database refuses as
      // data come back as store_error; any other store failure is a 5xx, and the hub resends.
      const stored = await store.insertBatch(facilityId, hubId, events);
      const rejected = [...invalid, ...stored.rejected];
      metrics.countEvents('accepted', stored.accepted.length);
      metrics.countEvents('duplicate', stored.duplicates.length);
      metrics.countRejections(rejected);
      metrics.hubSeen(hubId, clock.now().getTime());
      request.log.info(
        {
          hubId,
          facilityId,
          accepted: stored.accepted.length,
          duplicates: stored.duplicates.length,
          rejected: rejected.length,
          storeErrors: stored.rejected.length,
        },
        'batch stored',
      );
      if (rejected.length > 0) {
        // Ids and codes only: a rejection's message may quote the event (a note's length, a time).
        request.log.warn(
          { hubId, facilityId, rejected: rejected.map((r) => ({ id: r.id, code: r.code })) },
          'events rejected',
        );
      }
      return { accepted: stored.accepted, duplicates: stored.duplicates, rejected };
    },
  );

  app.get<{ Params: { facilityId: string }; Querystring: Record<string, unknown> }>(
    '/v1/facilities/:facilityId/events',
    {
      onRequest: async (request) => {
        await authenticate(request, true);
      },
    },
    async (request): Promise<EventsResponse> => {
      const principal = principalOf(request);
      const { facilityId } = request.params;
      if (!IdSchema.safeParse(facilityId).success) {
        throw badRequest(ErrorCodes.badRequest, 'malformed facility id');
      }
      await checkFacilityAccess(principal, facilityId);
      const date = request.query['date'];
      if (typeof date !== 'string' || !isValidDate(date)) {
        throw badRequest(ErrorCodes.badRequest, 'query parameter date must be a calendar date YYYY-MM-DD');
      }
      if ((await store.getFacility(facilityId)) === undefined) {
        throw new HttpError(404, ErrorCodes.notFound, `unknown facility ${facilityId}`);
      }
      const events = await store.eventsOn(facilityId, date);
      request.log.info({ facilityId, date, by: readerOf(principal), count: events.length }, 'events read');
      return { facilityId, date, events };
    },
  );

  app.put(
    '/v1/snapshot',
    {
      onRequest: async (request) => {
        await authenticate(request, false);
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      if (principal.kind !== 'hub') throw forbidden('only hub tokens may upload snapshots');
      const parsed = FacilitySnapshotSchema.safeParse(request.body);
      if (!parsed.success) throw badRequest(ErrorCodes.badRequest, describeIssues(parsed.error));
      const snapshot = parsed.data;
      if (snapshot.facilityId !== principal.facilityId) {
        throw forbidden(`this token does not belong to facility ${snapshot.facilityId}`);
      }
      // The store refuses another time zone than the facility's (409 time_zone_mismatch).
      await store.putSnapshot(principal.facilityId, principal.hubId, snapshot);
      metrics.countSnapshot();
      metrics.hubSeen(principal.hubId, clock.now().getTime());
      request.log.info(
        {
          hubId: principal.hubId,
          facilityId: principal.facilityId,
          classes: snapshot.classes.length,
          children: snapshot.children.length,
        },
        'snapshot stored',
      );
      return reply.code(204).send();
    },
  );

  /** Checks shared by both ledger routes, in the order of the events route: id, token, query. */
  async function ledgerQuery(request: FacilityRequest): Promise<LedgerOutput> {
    const principal = principalOf(request);
    const { facilityId } = request.params;
    if (!IdSchema.safeParse(facilityId).success) {
      throw badRequest(ErrorCodes.badRequest, 'malformed facility id');
    }
    await checkFacilityAccess(principal, facilityId);
    return ledgerOutputOf(request.query);
  }

  /** The facility's snapshot: 404 not_found for an unknown facility, 404 no_snapshot before its hub sent one. */
  async function snapshotOf(facilityId: string): Promise<FacilitySnapshot> {
    if ((await store.getFacility(facilityId)) === undefined) {
      throw new HttpError(404, ErrorCodes.notFound, `unknown facility ${facilityId}`);
    }
    const snapshot = await store.getSnapshot(facilityId);
    if (snapshot === undefined) {
      throw new HttpError(
        404,
        CloudErrorCodes.noSnapshot,
        `no hub of facility ${facilityId} has sent its roster and settings yet`,
      );
    }
    return snapshot;
  }

  /** The ledger as JSON, or as a file download in the asked format. */
  async function sendLedger(
    reply: FastifyReply,
    ledger: DailyLedger | MonthlyLedger,
    { format, encoding }: LedgerOutput,
  ): Promise<DailyLedger | MonthlyLedger | Buffer> {
    if (format === 'json') return ledger;
    let file: LedgerFile;
    try {
      file = await ledgerFile(ledger, format, encoding);
    } catch (err) {
      if (err instanceof LedgerFontError) throw new HttpError(503, err.code, err.message);
      throw err;
    }
    void reply.header('content-type', file.contentType).header('content-disposition', file.disposition);
    return file.body;
  }

  const readerAuth = {
    onRequest: async (request: FastifyRequest) => {
      await authenticate(request, true);
    },
  };

  app.get<FacilityRoute>('/v1/facilities/:facilityId/ledger/daily', readerAuth, async (request, reply) => {
    const query = await ledgerQuery(request);
    const { facilityId } = request.params;
    const date = ledgerDateOf(request.query);
    const snapshot = await snapshotOf(facilityId);
    const ledger = dailyLedger(snapshot, date, await store.ledgerEvents(facilityId, date, date));
    logLedger(request, { facilityId, date, format: query.format, rows: ledger.rows.length });
    return sendLedger(reply, ledger, query);
  });

  app.get<FacilityRoute>('/v1/facilities/:facilityId/ledger/monthly', readerAuth, async (request, reply) => {
    const query = await ledgerQuery(request);
    const { facilityId } = request.params;
    const { month, from: first, to: last, classId } = ledgerMonthOf(request.query);
    const snapshot = await snapshotOf(facilityId);
    if (classId !== null && !snapshot.classes.some((c) => c.id === classId)) {
      throw badRequest(ErrorCodes.unknownClass, `facility ${facilityId} has no class ${classId}`);
    }
    const events = await store.ledgerEvents(facilityId, first, last);
    const ledger = monthlyLedger(snapshot, month, events, classId);
    logLedger(request, { facilityId, month, format: query.format, rows: ledger.rows.length });
    return sendLedger(reply, ledger, query);
  });

  /** Who read which ledger: ids, period, format and size only (ledgers hold children's names). */
  function logLedger(request: FastifyRequest, fields: Record<string, unknown>): void {
    const principal = principalOf(request);
    request.log.info({ ...fields, by: readerOf(principal) }, 'ledger read');
  }

  /** Checks of the org routes: org id, then the admin or that organisation's token, then existence. */
  async function orgOf(request: FastifyRequest<OrgRoute>): Promise<string> {
    const principal = principalOf(request);
    const { orgId } = request.params;
    if (!IdSchema.safeParse(orgId).success)
      throw badRequest(ErrorCodes.badRequest, 'malformed organisation id');
    if (principal.kind === 'hub') throw forbidden('hub tokens cannot read organisations');
    if (principal.kind === 'org' && principal.orgId !== orgId) {
      throw forbidden(`this token does not belong to organisation ${orgId}`);
    }
    if ((await store.getOrganisation(orgId)) === undefined) {
      throw new HttpError(404, ErrorCodes.notFound, `unknown organisation ${orgId}`);
    }
    return orgId;
  }

  app.get<OrgRoute>(
    '/v1/orgs/:orgId/facilities',
    readerAuth,
    async (request): Promise<{ orgId: string; facilities: OrgFacility[] }> => {
      const orgId = await orgOf(request);
      const facilities = await store.orgFacilities(orgId);
      request.log.info(
        { orgId, by: readerOf(principalOf(request)), count: facilities.length },
        'org facilities read',
      );
      return { orgId, facilities };
    },
  );

  app.get<OrgRoute>('/v1/orgs/:orgId/rollup/daily', readerAuth, async (request): Promise<RollupResponse> => {
    const orgId = await orgOf(request);
    const date = request.query['date'];
    if (typeof date !== 'string' || !isValidDate(date)) {
      throw badRequest(ErrorCodes.badRequest, 'query parameter date must be a calendar date YYYY-MM-DD');
    }
    const inputs = await store.orgRollupInputs(orgId, date);
    const nowMs = clock.now().getTime();
    const facilities = inputs.map((input) => facilityRollup(input, nowMs, staleAfterMs));
    request.log.info(
      { orgId, date, by: readerOf(principalOf(request)), count: facilities.length },
      'org rollup read',
    );
    return { orgId, date, staleAfterSeconds: Math.round(staleAfterMs / 1000), facilities };
  });

  return app;
}

/** A configured secret: undefined when empty; refused when short, long or with spaces. */
function checkedSecret(value: string | undefined, field: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (value.length < ADMIN_TOKEN_MIN || value.length > BEARER_MAX || /\s/.test(value)) {
    throw new ValidationError(
      field === 'adminToken' ? 'weak_admin_token' : 'weak_metrics_token',
      `the ${field === 'adminToken' ? 'admin' : 'metrics'} token must be ${ADMIN_TOKEN_MIN}–${BEARER_MAX} characters without spaces`,
      field,
    );
  }
  return value;
}

/** Opens the store (PostgreSQL at options.db, or DATA/cloud.sqlite) and serves the cloud relay API until close(). */
export async function startCloud(options: CloudOptions): Promise<CloudServer> {
  const log = options.logger.child({ ns: 'cloud' });
  const store = await openCloudStore(options, options.logger);
  let app: FastifyInstance | undefined;
  try {
    const { port: _port, host: _host, logger, dataDir: _dataDir, db: _db, ...tuning } = options;
    app = buildCloudApp({ ...tuning, store, logger });
    await app.listen({ port: options.port, host: options.host ?? DEFAULT_HOST });
  } catch (err) {
    await app?.close();
    await store.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  log.info(
    {
      port,
      host: options.host ?? DEFAULT_HOST,
      adminReads: options.adminToken ? true : false,
      // Names the database without its password.
      ...describeStoreLocation(options),
    },
    'cloud relay listening',
  );

  const running = app;
  let closing: Promise<void> | undefined;
  return {
    port,
    close: () => {
      closing ??= (async () => {
        try {
          await running.close();
        } finally {
          await store.close();
        }
        log.info('cloud relay stopped');
      })();
      return closing;
    },
  };
}
