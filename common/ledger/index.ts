/** The attendance-ledger engine and its file formats: see engine.ts for the rules. */
export { dailyLedger, daysInMonth, extendedMinutes, minutesOfDay, monthlyLedger } from './engine.ts';
export { enrolledOn, type LedgerSource } from './source.ts';
export {
  cellText,
  CORRECTED_MARK,
  LEDGER_CONTENT_TYPES,
  ledgerContentType,
  ledgerFileName,
  ledgerTable,
  neutralizeCell,
  tableLines,
  type AmendmentsTable,
  type Cell,
  type LedgerTable,
} from './table.ts';
export { AMENDMENT_COLUMNS, AMENDMENTS_TITLE, dayStateText } from './amendments.ts';
export { ledgerCsv } from './csv.ts';
export { ledgerXlsx } from './xlsx.ts';
export { findLedgerFont, LedgerFontError, PDF_FONT_CANDIDATES } from './font.ts';
export { ledgerPdf } from './pdf.ts';
export type {
  CsvEncoding,
  DailyLedger,
  DailyLedgerRow,
  FacilitySnapshot,
  LedgerFormat,
  MonthlyLedger,
  MonthlyLedgerRow,
  SnapshotVersion,
} from '../../protocol/ledger.ts';
