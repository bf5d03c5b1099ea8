import { ValidationError } from './errors.ts';
import { isValidDate } from './time.ts';
import {
  CSV_ENCODINGS,
  DEFAULT_SETTINGS,
  LEDGER_LANGUAGES,
  LEDGER_FORMATS,
  type CsvEncoding,
  type DailyLedger,
  type LedgerFormat,
  type LedgerLanguage,
  type LedgerSettings,
  type MonthlyLedger,
} from '../protocol/index.ts';
import { ledgerDisposition } from './ledger/file-name.ts';
import { Rosters, type LedgerSource } from './ledger/source.ts';
import { ledgerContentType } from './ledger/table.ts';

/**
 * The ledger routes' query and answer, shared by the hub (`/api/ledger/…`) and the cloud
 * (`/v1/facilities/F/ledger/…`) so that both accept the same parameters and send the same bytes.
 * Refusals are ValidationErrors with code `bad_request`; each server maps them to its 400.
 */

export interface LedgerOutput {
  format: LedgerFormat;
  encoding: CsvEncoding;
  /** `lang` (ja or en): the files' language; null: the setting's (ledgerSettingsOf). */
  language: LedgerLanguage | null;
}

/** A query parameter given at most once (a repeated one is refused), or undefined when absent. */
export function queryParam(query: Record<string, unknown>, name: string): string | undefined {
  const v = query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string')
    throw new ValidationError('bad_request', `query parameter ${name} is given twice`, name);
  return v;
}

/** A query parameter that is one of `allowed`, or `fallback` when absent. */
export function choiceParam<T extends string, F extends T | null>(
  query: Record<string, unknown>,
  name: string,
  allowed: readonly T[],
  fallback: F,
): T | F {
  const value = queryParam(query, name);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ValidationError('bad_request', `${name} must be one of ${allowed.join(', ')}`, name);
  }
  return value as T;
}

/** `format` (default json), `encoding` (default utf8; CSV only) and `lang` (default: the setting's). */
export function ledgerOutputOf(query: Record<string, unknown>): LedgerOutput {
  return {
    format: choiceParam(query, 'format', LEDGER_FORMATS, 'json'),
    encoding: choiceParam(query, 'encoding', CSV_ENCODINGS, 'utf8'),
    language: choiceParam(query, 'lang', LEDGER_LANGUAGES, null),
  };
}

/**
 * How the files of a ledger ending on `lastDay` are written: the `ledger` settings of the snapshot in
 * effect that day (the hub and the cloud read the same versions), the language overridden by `lang`.
 */
export function ledgerSettingsOf(
  source: LedgerSource,
  lastDay: string,
  language: LedgerLanguage | null,
): LedgerSettings {
  const settings = new Rosters(source.versions).heading(lastDay).ledger;
  return language === null ? settings : { ...settings, language };
}

/** `date` of a daily ledger (YYYY-MM-DD), or `fallback` (the hub: today) when absent and allowed. */
export function ledgerDateOf(query: Record<string, unknown>, fallback?: string): string {
  const date = queryParam(query, 'date') ?? fallback;
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
  const month = queryParam(query, 'month') ?? fallback;
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
    classId: queryParam(query, 'class') ?? null,
  };
}

export interface LedgerFile {
  body: Buffer;
  contentType: string;
  /** The whole Content-Disposition value (attachment with the file name). */
  disposition: string;
}

/**
 * The ledger as a file (CSV, XLSX or PDF) written as `settings` say (ledgerSettingsOf), with its file
 * name in the language (RFC 6266 filename*, the ASCII name as filename). PDF may throw LedgerFontError
 * (`pdf_font_missing`).
 */
export async function ledgerFile(
  ledger: DailyLedger | MonthlyLedger,
  format: Exclude<LedgerFormat, 'json'>,
  encoding: CsvEncoding,
  settings: LedgerSettings = DEFAULT_SETTINGS.ledger,
): Promise<LedgerFile> {
  // Each format's library (iconv-lite, exceljs, pdfkit) loads with its first file, not with the server.
  const body =
    format === 'csv'
      ? (await import('./ledger/csv.ts')).ledgerCsv(ledger, encoding, settings.language)
      : format === 'xlsx'
        ? await (await import('./ledger/xlsx.ts')).ledgerXlsx(ledger, settings)
        : await (await import('./ledger/pdf.ts')).ledgerPdf(ledger, settings);
  return {
    body,
    contentType: ledgerContentType(format, encoding),
    disposition: ledgerDisposition(ledger, format, settings.language),
  };
}
