import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError, ValidationError } from '../../common/errors.ts';
import { dailyLedger, monthlyLedger } from '../../common/ledger/engine.ts';
import { extendedLedger } from '../../common/ledger/extended.ts';
import { extendedLedgerFile, extendedQueryOf } from '../../common/ledger-extended-http.ts';
import type { LedgerSource } from '../../common/ledger/source.ts';
import {
  ledgerDateOf,
  ledgerFile,
  ledgerMonthOf,
  ledgerOutputOf,
  ledgerSettingsOf,
  type LedgerOutput,
} from '../../common/ledger-http.ts';
import { isValidDate } from '../../common/time.ts';
import { ErrorCodes, IdSchema, type AttendanceEvent } from '../../protocol/index.ts';
import type { DailyLedger, MonthlyLedger } from '../../protocol/ledger.ts';
import { readerOf } from '../access.ts';
import { CloudErrorCodes } from '../errors.ts';
import type { CloudRouteContext } from './context.ts';

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

/** A facility's reads: GET /v1/facilities/F/events and …/ledger/daily|monthly|extended. */
export function registerFacilityReads(app: FastifyInstance, { store, auth }: CloudRouteContext): void {
  /** The facility id of the path, once well-formed and readable by the request's principal. */
  async function readableFacility(request: FacilityRequest): Promise<string> {
    const { facilityId } = request.params;
    if (!IdSchema.safeParse(facilityId).success) {
      throw new ValidationError(ErrorCodes.badRequest, 'malformed facility id');
    }
    await auth.access.checkFacilityAccess(auth.principalOf(request), facilityId);
    return facilityId;
  }

  app.get<FacilityRoute>(
    '/v1/facilities/:facilityId/events',
    auth.reader,
    async (request): Promise<EventsResponse> => {
      const facilityId = await readableFacility(request);
      const date = request.query['date'];
      if (typeof date !== 'string' || !isValidDate(date)) {
        throw new ValidationError(
          ErrorCodes.badRequest,
          'query parameter date must be a calendar date YYYY-MM-DD',
        );
      }
      if ((await store.getFacility(facilityId)) === undefined) {
        throw new NotFoundError(ErrorCodes.notFound, `unknown facility ${facilityId}`);
      }
      const events = await store.eventsOn(facilityId, date);
      const by = readerOf(auth.principalOf(request));
      request.log.info({ facilityId, date, by, count: events.length }, 'events read');
      return { facilityId, date, events };
    },
  );

  /** Checks shared by both ledger routes, in the order of the events route: id, token, query. */
  async function ledgerQuery(request: FacilityRequest): Promise<LedgerOutput> {
    await readableFacility(request);
    return ledgerOutputOf(request.query);
  }

  /**
   * What the ledgers of [from, to] are built from: the snapshot versions in effect on its days and its
   * amendments, as the hub relayed them. not_found for an unknown facility, no_snapshot before its hub
   * sent a version (or when none is in effect in the period, as the hub answers then).
   */
  async function sourceOf(facilityId: string, from: string, to: string): Promise<LedgerSource> {
    if ((await store.getFacility(facilityId)) === undefined) {
      throw new NotFoundError(ErrorCodes.notFound, `unknown facility ${facilityId}`);
    }
    const versions = await store.ledgerVersions(facilityId, from, to);
    if (versions.length === 0) {
      throw new NotFoundError(
        CloudErrorCodes.noSnapshot,
        `no hub of facility ${facilityId} has sent its roster and settings for ${from}…${to} yet`,
      );
    }
    return { versions, amendments: await store.amendments(facilityId, from, to) };
  }

  /** The ledger as JSON, or as a file download in the asked format (LedgerFontError without a PDF font). */
  async function sendLedger(
    reply: FastifyReply,
    ledger: DailyLedger | MonthlyLedger,
    { format, encoding, language }: LedgerOutput,
    source: LedgerSource,
    lastDay: string,
  ): Promise<DailyLedger | MonthlyLedger | Buffer> {
    if (format === 'json') return ledger;
    const file = await ledgerFile(ledger, format, encoding, ledgerSettingsOf(source, lastDay, language));
    void reply.header('content-type', file.contentType).header('content-disposition', file.disposition);
    return file.body;
  }

  /** Who read which ledger: ids, period, format and size only (ledgers hold children's names). */
  function logLedger(request: FastifyRequest, fields: Record<string, unknown>): void {
    request.log.info({ ...fields, by: readerOf(auth.principalOf(request)) }, 'ledger read');
  }

  app.get<FacilityRoute>('/v1/facilities/:facilityId/ledger/daily', auth.reader, async (request, reply) => {
    const query = await ledgerQuery(request);
    const { facilityId } = request.params;
    const date = ledgerDateOf(request.query);
    const source = await sourceOf(facilityId, date, date);
    const ledger = dailyLedger(source, date, await store.ledgerEvents(facilityId, date, date));
    logLedger(request, { facilityId, date, format: query.format, rows: ledger.rows.length });
    return sendLedger(reply, ledger, query, source, date);
  });

  app.get<FacilityRoute>('/v1/facilities/:facilityId/ledger/monthly', auth.reader, async (request, reply) => {
    const query = await ledgerQuery(request);
    const { facilityId } = request.params;
    const { month, from: first, to: last, classId } = ledgerMonthOf(request.query);
    const source = await sourceOf(facilityId, first, last);
    // Before reading the events; the engine checks the same (a class of some version of the month).
    if (classId !== null && !source.versions.some((v) => v.snapshot.classes.some((c) => c.id === classId))) {
      throw new ValidationError(
        ErrorCodes.unknownClass,
        `facility ${facilityId} has no class ${classId} in ${month}`,
      );
    }
    const events = await store.ledgerEvents(facilityId, first, last);
    const ledger = monthlyLedger(source, month, events, classId);
    logLedger(request, { facilityId, month, format: query.format, rows: ledger.rows.length });
    return sendLedger(reply, ledger, query, source, last);
  });

  // The extended-care report (protocol/ledger-extended.ts), built as the hub's (http/extended-ledger.ts).
  app.get<FacilityRoute>(
    '/v1/facilities/:facilityId/ledger/extended',
    auth.reader,
    async (request, reply) => {
      await readableFacility(request);
      const query = extendedQueryOf(request.query);
      const { facilityId } = request.params;
      const source = await sourceOf(facilityId, query.from, query.to);
      const events = await store.ledgerEvents(facilityId, query.from, query.to);
      const report = extendedLedger(source, query.month, events);
      logLedger(request, {
        facilityId,
        month: query.month,
        format: query.format,
        rows: report.children.length,
      });
      if (query.format === 'json') return report;
      const file = await extendedLedgerFile(report, ledgerSettingsOf(source, query.to, query.language), {
        ...query,
        format: query.format,
      });
      void reply.header('content-type', file.contentType).header('content-disposition', file.disposition);
      return file.body;
    },
  );
}
