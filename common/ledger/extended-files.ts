import type { ExtendedLedger, ExtendedTable } from '../../protocol/ledger-extended.ts';
import type { CsvEncoding } from '../../protocol/ledger.ts';
import type { LedgerLanguage } from '../../protocol/settings.ts';
import { extendedLabels } from './extended-labels.ts';
import { extendedTable } from './extended-table.ts';
import { fileNamePart } from '../content-disposition.ts';
import { csvFile } from './csv.ts';

/**
 * The extended-care report's CSV and file names. The CSV is written as the ledgers' (csv.ts csvFile):
 * RFC 4180, CRLF, every text cell neutralised, UTF-8 with a BOM or Shift_JIS (CP932) without one.
 */

/** One rectangular table (extended-table.ts): `children` or `days`, in the language. */
export function extendedCsv(
  report: ExtendedLedger,
  table: ExtendedTable,
  language: LedgerLanguage,
  encoding: CsvEncoding,
): Buffer {
  const { header, rows } = extendedTable(report, table, language);
  return csvFile([header, ...rows], encoding);
}

/** The ASCII file name (Content-Disposition `filename`): extended-2026-11.xlsx, extended-2026-11-days.csv. */
export function extendedFileName(report: ExtendedLedger, format: string, table: ExtendedTable): string {
  return `extended-${report.month}${table === 'days' ? '-days' : ''}.${format}`;
}

/**
 * The file name in the language (`filename*`): 延長保育_げんかん保育園_2026-11.xlsx, the CSV's per-day
 * table 延長保育_げんかん保育園_2026-11_日別.csv; extended-care_Genkan_2026-11.xlsx in English.
 */
export function localExtendedFileName(
  report: ExtendedLedger,
  format: string,
  table: ExtendedTable,
  language: LedgerLanguage,
): string {
  const l = extendedLabels(language);
  const parts = [l.fileStem, report.facilityName, report.month, ...(table === 'days' ? [l.daysFile] : [])];
  return `${parts
    .map(fileNamePart)
    .filter((p) => p !== '')
    .join('_')}.${format}`;
}
