import type { FastifyInstance } from 'fastify';
import { UnavailableError } from '../../common/errors.ts';
import { bearerToken } from '../access.ts';
import { READY_TIMEOUT_MS } from '../defaults.ts';
import { CloudErrorCodes, unauthorized } from '../errors.ts';
import type { CloudMetrics } from '../metrics.ts';
import { secretMatches } from '../store/tokens.ts';
import type { CloudStore } from '../store/types.ts';

/** Routes outside backpressure and request metrics' in-flight count: probes must work under load. */
export const PROBES: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

/** GET /healthz (the process serves), GET /readyz (the database answers) and GET /metrics. */
export function registerProbes(
  app: FastifyInstance,
  options: {
    store: CloudStore;
    metrics: CloudMetrics;
    /** When set, GET /metrics takes it (or the admin token) as a bearer token. */
    metricsToken: string | undefined;
    adminToken: string | undefined;
    /** GET /metrics open to anyone (--metrics-public); without it and without a token, only the admin token. */
    metricsPublic?: boolean | undefined;
  },
): void {
  const { store, metrics, metricsToken, adminToken } = options;
  const metricsOpen = options.metricsPublic === true && metricsToken === undefined;

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
      throw new UnavailableError(CloudErrorCodes.notReady, 'the database is not reachable', 5);
    } finally {
      clearTimeout(timer);
    }
  });

  app.get('/metrics', async (request, reply) => {
    // Closed by default (issue 15): hub ids and their last-seen times tell who runs what, and when.
    if (!metricsOpen) {
      const token = bearerToken(request.headers.authorization);
      const ok =
        token !== undefined &&
        ((metricsToken !== undefined && secretMatches(token, metricsToken)) ||
          (adminToken !== undefined && secretMatches(token, adminToken)));
      if (!ok) {
        throw unauthorized(
          metricsToken === undefined
            ? 'the admin token is required (start the cloud with --metrics-token for a scraper, or --metrics-public to open /metrics)'
            : 'the metrics token or the admin token is required',
        );
      }
    }
    return reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8').send(metrics.render());
  });
}
