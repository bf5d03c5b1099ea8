import {
  DAILY_LEDGER_COLUMNS,
  type DailyLedger,
  type LedgerFormat,
  type MonthlyLedger,
} from '../../protocol/ledger.ts';
import type { LedgerLanguage } from '../../protocol/settings.ts';
import { amendmentCells } from './amendments.ts';
import { ledgerLabels, localNote } from './labels.ts';

/** A ledger as a grid of cells, the one source of the CSV and of the print documents (XLSX, PDF). */
export type Cell = string | number | boolean | null;

/** The amendments section: listed after the rows under its title, with its own header. */
export interface AmendmentsTable {
  title: string;
  header: string[];
  rows: string[][];
}

export interface LedgerTable {
  header: string[];
  rows: Cell[][];
  /** Null when the ledger has no amendments. */
  amendments: AmendmentsTable | null;
}

/** A monthly day cell of a corrected day ends in this (the JSON `days` stay clean). */
export const CORRECTED_MARK = '※';

export function isDaily(ledger: DailyLedger | MonthlyLedger): ledger is DailyLedger {
  return 'date' in ledger;
}

/**
 * The ledger in the language (labels.ts): headings and values (status words, absence reasons, 訂正あり or
 * empty for `corrected`, the monthly 欠), people's text as written. Daily: the columns of
 * DAILY_LEDGER_COLUMNS. Monthly: class, child id, child name, one column per day headed by its number,
 * attended days, absent days, extended minutes; a corrected day's cell ends in ※. Then the amendments,
 * if any. The CSV is exactly this; the print documents (ledger-document.ts) add the rest.
 */
export function ledgerTable(
  ledger: DailyLedger | MonthlyLedger,
  language: LedgerLanguage = 'ja',
): LedgerTable {
  const labels = ledgerLabels(language);
  const amendments: AmendmentsTable | null =
    ledger.amendments.length === 0
      ? null
      : {
          title: labels.amendmentsTitle,
          header: [...labels.amendmentColumns],
          rows: ledger.amendments.map((a) => amendmentCells(a, labels)),
        };
  if (isDaily(ledger)) {
    return {
      header: DAILY_LEDGER_COLUMNS.map((c) => labels.daily[c]),
      rows: ledger.rows.map((r) => [
        r.class_name,
        r.child_id,
        r.child_name,
        labels.status[r.status],
        r.check_in,
        r.check_out,
        r.extended_minutes,
        localNote(r.note, labels),
        r.corrected ? labels.corrected : '',
      ]),
      amendments,
    };
  }
  const [y = 0, m = 1] = ledger.month.split('-').map(Number);
  const n = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const dayNumbers = Array.from({ length: n }, (_, i) => String(i + 1));
  const h = labels.monthly;
  return {
    header: [
      h.class_name,
      h.child_id,
      h.child_name,
      ...dayNumbers,
      h.attended_days,
      h.absent_days,
      h.extended_minutes,
    ],
    rows: ledger.rows.map((r) => {
      const corrected = new Set(r.corrected_days);
      return [
        r.class_name,
        r.child_id,
        r.child_name,
        ...dayNumbers.map((_, i) => {
          const day = r.days[i] ?? '';
          return `${day === '欠' ? labels.absentCell : day}${corrected.has(i + 1) ? CORRECTED_MARK : ''}`;
        }),
        r.attended_days,
        r.absent_days,
        r.extended_minutes,
      ];
    }),
    amendments,
  };
}

/**
 * Every line of the table as a spreadsheet holds it: the header, the rows, then (with amendments) an
 * empty line, the title, the amendments' header and rows. Every line is as wide as the header, so that
 * the CSV stays rectangular for strict readers.
 */
export function tableLines(table: LedgerTable): Cell[][] {
  const width = table.header.length;
  const pad = (cells: readonly Cell[]): Cell[] => [
    ...cells,
    ...Array<Cell>(Math.max(0, width - cells.length)).fill(''),
  ];
  const lines: Cell[][] = [table.header, ...table.rows];
  if (table.amendments !== null) {
    lines.push(pad([]), pad([table.amendments.title]), pad(table.amendments.header));
    for (const row of table.amendments.rows) lines.push(pad(row));
  }
  return lines;
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

/**
 * The ASCII file name (the `filename` of Content-Disposition, for clients without RFC 6266 `filename*`):
 * e.g. ledger-2026-04-01.csv, ledger-2026-04.xlsx, ledger-2026-04-k1.pdf (one class). See file-name.ts
 * for the name in the language.
 */
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
