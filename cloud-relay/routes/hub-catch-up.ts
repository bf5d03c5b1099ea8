import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ValidationError } from '../../common/errors.ts';
import {
  CATCH_UP_PAGE_MAX,
  ErrorCodes,
  type HubAmendmentsPage,
  type HubEventsPage,
  type HubSnapshotsPage,
} from '../../protocol/index.ts';
import type { Principal } from '../access.ts';
import { forbidden } from '../errors.ts';
import type { CloudRouteContext } from './context.ts';

interface CatchUpRoute {
  Querystring: Record<string, unknown>;
}

const ReceiptCursorSchema = z.strictObject({ receivedAt: z.string().max(64), id: z.string().max(64) });
const AmendmentCursorSchema = z.strictObject({ at: z.string().max(64), correctionId: z.string().max(64) });

/** Cursors are opaque to the hub: base64url JSON of the position of the page's last item. */
function encodeCursor(position: object): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

function decodeCursor<T>(schema: z.ZodType<T>, value: unknown): T | null {
  if (value === undefined || value === '') return null;
  if (typeof value !== 'string' || value.length > 512) throw badQuery('cursor is malformed');
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    throw badQuery('cursor is malformed');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw badQuery('cursor is malformed');
  return parsed.data;
}

function badQuery(message: string): ValidationError {
  return new ValidationError(ErrorCodes.badRequest, message);
}

/** `limit` of the query: 1…CATCH_UP_PAGE_MAX, default the maximum. */
function limitOf(value: unknown): number {
  if (value === undefined) return CATCH_UP_PAGE_MAX;
  const n = typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= 1)) throw badQuery(`limit must be an integer from 1 to ${String(CATCH_UP_PAGE_MAX)}`);
  return Math.min(n, CATCH_UP_PAGE_MAX);
}

/**
 * What a hub restored from a backup reads back of its own facility (docs/protocol.md, "Hub catch-up"):
 * GET /v1/hub/snapshots, /v1/hub/amendments and /v1/hub/events, paged. Hub tokens only, and only their
 * own facility's records: the facility is the token's, never a parameter.
 */
export function registerHubCatchUp(app: FastifyInstance, { store, auth }: CloudRouteContext): void {
  function hubOf(request: FastifyRequest): Extract<Principal, { kind: 'hub' }> {
    const principal = auth.principalOf(request);
    if (principal.kind !== 'hub') throw forbidden('only hub tokens read /v1/hub/…');
    return principal;
  }

  app.get<CatchUpRoute>('/v1/hub/snapshots', auth.reader, async (request): Promise<HubSnapshotsPage> => {
    const { facilityId, hubId } = hubOf(request);
    const raw = request.query['after'] ?? '0';
    const after = typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
    if (Number.isNaN(after)) throw badQuery('after must be a version number (0 for all)');
    const limit = limitOf(request.query['limit']);
    const versions = await store.versionsAfter(facilityId, after, limit);
    request.log.info({ hubId, facilityId, after, count: versions.length }, 'hub read its snapshot versions');
    return { versions, more: versions.length === limit };
  });

  app.get<CatchUpRoute>('/v1/hub/amendments', auth.reader, async (request): Promise<HubAmendmentsPage> => {
    const { facilityId, hubId } = hubOf(request);
    const after = decodeCursor(AmendmentCursorSchema, request.query['cursor']);
    const limit = limitOf(request.query['limit']);
    const amendments = await store.amendmentsAfter(facilityId, after, limit);
    const last = amendments.at(-1);
    request.log.info({ hubId, facilityId, count: amendments.length }, 'hub read its amendments');
    return {
      amendments,
      cursor:
        amendments.length === limit && last !== undefined
          ? encodeCursor({ at: last.at, correctionId: last.correctionId })
          : null,
    };
  });

  app.get<CatchUpRoute>('/v1/hub/events', auth.reader, async (request): Promise<HubEventsPage> => {
    const { facilityId, hubId } = hubOf(request);
    const since = request.query['since'];
    if (typeof since !== 'string') throw badQuery('since must be an RFC 3339 instant');
    const after = decodeCursor(ReceiptCursorSchema, request.query['cursor']);
    const limit = limitOf(request.query['limit']);
    const page = await store.eventsReceivedSince(facilityId, since, after, limit);
    request.log.info({ hubId, facilityId, count: page.events.length }, 'hub read its events');
    return { events: page.events, cursor: page.next === null ? null : encodeCursor(page.next) };
  });
}
