import {
  fastify,
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
} from 'fastify';
import {
  TooLargeError,
  UnavailableError,
  UnsupportedFormatError,
  ValidationError,
} from '../common/errors.ts';
import {
  errorAnswer,
  installErrorHandling,
  sendErrorAnswer,
  type ErrorAnswer,
  type FrameworkWording,
} from '../common/http-errors.ts';
import type { Logger } from '../common/logger.ts';
import { systemClock, type Clock } from '../common/time.ts';
import type { WebBundle } from '../common/web-bundle.ts';
import { ErrorCodes } from '../protocol/index.ts';
import { CloudAccess } from './access.ts';
import { TokenBuckets, type RateLimit } from './backpressure.ts';
import {
  DEFAULT_BODY_LIMIT,
  DEFAULT_HOST,
  DEFAULT_HUB_RATE_LIMIT,
  DEFAULT_MAX_DB_WAITING,
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_STALE_AFTER_MS,
  DEFAULT_TIMEOUTS,
  OVERLOAD_RETRY_AFTER_S,
  type CloudTimeouts,
  type ParentRateLimit,
} from './defaults.ts';
import { CloudErrorCodes } from './errors.ts';
import { CloudMetrics } from './metrics.ts';
import { CloudRetentionJob, RETENTION_INTERVAL_MS } from './retention.ts';
import { RequestAuth, type CloudRouteContext } from './routes/context.ts';
import { StoredEvents } from './stored-events.ts';
import { registerFacilityReads } from './routes/facilities.ts';
import { registerHubCatchUp } from './routes/hub-catch-up.ts';
import { registerDisposalReads } from './routes/disposals.ts';
import { registerOrgReads } from './routes/orgs.ts';
import { registerParents } from './routes/parents.ts';
import { checkedSecret } from './option-checks.ts';
import { PROBES, registerProbes } from './routes/probes.ts';
import { registerUploads } from './routes/uploads.ts';
import { describeStoreLocation, type CloudStoreLocation } from './store/location.ts';
import { openCloudStore } from './store/open.ts';
import type { WebhookTuning } from './webhooks/tuning.ts';
import { WebhookWorker } from './webhooks/worker.ts';
import type { CloudStore } from './store/types.ts';

/** Routes that hold a request open while waiting (long-polls): not counted as in flight. */
const LONG_POLLS = new Set(['/v1/hub/parent-messages']);

/** Tunables shared by buildCloudApp and startCloud. */
export interface CloudTuning {
  /** Enables cross-facility reads (every facility, every organisation); undefined or empty disables them. */
  adminToken?: string | undefined;
  /** When set, GET /metrics takes it (or the admin token) as a bearer token. */
  metricsToken?: string | undefined;
  /** GET /metrics without a token (--metrics-public); otherwise it needs the metrics or the admin token. */
  metricsPublic?: boolean | undefined;
  bodyLimit?: number;
  timeouts?: Partial<CloudTimeouts>;
  /** Per-hub token bucket on the uploads (batches, snapshots, amendments); null disables it. */
  hubRateLimit?: RateLimit | null;
  maxInFlight?: number;
  maxDbWaiting?: number;
  /** The rollup marks a facility stale after this long without a relay from any of its hubs. */
  staleAfterMs?: number;
  clock?: Clock;
  /**
   * The origin parents reach the parent app at (`https://parents.example.jp`), which WebAuthn binds
   * passkeys to; undefined: each request's own origin (fine without a proxy; see docs/parents.md).
   */
  parentOrigin?: string | undefined;
  /** Per client address on /parent/api/; null disables it. */
  parentRateLimit?: ParentRateLimit | null;
  /**
   * Fastify's trustProxy (--trust-proxy): true (any peer) or the proxies' addresses. Behind a TLS proxy
   * every request comes from the proxy: without this, all parents share one rate limit and one
   * failed-sign-in count, and the request's own origin is http.
   */
  trustProxy?: boolean | string | undefined;
  /** The parent app's files, loaded on the first request to /parent/; defaults to the built app. */
  parentApp?: () => Promise<WebBundle>;
  /** The webhook worker's pacing (startCloud; docs/webhooks.md); tests shorten it. */
  webhooks?: Partial<WebhookTuning> | undefined;
  /**
   * Web Push to plain http and local endpoints too (--push-insecure-endpoints): for tests and local
   * development only; otherwise a subscription's endpoint must be https to a named host.
   */
  pushAllowInsecure?: boolean | undefined;
  /** The VAPID contact push services may reach the operator at (mailto: or https:; --push-contact). */
  pushContact?: string | undefined;
}

