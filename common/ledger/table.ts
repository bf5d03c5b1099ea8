import {
  DAILY_LEDGER_COLUMNS,
  type DailyLedger,
  type LedgerFormat,
  type MonthlyLedger,
} from '../../protocol/ledger.ts';

/** A ledger as a grid of cells, the one source of the CSV, XLSX and PDF renderers. */
export type Cell = string | number | boolean | null;

export interface LedgerTable {
  header: string[];
  rows: Cell[][];
}

export function isDaily(ledger: DailyLedger | MonthlyLedger): ledger is DailyLedger {
  return 'date' in ledger;
}

/** Daily: DAILY_LEDGER_COLUMNS. Monthly: class_name,child_id,child_name,1…N,attended_days,absent_days,extended_minutes. */
export function ledgerTable(ledger: DailyLedger | MonthlyLedger): LedgerTable {
  if (isDaily(ledger)) {
    return {
      header: [...DAILY_LEDGER_COLUMNS],
      rows: ledger.rows.map((r) => DAILY_LEDGER_COLUMNS.map((c) => r[c])),
    };
  }
  const [y = 0, m = 1] = ledger.month.split('-').map(Number);
  const n = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const dayNumbers = Array.from({ length: n }, (_, i) => String(i + 1));
  return {
    header: [
      'class_name',
      'child_id',
      'child_name',
      ...dayNumbers,
      'attended_days',
      'absent_days',
      'extended_minutes',
    ],
    rows: ledger.rows.map((r) => [
      r.class_name,
      r.child_id,
      r.child_name,
      ...dayNumbers.map((_, i) => r.days[i] ?? ''),
      r.attended_days,
      r.absent_days,
      r.extended_minutes,
    ]),
  };
}

/**
 * OWASP CSV injection: a cell starting with = + - @ tab CR or LF is a formula (or becomes one) to
 * Excel, LibreOffice and Google Sheets, so it gets a leading apostrophe and is shown as text.
 */
export function neutralizeCell(value: string): string {
  return /^[=+\-@\t\r\n]/.test(value) ? `'${value}` : value;
}

/** A cell's text as CSV and PDF show it: null empty, booleans true/false, strings neutralised. */
export function cellText(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'string') return neutralizeCell(cell);
  return String(cell);
}

/** e.g. ledger-2026-04-01.csv, ledger-2026-04.xlsx, ledger-2026-04-k1.pdf (one class). */
export function ledgerFileName(ledger: DailyLedger | MonthlyLedger, format: LedgerFormat): string {
  if (isDaily(ledger)) return `ledger-${ledger.date}.${format}`;
  const cls = ledger.classId === null ? '' : `-${ledger.classId}`;
  return `ledger-${ledger.month}${cls}.${format}`;
}

export const LEDGER_CONTENT_TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
} as const satisfies Record<'csv' | 'xlsx' | 'pdf', string>;

/** The Content-Type of a ledger file; the CSV's charset follows its encoding. */
export function ledgerContentType(format: LedgerFormat, encoding: 'utf8' | 'sjis' = 'utf8'): string {
  switch (format) {
    case 'csv':
      return encoding === 'sjis' ? 'text/csv; charset=Shift_JIS' : LEDGER_CONTENT_TYPES.csv;
    case 'json':
      return 'application/json; charset=utf-8';
    case 'xlsx':
    case 'pdf':
      return LEDGER_CONTENT_TYPES[format];
  }
}
