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
    /** When set, GET /metrics needs it (or the admin token) as a bearer token. */
    metricsToken: string | undefined;
    adminToken: string | undefined;
  },
): void {
  const { store, metrics, metricsToken, adminToken } = options;

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
}
