import type { Cell } from './table.ts';

/**
 * The print model of a ledger-like report: what the XLSX (xlsx.ts documentXlsx) and the PDF (pdf.ts
 * documentPdf) renderers draw, so that every report (出席簿, 登降園記録簿, the extended-care report …) prints
 * the same way: A4 landscape, fitted to the page width, the header rows repeated on every page, the
 * approval boxes at the top right. The CSV does not go through it: machines read one plain table
 * (table.ts). A document is data only; build it with a function of the report and its settings.
 *
 * Layout, top to bottom:
 *
 *   title                                   ┌──────┬──────┬──────┐
 *   meta[0]   (facility name)               │ 園長 │ 主任 │ 担当 │  ← approvals
 *   meta[1]   (month with era, class …)     │      │      │      │
 *   legend…                                 └──────┴──────┴──────┘
 *   headerRows (repeated on every page; columns[].mark shades them)
 *   rows      (kind 'body', or 'total': bold with a rule above)
 *   sections  (each: title, its own header and rows, e.g. 訂正履歴; the PDF draws them here, the XLSX
 *              puts each on a sheet of its own)
 *
 * Cells: null and '' are empty, numbers and booleans keep their type in the XLSX; every string cell is
 * neutralised against formula injection by the renderers (table.ts neutralizeCell). A string with a
 * line break ('\n') prints on two lines (the XLSX wraps it).
 */

/** Why a column is shaded; when several hold, the builder picks the first of this order. */
export const COLUMN_MARKS = ['closed', 'holiday', 'sunday', 'saturday'] as const;
export type ColumnMark = (typeof COLUMN_MARKS)[number];

/** Fill colours (RGB hex) of the marks, shared by the XLSX and the PDF. */
export const MARK_FILLS = {
  closed: 'D9D9D9',
  holiday: 'FCE4EC',
  sunday: 'FCE4EC',
  saturday: 'E3F2FD',
} as const satisfies Record<ColumnMark, string>;

export interface DocumentColumn {
  /**
   * Width hint in character widths (Excel's column width unit). The XLSX uses it as is (the page set-up
   * then fits the sheet to the page width); the PDF scales all widths to its content width.
   */
  width: number;
  /** Default: left for text; numbers are right-aligned whatever this says, unless 'center'. */
  align?: 'left' | 'center' | 'right';
  /** Shades the column's cells in the header rows, body rows and total rows. */
  mark?: ColumnMark | null;
}

export interface DocumentRow {
  cells: Cell[];
  /** 'total': a daily or grand total (bold, a heavier rule above). */
  kind: 'body' | 'total';
}

/**
 * A table after the rows (e.g. 訂正履歴): its own title, header and rows, cells that wrap. In the XLSX a
 * sheet of its own, named by the title, its columns as wide as their cells (xlsx-sections.ts).
 */
export interface DocumentSection {
  title: string;
  header: string[];
  rows: Cell[][];
  /** Relative widths of the section's columns in the PDF (scaled to the content width). */
  widths: number[];
}

export interface LedgerDocument {
  /** XLSX sheet name: at most 31 characters, none of []:*?/\ (the renderer cuts and replaces). */
  sheetName: string;
  /** The report's name, e.g. 出席簿; also the PDF's /Title with the meta lines. */
  title: string;
  /** Lines under the title: the facility's name, the period (with era), the class … */
  meta: string[];
  /** Labels of the stamp boxes at the top right (園長, 主任, 担当), left to right; [] for none. */
  approvals: string[];
  /** Lines between the meta lines and the table, e.g. the holidays of the month and what shading means. */
  legend: string[];
  /** One per column of the header and body rows. */
  columns: DocumentColumn[];
  /** The first columns that stay in view when the XLSX scrolls sideways (names); default none. */
  frozenColumns?: number;
  /** Printed on every page above the rows (day numbers, then the weekday row). At least one. */
  headerRows: Cell[][];
  rows: DocumentRow[];
  /** After the rows, in order; each starts on the same page when it fits. */
  sections: DocumentSection[];
}

/** The text of a cell as printed: null empty, numbers and booleans as written. Not neutralised. */
export function printedText(cell: Cell): string {
  return cell === null ? '' : String(cell);
}
