import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { isValidDate, localDate } from '../../common/time.ts';
import { ErrorCodes, LEDGER_LANGUAGES, type LedgerLanguage } from '../../protocol/index.ts';
import { staffingReportOn, type StaffingSource } from '../staffing/daily.ts';
import { staffingCsv } from '../staffing/report-csv.ts';

/** The staffing report's path: the hub's hook lets it through with the admin token or an admin session. */
export const STAFFING_DAILY_PATH = '/api/staffing/daily';

const FORMATS = ['json', 'csv'] as const;

function param(query: Record<string, unknown>, name: string): string | undefined {
  const v = query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') {
    throw new ValidationError(ErrorCodes.badRequest, `query parameter ${name} is given twice`, name);
  }
  return v;
}

function oneOf<T extends string>(value: string, allowed: readonly T[]): value is T {
  return (allowed as readonly string[]).includes(value);
}

/**
 * GET /api/staffing/daily?date=YYYY-MM-DD&format=json|csv&lang=ja|en: the daily staffing report (report.ts).
 * `date`: today by default; `lang`: the CSV's headings and values, the ledger language setting by default.
 */
export function registerStaffingApi(
  app: FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>,
  options: StaffingSource,
): void {
  app.get<{ Querystring: Record<string, unknown> }>(STAFFING_DAILY_PATH, (req, reply) => {
    const date = param(req.query, 'date') ?? localDate(options.clock.now(), options.timeZone);
    if (!isValidDate(date)) {
      throw new ValidationError(
        ErrorCodes.badRequest,
        'date must be a calendar date written YYYY-MM-DD',
        'date',
      );
    }
    const format = param(req.query, 'format') ?? 'json';
    if (!oneOf(format, FORMATS)) {
      throw new ValidationError(
        ErrorCodes.badRequest,
        `format must be one of ${FORMATS.join(', ')}`,
        'format',
      );
    }
    const langParam = param(req.query, 'lang');
    if (langParam !== undefined && !oneOf(langParam, LEDGER_LANGUAGES)) {
      throw new ValidationError(
        ErrorCodes.badRequest,
        `lang must be one of ${LEDGER_LANGUAGES.join(', ')}`,
        'lang',
      );
    }
    const lang: LedgerLanguage = langParam ?? options.store.settings.facilitySettings().ledger.language;
    const report = staffingReportOn(options, date);
    if (format === 'json') return report;
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="staffing-${date}.csv"`)
      .send(staffingCsv(report, lang));
  });
}
