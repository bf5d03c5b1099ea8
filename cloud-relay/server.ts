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
import { isValidDate } from '../common/time.ts';
import {
  BATCH_MAX,
  BatchRequestSchema,
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
import { badRequest, CloudErrorCodes, ConflictError, forbidden, HttpError, unauthorized } from './errors.ts';
import { describeStoreLocation, openCloudStore, type CloudStoreLocation } from './store/open.ts';
import { secretMatches } from './store/tokens.ts';
import type { CloudStore } from './store/types.ts';

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

export interface CloudAppOptions {
  /** Not owned: the caller closes it after the app. */
  store: CloudStore;
  logger: Logger;
  /** Enables cross-facility reads of GET /v1/facilities/F/events; undefined or empty disables them. */
  adminToken?: string | undefined;
  bodyLimit?: number;
  timeouts?: Partial<CloudTimeouts>;
}

/** The store is PostgreSQL when `db` (a postgres:// URL) is given, else SQLite in `dataDir`. */
export interface CloudOptions extends CloudStoreLocation {
  port: number;
  host?: string;
  adminToken?: string | undefined;
  logger: Logger;
  bodyLimit?: number;
  timeouts?: Partial<CloudTimeouts>;
}

export interface CloudServer {
  /** The bound port (the OS's choice when started with port 0). */
  port: number;
  /** Stops accepting, finishes in-flight requests, then closes the store. Idempotent. */
  close(): Promise<void>;
}

type Principal = { kind: 'hub'; hubId: string; facilityId: string } | { kind: 'admin' };

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
  const adminToken = options.adminToken === '' ? undefined : options.adminToken;
  if (
    adminToken !== undefined &&
    (adminToken.length < ADMIN_TOKEN_MIN || adminToken.length > BEARER_MAX || /\s/.test(adminToken))
  ) {
    throw new ValidationError(
      'weak_admin_token',
      `the admin token must be ${ADMIN_TOKEN_MIN}–${BEARER_MAX} characters without spaces`,
      'adminToken',
    );
  }
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
    const body: HttpErrorBody = { error: { code: err.code, message: err.message } };
    void reply.code(err.statusCode).send(body);
  }

  async function authenticate(request: FastifyRequest, allowAdmin: boolean): Promise<void> {
    const token = bearerToken(request.headers.authorization);
    if (token === undefined) throw unauthorized();
    if (allowAdmin && adminToken !== undefined && secretMatches(token, adminToken)) {
      principals.set(request, { kind: 'admin' });
      return;
    }
    const hub = await store.authenticateHub(token);
    if (hub === undefined) throw unauthorized('unknown or revoked token');
    principals.set(request, { kind: 'hub', ...hub });
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
    if (status >= 500) request.log.error({ err }, 'request failed');
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

  app.addHook('onResponse', async (request, reply) => {
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

      const { events, rejected } = validateEvents(parsed.data.events);
      const stored =
        events.length > 0
          ? await store.insertBatch(facilityId, hubId, events)
          : { accepted: [], duplicates: [] };
      request.log.info(
        {
          hubId,
          facilityId,
          accepted: stored.accepted.length,
          duplicates: stored.duplicates.length,
          rejected: rejected.length,
        },
        'batch stored',
      );
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
      if (principal.kind === 'hub' && principal.facilityId !== facilityId) {
        throw forbidden(`this token does not belong to facility ${facilityId}`);
      }
      const date = request.query['date'];
      if (typeof date !== 'string' || !isValidDate(date)) {
        throw badRequest(ErrorCodes.badRequest, 'query parameter date must be a calendar date YYYY-MM-DD');
      }
      if ((await store.getFacility(facilityId)) === undefined) {
        throw new HttpError(404, ErrorCodes.notFound, `unknown facility ${facilityId}`);
      }
      const events = await store.eventsOn(facilityId, date);
      request.log.info(
        { facilityId, date, by: principal.kind === 'hub' ? principal.hubId : 'admin', count: events.length },
        'events read',
      );
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
  function ledgerQuery(request: FacilityRequest): LedgerOutput {
    const principal = principalOf(request);
    const { facilityId } = request.params;
    if (!IdSchema.safeParse(facilityId).success) {
      throw badRequest(ErrorCodes.badRequest, 'malformed facility id');
    }
    if (principal.kind === 'hub' && principal.facilityId !== facilityId) {
      throw forbidden(`this token does not belong to facility ${facilityId}`);
    }
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
    const query = ledgerQuery(request);
    const { facilityId } = request.params;
    const date = ledgerDateOf(request.query);
    const snapshot = await snapshotOf(facilityId);
    const ledger = dailyLedger(snapshot, date, await store.ledgerEvents(facilityId, date, date));
    logLedger(request, { facilityId, date, format: query.format, rows: ledger.rows.length });
    return sendLedger(reply, ledger, query);
  });

  app.get<FacilityRoute>('/v1/facilities/:facilityId/ledger/monthly', readerAuth, async (request, reply) => {
    const query = ledgerQuery(request);
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
    request.log.info({ ...fields, by: principal.kind === 'hub' ? principal.hubId : 'admin' }, 'ledger read');
  }

  return app;
}

/** Opens the store (PostgreSQL at options.db, or DATA/cloud.sqlite) and serves the cloud relay API until close(). */
export async function startCloud(options: CloudOptions): Promise<CloudServer> {
  const log = options.logger.child({ ns: 'cloud' });
  const store = await openCloudStore(options, options.logger);
  let app: FastifyInstance | undefined;
  try {
    app = buildCloudApp({
      store,
      logger: options.logger,
      adminToken: options.adminToken,
      ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
      ...(options.timeouts === undefined ? {} : { timeouts: options.timeouts }),
    });
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
