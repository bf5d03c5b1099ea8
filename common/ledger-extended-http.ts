import { contentDisposition } from './content-disposition.ts';
import { ledgerContentType } from './ledger/table.ts';
import {
  choiceParam,
  ledgerMonthOf,
  ledgerOutputOf,
  type LedgerFile,
  type LedgerOutput,
} from './ledger-http.ts';
import {
  EXTENDED_TABLES,
  type ExtendedLedger,
  type ExtendedTable,
  type LedgerSettings,
} from '../protocol/index.ts';

/**
 * The extended-care report's route (`/api/ledger/extended` at the hub, `/v1/facilities/F/ledger/extended`
 * at the cloud): its query, parsed as the ledgers' (ledger-http.ts) plus `table`, and its files, so that
 * both servers accept the same parameters and send the same bytes. Refusals are ValidationErrors with
 * code `bad_request` (400).
 */

export interface ExtendedQuery extends LedgerOutput {
  month: string;
  from: string;
  /** The month's last day: its settings write the files (ledger-http.ts ledgerSettingsOf). */
  to: string;
  /** The CSV's table: `children` (default) or `days`. */
  table: ExtendedTable;
}

/** month (YYYY-MM; the hub's fallback: this month), format, encoding and lang (ledger-http.ts), table. */
export function extendedQueryOf(query: Record<string, unknown>, fallbackMonth?: string): ExtendedQuery {
  const output = ledgerOutputOf(query);
  const { month, from, to } = ledgerMonthOf(query, fallbackMonth);
  const table = choiceParam(query, 'table', EXTENDED_TABLES, 'children');
  return { ...output, month, from, to, table };
}

/**
 * The report as a file (CSV, XLSX or PDF) written as `settings` say (ledgerSettingsOf: those in effect on
 * the month's last day, the language as asked). PDF may throw LedgerFontError (`pdf_font_missing`).
 */
export async function extendedLedgerFile(
  report: ExtendedLedger,
  settings: LedgerSettings,
  query: ExtendedQuery & { format: 'csv' | 'xlsx' | 'pdf' },
): Promise<LedgerFile> {
  const { language } = settings;
  const { extendedFileName, localExtendedFileName, extendedCsv } = await import('./ledger/extended-files.ts');
  let body: Buffer;
  if (query.format === 'csv') {
    body = extendedCsv(report, query.table, language, query.encoding);
  } else {
    // Each format's library (exceljs, pdfkit) loads with its first file, not with the server.
    const { extendedDocument } = await import('./ledger/extended-document.ts');
    const doc = extendedDocument(report, settings);
    body =
      query.format === 'xlsx'
        ? await (await import('./ledger/xlsx.ts')).documentXlsx(doc)
        : await (await import('./ledger/pdf.ts')).documentPdf(doc);
  }
  // The print files hold both tables; only the CSV's name says which one it is.
  const table = query.format === 'csv' ? query.table : 'children';
  return {
    body,
    contentType: ledgerContentType(query.format, query.encoding),
    disposition: contentDisposition(
      extendedFileName(report, query.format, table),
      localExtendedFileName(report, query.format, table, language),
    ),
  };
}
