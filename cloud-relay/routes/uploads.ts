import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../common/errors.ts';
import {
  BATCH_MAX,
  BatchRequestSchema,
  CLOUD_TIME_WINDOW,
  describeIssues,
  ErrorCodes,
  validateEvents,
  type BatchResponse,
} from '../../protocol/index.ts';
import { FacilitySnapshotSchema } from '../../protocol/ledger.ts';
import { forbidden } from '../errors.ts';
import type { CloudRouteContext } from './context.ts';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The hubs' uploads: POST /v1/batches (events) and PUT /v1/snapshot (roster and care rules). */
export function registerUploads(
  app: FastifyInstance,
  { store, metrics, clock, auth }: CloudRouteContext,
): void {
  app.post('/v1/batches', auth.uploader, async (request): Promise<BatchResponse> => {
    const principal = auth.principalOf(request);
    if (principal.kind !== 'hub') throw forbidden('only hub tokens may upload batches');
    const body = request.body;
    if (isRecord(body) && Array.isArray(body['events']) && body['events'].length > BATCH_MAX) {
      throw new ValidationError(
        ErrorCodes.batchTooLarge,
        `a batch holds at most ${BATCH_MAX} events, got ${body['events'].length}`,
      );
    }
    const parsed = BatchRequestSchema.safeParse(body);
    // bad_request, as docs/protocol.md lists for HTTP (invalid_payload is the MQTT counterpart).
    if (!parsed.success) throw new ValidationError(ErrorCodes.badRequest, describeIssues(parsed.error));
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
  });

  app.put('/v1/snapshot', auth.uploader, async (request, reply) => {
    const principal = auth.principalOf(request);
    if (principal.kind !== 'hub') throw forbidden('only hub tokens may upload snapshots');
    const parsed = FacilitySnapshotSchema.safeParse(request.body);
    if (!parsed.success) throw new ValidationError(ErrorCodes.badRequest, describeIssues(parsed.error));
    const snapshot = parsed.data;
    if (snapshot.facilityId !== principal.facilityId) {
      throw forbidden(`this token does not belong to facility ${snapshot.facilityId}`);
    }
    // The store refuses another time zone than the facility's (ConflictError time_zone_mismatch).
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
  });
}
