import ExcelJS from 'exceljs';
import type { DailyLedger, MonthlyLedger } from '../../protocol/ledger.ts';
import { DEFAULT_SETTINGS, type LedgerSettings } from '../../protocol/settings.ts';
import { MARK_FILLS, type DocumentColumn, type LedgerDocument } from './document.ts';
import { ledgerDocument } from './ledger-document.ts';
import { neutralizeCell, type Cell } from './table.ts';
import { setZipEntryDates } from './zip.ts';

/**
 * The date of every XLSX: ExcelJS always writes a creation and a modification date (its workbook starts
 * with "now") and a zip entry always has one, so they get this fixed one instead: a file that depends on
 * when it was rendered would differ between the hub and the cloud, and from one download to the next.
 */
const FIXED_DATE = new Date('2000-01-01T00:00:00Z');

/** Characters XML 1.0 cannot hold (control characters, lone surrogates, U+FFFE/U+FFFF): shown as U+FFFD. */
const XML_INVALID =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Strings stay strings (never formulas), neutralised like the CSV; numbers and booleans keep their type. */
function cellValue(cell: Cell): string | number | boolean | null {
  if (typeof cell !== 'string') return cell;
  // An empty text is no value at all, as in the CSV.
  if (cell === '') return null;
  return neutralizeCell(cell).replace(XML_INVALID, '\uFFFD');
}

/** A sheet name Excel accepts: none of []:*?/\, at most 31 characters. */
function sheetName(name: string): string {
  return name.replace(/[[\]:*?/\\]/g, '_').slice(0, 31);
}

const THIN = { style: 'thin', color: { argb: 'FF999999' } } as const;
const EDGE = { style: 'thin', color: { argb: 'FF444444' } } as const;
const HEAD_FILL = 'F2F2F2';
const TOTAL_FILL = 'F7F7F7';
/** The least width (characters) of an approval box: a stamp's 10 mm. */
const BOX_WIDTH = 9;

const fill = (rgb: string): ExcelJS.Fill => ({
  type: 'pattern',
  pattern: 'solid',
  fgColor: { argb: `FF${rgb}` },
});

/**
 * The approval boxes' columns (1-based, inclusive), right-aligned: from the last column leftwards, each box
 * takes columns until it is BOX_WIDTH wide. Left to right, as the labels.
 */
function boxColumns(columns: readonly DocumentColumn[], boxes: number): { from: number; to: number }[] {
  const spans: { from: number; to: number }[] = [];
  let col = columns.length;
  for (let b = 0; b < boxes && col >= 1; b++) {
    const to = col;
    let width = 0;
    while (col >= 1 && width < BOX_WIDTH) width += columns[--col]?.width ?? 0;
    spans.unshift({ from: col + 1, to });
  }
  return spans;
}

/**
 * A document (document.ts) as one XLSX sheet: title, meta and legend lines at the top left, the approval
 * boxes at the top right (merged, bordered), the header rows (bold, shaded, repeated on every printed
 * page and frozen on screen), the rows and total rows, then the sections. Printed on A4 landscape fitted
 * to one page wide, page numbers in the footer. The same document always gives the same bytes.
 */
