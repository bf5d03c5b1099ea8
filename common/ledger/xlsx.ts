import ExcelJS from 'exceljs';
import type { DailyLedger, MonthlyLedger } from '../../protocol/ledger.ts';
import { DEFAULT_SETTINGS, type LedgerSettings } from '../../protocol/settings.ts';
import { MARK_FILLS, type DocumentColumn, type LedgerDocument } from './document.ts';
import { ledgerDocument } from './ledger-document.ts';
import { cellValue, EDGE, fill, HEAD_FILL, printSetup, sheetName, THIN, TOTAL_FILL } from './xlsx-cells.ts';
import { addSectionSheet, sectionSheetNames } from './xlsx-sections.ts';
import { setZipEntryDates } from './zip.ts';

/**
 * The date of every XLSX: ExcelJS always writes a creation and a modification date (its workbook starts
 * with "now") and a zip entry always has one, so they get this fixed one instead: a file that depends on
 * when it was rendered would differ between the hub and the cloud, and from one download to the next.
 */
const FIXED_DATE = new Date('2000-01-01T00:00:00Z');

/** The least width (characters) of an approval box: a stamp's 10 mm. */
const BOX_WIDTH = 9;

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
 * A document (document.ts) as an XLSX workbook. The first sheet: title, meta and legend lines at the top
 * left, the approval boxes at the top right (merged, bordered), the header rows (bold, shaded, repeated
 * on every printed page and frozen on screen), the rows and total rows. Then a sheet per section, with
 * column widths of its own (xlsx-sections.ts). Every sheet prints on A4 landscape fitted to one page
 * wide, page numbers in the footer. The same document always gives the same bytes.
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
    ...printSetup(headerFirst, headerLast),
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
  doc.rows.forEach(({ cells, kind }, i) => {
    const row = ws.getRow(headerLast + 1 + i);
    row.values = cells.map(cellValue);
    styleRow(row, kind);
    if (cells.some((c) => typeof c === 'string' && c.includes('\n'))) row.height = 24;
  });
  const caption = [doc.title, ...doc.meta].join('\u3000');
  const names = sectionSheetNames([ws.name], doc.sections);
  doc.sections.forEach((section, i) => {
    addSectionSheet(wb, names[i] ?? section.title, section, caption);
  });
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
