import type ExcelJS from 'exceljs';
import type { DocumentSection } from './document.ts';
import { cellText, type Cell } from './table.ts';
import { cellValue, displayWidth, EDGE, fill, HEAD_FILL, printSetup, sheetName, THIN } from './xlsx-cells.ts';

/**
 * The trailing sections of a document (訂正履歴, the extended report's per-child table …) in the XLSX:
 * each on a worksheet of its own, named by its title, so that its columns get widths of their own
 * rather than the main table's (a monthly sheet's day columns are five characters wide). Each sheet
 * prints like the main one (A4 landscape, one page wide, its header row on every page).
 */

/** The widest a section's column gets (characters); a longer cell wraps. */
const MAX_WIDTH = 60;
/** The least, so that a short heading or number still has room. */
const MIN_WIDTH = 6.5;
/**
 * Room beside the text. Not a whole number, and so no width is ever 9: ExcelJS leaves a column of width 9
 * out of the file as its default, which Excel then shows 8.43 wide.
 */
const MARGIN = 2.5;

/**
 * The sheet names of the sections: each title made Excel-safe; a title over 31 characters loses its
 * trailing parenthesis (`Amendments (corrections after closing)` → `Amendments`) before it is cut; a name
 * already taken (Excel compares them case-insensitively) gets ` (2)`, ` (3)` ….
 */
export function sectionSheetNames(taken: readonly string[], sections: readonly DocumentSection[]): string[] {
  const used = new Set(taken.map((n) => n.toLowerCase()));
  return sections.map(({ title }) => {
    const short = title.length > 31 ? title.replace(/\s*[(（][^()（）]*[)）]\s*$/, '') : title;
    const base = sheetName(short.trim() === '' ? title : short);
    let name = base;
    for (let n = 2; used.has(name.toLowerCase()); n++) {
      const suffix = ` (${String(n)})`;
      name = `${base.slice(0, 31 - suffix.length)}${suffix}`;
    }
    used.add(name.toLowerCase());
    return name;
  });
}

/** A column as wide as its widest cell (heading included) and a margin, within MIN_WIDTH…MAX_WIDTH. */
function columnWidths(section: DocumentSection): number[] {
  const lines: readonly Cell[][] = [section.header, ...section.rows];
  const count = Math.max(...lines.map((r) => r.length));
  return Array.from({ length: count }, (_, c) => {
    const widest = Math.max(0, ...lines.map((r) => displayWidth(cellText(r[c] ?? null))));
    return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, widest + MARGIN));
  });
}

/**
 * The section as a worksheet: its title (bold) and `caption` (the document's title and meta lines, so a
 * printed page says which report it belongs to) at the top, a blank row, the header row (bold, shaded,
 * repeated on every page, frozen on screen), then the rows, bordered; a cell wider than MAX_WIDTH wraps.
 */
export function addSectionSheet(
  wb: ExcelJS.Workbook,
  name: string,
  section: DocumentSection,
  caption: string,
): void {
  const headerRow = 4;
  const ws = wb.addWorksheet(name, {
    views: [{ state: 'frozen', ySplit: headerRow }],
    ...printSetup(headerRow, headerRow),
  });
  const widths = columnWidths(section);
  ws.columns = widths.map((width) => ({ width }));
  ws.getCell(1, 1).value = cellValue(section.title);
  ws.getCell(1, 1).font = { bold: true, size: 12 };
  ws.getCell(2, 1).value = cellValue(caption);
  ws.getCell(2, 1).font = { size: 9 };

  const writeRow = (index: number, cells: readonly Cell[], head: boolean) => {
    const row = ws.getRow(index);
    row.values = cells.map(cellValue);
    row.font = { bold: head, size: 10 };
    for (let c = 1; c <= widths.length; c++) {
      const cell = row.getCell(c);
      if (head) cell.fill = fill(HEAD_FILL);
      cell.border = { top: head ? EDGE : THIN, bottom: head ? EDGE : THIN, left: THIN, right: THIN };
      const text = cellText(cells[c - 1] ?? null);
      cell.alignment = {
        vertical: 'top',
        wrapText: head || text.includes('\n') || displayWidth(text) + MARGIN > (widths[c - 1] ?? 0),
        ...(head ? { horizontal: 'center' as const } : {}),
      };
    }
  };
  writeRow(headerRow, section.header, true);
  section.rows.forEach((cells, i) => {
    writeRow(headerRow + 1 + i, cells, false);
  });
}
