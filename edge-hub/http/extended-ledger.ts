import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../../common/logger.ts';
import { extendedLedger } from '../../common/ledger/extended.ts';
import { extendedLedgerFile, extendedQueryOf } from '../../common/ledger-extended-http.ts';
import { ledgerSettingsOf } from '../../common/ledger-http.ts';
import { ledgerSource } from '../facility/history.ts';
import type { StoreOf } from '../store/hub-store.ts';

export interface ExtendedLedgerRouteOptions {
  store: StoreOf<'events' | 'history' | 'corrections'>;
  facilityId: string;
  timeZone: string;
  /** Today's local date (YYYY-MM-DD): the month asked for by default. */
  today: () => string;
}

/**
 * GET /api/ledger/extended?month=YYYY-MM&format=json|csv|xlsx|pdf[&lang=ja|en][&encoding=sjis]
 * [&table=children|days]: the extended-care report (protocol/ledger-extended.ts), built like the cloud's
 * from the same snapshot versions and events. Access as the other /api/ledger/ routes (api.ts: the admin
 * token, or the admin app's session for a GET).
 */
export function registerExtendedLedger(
  app: FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>,
  options: ExtendedLedgerRouteOptions,
): void {
  const { store, facilityId, timeZone } = options;
  app.get<{ Querystring: Record<string, unknown> }>('/api/ledger/extended', async (req, reply) => {
    const query = extendedQueryOf(req.query, options.today().slice(0, 7));
    const source = ledgerSource(store, facilityId, timeZone, query.from, query.to);
    const report = extendedLedger(source, query.month, store.events.ledgerEvents(query.from, query.to));
    if (query.format === 'json') return report;
    const file = await extendedLedgerFile(report, ledgerSettingsOf(source, query.to, query.language), {
      ...query,
      format: query.format,
    });
    return reply.type(file.contentType).header('content-disposition', file.disposition).send(file.body);
  });
}
