import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
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
import { AmendmentSchema } from '../../protocol/history.ts';
import { FacilitySnapshotSchema, SnapshotVersionSchema } from '../../protocol/ledger.ts';
import type { Principal } from '../access.ts';
import { forbidden } from '../errors.ts';
import type { CloudRouteContext } from './context.ts';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** 200 of PUT /v1/snapshots/V and PUT /v1/amendments/ID: false when the cloud had it already. */
interface StoredResponse {
  stored: boolean;
}

/**
 * The hubs' uploads: POST /v1/batches (events), PUT /v1/snapshots/V (a dated version of the roster and
 * care rules), PUT /v1/amendments/ID (a correction of a closed month), and the deprecated PUT /v1/snapshot
 * of old hubs (roster and care rules for all days).
 */
export function registerUploads(
  app: FastifyInstance,
  { store, metrics, clock, auth, storedEvents }: CloudRouteContext,
): void {
  /** The request's hub: only hub tokens upload. */
  function uploaderOf(request: FastifyRequest, what: string): Extract<Principal, { kind: 'hub' }> {
    const principal = auth.principalOf(request);
    if (principal.kind !== 'hub') throw forbidden(`only hub tokens may upload ${what}`);
    return principal;
  }

  /** A body through its schema: bad_request naming the fields otherwise, as for batches. */
  function parsed<T>(schema: z.ZodType<T>, body: unknown): T {
    const result = schema.safeParse(body);
    if (!result.success) throw new ValidationError(ErrorCodes.badRequest, describeIssues(result.error));
    return result.data;
  }

  app.post('/v1/batches', auth.uploader, async (request): Promise<BatchResponse> => {
    const principal = uploaderOf(request, 'batches');
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
    const newIds = new Set(stored.accepted);
    storedEvents.emit(
      facilityId,
      events.filter((e) => newIds.has(e.id)),
    );
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

  /** Deprecated (old hubs): stored as a version effective for all days (CloudStore.putSnapshot). */
  app.put('/v1/snapshot', auth.uploader, async (request, reply) => {
    const principal = uploaderOf(request, 'snapshots');
    const snapshot = parsed(FacilitySnapshotSchema, request.body);
    if (snapshot.facilityId !== principal.facilityId) {
      throw forbidden(`this token does not belong to facility ${snapshot.facilityId}`);
    }
    // The store refuses another time zone than the facility's (ConflictError time_zone_mismatch).
    const version = await store.putSnapshot(principal.facilityId, principal.hubId, snapshot);
    metrics.countSnapshot();
    metrics.hubSeen(principal.hubId, clock.now().getTime());
    request.log.info(
      {
        hubId: principal.hubId,
        facilityId: principal.facilityId,
        version,
        classes: snapshot.classes.length,
        children: snapshot.children.length,
      },
      'snapshot stored (deprecated PUT /v1/snapshot)',
    );
    return reply.code(204).send();
  });

  app.put<{ Params: { version: string } }>(
    '/v1/snapshots/:version',
    auth.uploader,
    async (request): Promise<StoredResponse> => {
      const principal = uploaderOf(request, 'snapshots');
      const body = parsed(SnapshotVersionSchema, request.body);
      if (request.params.version !== String(body.version)) {
        throw new ValidationError(
          ErrorCodes.badRequest,
          `the path names version ${request.params.version.slice(0, 20)}, the body version ${body.version}`,
        );
      }
      if (body.snapshot.facilityId !== principal.facilityId) {
        throw forbidden(`this token does not belong to facility ${body.snapshot.facilityId}`);
      }
      // The store refuses another zone (time_zone_mismatch) and other content under a stored version.
      const stored = await store.putSnapshotVersion(principal.facilityId, principal.hubId, body);
      if (stored) metrics.countSnapshot();
      metrics.hubSeen(principal.hubId, clock.now().getTime());
      request.log.info(
        {
          hubId: principal.hubId,
          facilityId: principal.facilityId,
          version: body.version,
          effectiveFrom: body.effectiveFrom,
          stored,
          children: body.snapshot.children.length,
        },
        'snapshot version received',
      );
      return { stored };
    },
  );

  app.put<{ Params: { correctionId: string } }>(
    '/v1/amendments/:correctionId',
    auth.uploader,
    async (request): Promise<StoredResponse> => {
      const principal = uploaderOf(request, 'amendments');
      const body = parsed(AmendmentSchema, request.body);
      if (request.params.correctionId !== body.correctionId) {
        throw new ValidationError(
          ErrorCodes.badRequest,
          "the correction id of the path is not the body's correctionId",
        );
      }
      const stored = await store.putAmendment(principal.facilityId, principal.hubId, body);
      if (stored) metrics.countAmendment();
      metrics.hubSeen(principal.hubId, clock.now().getTime());
      // Ids and the date only: an amendment names a child and says why.
      request.log.info(
        {
          hubId: principal.hubId,
          facilityId: principal.facilityId,
          correctionId: body.correctionId,
          date: body.date,
          stored,
        },
        'amendment received',
      );
      return { stored };
    },
  );
}