export async function documentXlsx(doc: LedgerDocument): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Genkan';
  wb.created = FIXED_DATE;
  wb.modified = FIXED_DATE;
  const width = doc.columns.length;
  const topLines = 1 + doc.meta.length + doc.legend.length;
  // The boxes need three rows (label, two of stamp); the header starts after a blank row.
  const headerFirst = Math.max(topLines, doc.approvals.length > 0 ? 3 : 0) + 2;
  const headerLast = headerFirst + doc.headerRows.length - 1;
  const ws = wb.addWorksheet(sheetName(doc.sheetName), {
    views: [{ state: 'frozen', ySplit: headerLast, xSplit: doc.frozenColumns ?? 0 }],
    pageSetup: {
      orientation: 'landscape',
      // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- ExcelJS's PaperSize is a const enum, which has no value at run time here: 9 is its A4
      paperSize: 9,
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      horizontalCentered: true,
      margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.5, header: 0.2, footer: 0.2 },
      printTitlesRow: `${String(headerFirst)}:${String(headerLast)}`,
    },
    headerFooter: { oddFooter: '&C&P / &N', evenFooter: '&C&P / &N' },
  });
  ws.columns = doc.columns.map((c) => ({ width: c.width }));

  // Top left: title, meta, legend.
  ws.getCell(1, 1).value = cellValue(doc.title);
  ws.getCell(1, 1).font = { bold: true, size: 14 };
  [...doc.meta, ...doc.legend].forEach((line, i) => {
    const cell = ws.getCell(2 + i, 1);
    cell.value = cellValue(line);
    cell.font = i < doc.meta.length ? { size: 11 } : { size: 9 };
  });

  // Top right: the approval boxes, a label row and a merged stamp area below it.
  for (const [i, span] of boxColumns(doc.columns, doc.approvals.length).entries()) {
    ws.mergeCells(1, span.from, 1, span.to);
    ws.mergeCells(2, span.from, 3, span.to);
    const label = ws.getCell(1, span.from);
    label.value = cellValue(doc.approvals[i] ?? '');
    label.alignment = { horizontal: 'center', vertical: 'middle' };
    label.font = { size: 9 };
    for (let c = span.from; c <= span.to; c++) {
      for (let r = 1; r <= 3; r++) {
        ws.getCell(r, c).border = { top: EDGE, bottom: EDGE, left: EDGE, right: EDGE };
      }
    }
  }
  ws.getRow(2).height = 22;
  ws.getRow(3).height = 22;

  const styleRow = (row: ExcelJS.Row, kind: 'header' | 'body' | 'total') => {
    row.font = { bold: kind !== 'body', size: 9 };
    for (let c = 1; c <= width; c++) {
      const column = doc.columns[c - 1];
      const cell = row.getCell(c);
      const mark = column?.mark ?? null;
      const background =
        mark !== null
          ? MARK_FILLS[mark]
          : kind === 'header'
            ? HEAD_FILL
            : kind === 'total'
              ? TOTAL_FILL
              : null;
      if (background !== null) cell.fill = fill(background);
      cell.border = {
        top: kind === 'total' ? EDGE : THIN,
        bottom: THIN,
        left: THIN,
        right: THIN,
      };
      const wrap = kind === 'header' || (typeof cell.value === 'string' && cell.value.includes('\n'));
      cell.alignment = {
        vertical: 'middle',
        wrapText: wrap,
        ...(kind === 'header' || column?.align === 'center'
          ? { horizontal: 'center' as const }
          : column?.align === 'right'
            ? { horizontal: 'right' as const }
            : {}),
      };
    }
  };

  doc.headerRows.forEach((cells, i) => {
    const row = ws.getRow(headerFirst + i);
    row.values = cells.map(cellValue);
    styleRow(row, 'header');
  });
  let next = headerLast + 1;
  for (const { cells, kind } of doc.rows) {
    const row = ws.getRow(next++);
    row.values = cells.map(cellValue);
    styleRow(row, kind);
    if (cells.some((c) => typeof c === 'string' && c.includes('\n'))) row.height = 24;
  }
  for (const section of doc.sections) {
    next++;
    const title = ws.getRow(next++);
    title.values = [cellValue(section.title)];
    title.font = { bold: true };
    const header = ws.getRow(next++);
    header.values = section.header.map(cellValue);
    header.font = { bold: true };
    for (const cells of section.rows) ws.getRow(next++).values = cells.map(cellValue);
  }
  const out = await wb.xlsx.writeBuffer();
  return setZipEntryDates(Buffer.from(out), FIXED_DATE);
}

/** The ledger's print document (ledger-document.ts) as XLSX, in `settings.language`. */
export async function ledgerXlsx(
  ledger: DailyLedger | MonthlyLedger,
  settings: LedgerSettings = DEFAULT_SETTINGS.ledger,
): Promise<Buffer> {
  return documentXlsx(ledgerDocument(ledger, settings));
}
