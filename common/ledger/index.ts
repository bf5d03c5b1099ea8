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
export { csvFile, ledgerCsv } from './csv.ts';
export { documentXlsx, ledgerXlsx } from './xlsx.ts';
export { findLedgerFont, LedgerFontError, PDF_FONT_CANDIDATES } from './font.ts';
export { documentPdf, ledgerPdf } from './pdf.ts';
export {
  COLUMN_MARKS,
  MARK_FILLS,
  type ColumnMark,
  type DocumentColumn,
  type DocumentRow,
  type DocumentSection,
  type LedgerDocument,
} from './document.ts';
export { ledgerDocument } from './ledger-document.ts';
export { ledgerLabels, localNote, type LedgerLabels } from './labels.ts';
export {
  calendarDay,
  holidayName,
  japaneseEraDate,
  japaneseEraMonth,
  japaneseEraYear,
  monthCalendar,
  weekdayOf,
  type CalendarDay,
} from './calendar.ts';
export { ledgerDisposition, localLedgerFileName } from './file-name.ts';
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