export interface CloudAppOptions extends CloudTuning {
  /** Not owned: the caller closes it after the app. */
  store: CloudStore;
  logger: Logger;
  /** Given the routes' context once, before any request: startCloud hooks the webhook worker to it. */
  onContext?: (context: CloudRouteContext) => void;
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

/** The cloud's wording of fastify's body refusals; the rest keep the shared answer (common/http-errors.ts). */
function frameworkWording(bodyLimit: number): FrameworkWording {
  return (err) => {
    switch (err.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return new ValidationError(ErrorCodes.invalidJson, 'request body is not valid JSON');
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return new ValidationError(ErrorCodes.invalidJson, 'request body is empty');
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return new TooLargeError(ErrorCodes.payloadTooLarge, `request body is over ${bodyLimit} bytes`);
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return new UnsupportedFormatError(
          CloudErrorCodes.unsupportedMediaType,
          'request body must be application/json',
        );
      default:
        return undefined;
    }
  };
}

/** Which error answers are worth a log line, and at which level. */
function logErrorAnswer(
  request: FastifyRequest,
  { status, code, retryAfterSeconds }: ErrorAnswer,
  err: unknown,
): void {
  // Backpressure is expected under load: counted in /metrics, not an error.
  if (retryAfterSeconds !== undefined) request.log.warn({ status, code }, 'request deferred');
  else if (status >= 500) request.log.error({ err }, 'request failed');
  // Auth refusals at info: repeated ones are worth seeing (a revoked hub, a probe).
  else if (status === 401 || status === 403) request.log.info({ status, code }, 'request refused');
  else request.log.debug({ status, code }, 'request refused');
}

/**
 * The cloud relay's HTTP API on a given store: POST /v1/batches, PUT /v1/snapshots/V, PUT
 * /v1/amendments/ID and the deprecated PUT /v1/snapshot (hub uploads), GET
 * /v1/facilities/F/events and …/ledger/daily|monthly, GET /v1/orgs/O/… (reads), PUT /v1/hub/parents/G
 * and the parent app (/parent/, /parent/api/), and the probes. Not listening yet; startCloud does that.
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
  const hubRateLimit = options.hubRateLimit === undefined ? DEFAULT_HUB_RATE_LIMIT : options.hubRateLimit;
  const buckets = hubRateLimit === null ? undefined : new TokenBuckets(hubRateLimit);
  let inFlight = 0;
  const metrics = new CloudMetrics(() => inFlight);
  const wording = frameworkWording(bodyLimit);
  // Typed as fastify's logger so that the app is a plain FastifyInstance for callers.
  const log: FastifyBaseLogger = options.logger.child({ ns: 'cloud.http' });

  const app = fastify({
    loggerInstance: log,
    // Our onResponse hook logs one line per request, without query strings.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit,
    ...(options.trustProxy !== undefined && { trustProxy: options.trustProxy }),
    requestTimeout: timeouts.requestTimeoutMs,
    connectionTimeout: timeouts.connectionTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    // Not taken from the client: ids are ours, so a request id header cannot spoof log lines.
    requestIdHeader: false,
    // While draining, fastify would answer 503 with its own body shape; serving the request (with
    // Connection: close) is better: the store stays open until the last response is sent.
    return503OnClosing: false,
    frameworkErrors: (err, _request, reply) => {
      void sendErrorAnswer(reply, errorAnswer(err, wording));
    },
  });
  // Only JSON bodies: fastify would otherwise accept text/plain as a string.
  app.removeContentTypeParser('text/plain');

  installErrorHandling(app, {
    wording,
    noRoute: (request) => `no route ${request.method} ${request.url.split('?')[0] ?? ''}`,
    log: logErrorAnswer,
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
      throw new UnavailableError(
        CloudErrorCodes.overloaded,
        'the cloud relay is overloaded; retry later',
        OVERLOAD_RETRY_AFTER_S,
      );
    }
    // A held long-poll costs a socket and a read a second, not a request's work: if it counted, the hubs
    // of many facilities waiting at once would get everyone else refused.
    if (LONG_POLLS.has(path)) return;
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

  registerProbes(app, { store, metrics, metricsToken, adminToken, metricsPublic: options.metricsPublic });
  const context: CloudRouteContext = {
    store,
    metrics,
    clock,
    auth: new RequestAuth(new CloudAccess({ store, adminToken, buckets })),
    storedEvents: new StoredEvents(options.logger.child({ ns: 'cloud.events' })),
  };
  options.onContext?.(context);
  registerUploads(app, context);
  registerFacilityReads(app, context);
  registerHubCatchUp(app, context);
  registerOrgReads(app, context, options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS);
  registerDisposalReads(app, context);
  registerParents(app, context, options);
  return app;
}

/** Opens the store (PostgreSQL at options.db, or DATA/cloud.sqlite) and serves the cloud relay API until close(). */
export async function startCloud(options: CloudOptions): Promise<CloudServer> {
  const log = options.logger.child({ ns: 'cloud' });
  const store = await openCloudStore(options, options.logger);
  // Facilities' webhooks (docs/webhooks.md): started once listening, stopped before the store closes.
  const webhooks = new WebhookWorker({
    store,
    // The store stamps receipt times with the system clock; the worker's cursor and retries go by it too.
    clock: systemClock,
    logger: options.logger.child({ ns: 'cloud.webhooks' }),
    tuning: options.webhooks,
  });
  let app: FastifyInstance | undefined;
  try {
    const { port: _port, host: _host, logger, dataDir: _dataDir, db: _db, ...tuning } = options;
    app = buildCloudApp({
      ...tuning,
      store,
      logger,
      onContext: (context) => {
        webhooks.attach(context);
      },
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

  // Deletes what is past the retention (docs/admin.md): now, then hourly; stopped before the store closes.
  const retention = new CloudRetentionJob({
    store,
    clock: options.clock ?? systemClock,
    logger: options.logger.child({ ns: 'cloud.retention' }),
  });
  const runRetention = () =>
    retention.run().catch((err: unknown) => {
      log.error({ err }, 'retention job failed');
    });
  void runRetention();
  const retentionTimer = setInterval(() => void runRetention(), RETENTION_INTERVAL_MS);
  webhooks.start();

  const running = app;
  let closing: Promise<void> | undefined;
  return {
    port,
    close: () => {
      closing ??= (async () => {
        try {
          clearInterval(retentionTimer);
          // Deliveries in progress are cut short and their webhooks released for the next start.
          await webhooks.stop();
          await running.close();
          // A run in progress finishes (its transactions commit) before the store closes.
          await retention.stop();
        } finally {
          await store.close();
        }
        log.info('cloud relay stopped');
      })();
      return closing;
    },
  };
}
