import { ValidationError } from './errors.ts';
import { isValidDate } from './time.ts';
import {
  CSV_ENCODINGS,
  LEDGER_FORMATS,
  type CsvEncoding,
  type DailyLedger,
  type LedgerFormat,
  type MonthlyLedger,
} from '../protocol/index.ts';
import { ledgerContentType, ledgerFileName } from './ledger/table.ts';

/**
 * The ledger routes' query and answer, shared by the hub (`/api/ledger/…`) and the cloud
 * (`/v1/facilities/F/ledger/…`) so that both accept the same parameters and send the same bytes.
 * Refusals are ValidationErrors with code `bad_request`; each server maps them to its 400.
 */

export interface LedgerOutput {
  format: LedgerFormat;
  encoding: CsvEncoding;
}

function param(query: Record<string, unknown>, name: string): string | undefined {
  const v = query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string')
    throw new ValidationError('bad_request', `query parameter ${name} is given twice`, name);
  return v;
}

function oneOf<T extends string>(value: string, allowed: readonly T[]): value is T {
  return (allowed as readonly string[]).includes(value);
}

/** `format` (default json) and `encoding` (default utf8; CSV only). */
export function ledgerOutputOf(query: Record<string, unknown>): LedgerOutput {
  const format = param(query, 'format') ?? 'json';
  if (!oneOf(format, LEDGER_FORMATS)) {
    throw new ValidationError('bad_request', `format must be one of ${LEDGER_FORMATS.join(', ')}`, 'format');
  }
  const encoding = param(query, 'encoding') ?? 'utf8';
  if (!oneOf(encoding, CSV_ENCODINGS)) {
    throw new ValidationError(
      'bad_request',
      `encoding must be one of ${CSV_ENCODINGS.join(', ')}`,
      'encoding',
    );
  }
  return { format, encoding };
}

/** `date` of a daily ledger (YYYY-MM-DD), or `fallback` (the hub: today) when absent and allowed. */
export function ledgerDateOf(query: Record<string, unknown>, fallback?: string): string {
  const date = param(query, 'date') ?? fallback;
  if (date === undefined || !isValidDate(date)) {
    throw new ValidationError('bad_request', 'date must be a calendar date written YYYY-MM-DD', 'date');
  }
  return date;
}

/** `month` (YYYY-MM) and its first and last day, and `class` (or null) of a monthly ledger. */
export function ledgerMonthOf(
  query: Record<string, unknown>,
  fallback?: string,
): { month: string; from: string; to: string; classId: string | null } {
  const month = param(query, 'month') ?? fallback;
  const m = month === undefined ? null : /^(\d{4})-(\d{2})$/.exec(month);
  const year = Number(m?.[1]);
  const mon = Number(m?.[2]);
  if (month === undefined || m === null || mon < 1 || mon > 12) {
    throw new ValidationError('bad_request', 'month must be written YYYY-MM', 'month');
  }
  const days = new Date(Date.UTC(year, mon, 0)).getUTCDate();
  return {
    month,
    from: `${month}-01`,
    to: `${month}-${String(days).padStart(2, '0')}`,
    classId: param(query, 'class') ?? null,
  };
}

export interface LedgerFile {
  body: Buffer;
  contentType: string;
  /** The whole Content-Disposition value (attachment with the file name). */
  disposition: string;
}

/** The ledger as a file (CSV, XLSX or PDF). PDF may throw LedgerFontError (`pdf_font_missing`). */
export async function ledgerFile(
  ledger: DailyLedger | MonthlyLedger,
  format: Exclude<LedgerFormat, 'json'>,
  encoding: CsvEncoding,
): Promise<LedgerFile> {
  // Each format's library (iconv-lite, exceljs, pdfkit) loads with its first file, not with the server.
  const body =
    format === 'csv'
      ? (await import('./ledger/csv.ts')).ledgerCsv(ledger, encoding)
      : format === 'xlsx'
        ? await (await import('./ledger/xlsx.ts')).ledgerXlsx(ledger)
        : await (await import('./ledger/pdf.ts')).ledgerPdf(ledger);
  return {
    body,
    contentType: ledgerContentType(format, encoding),
    disposition: `attachment; filename="${ledgerFileName(ledger, format)}"`,
  };
}
