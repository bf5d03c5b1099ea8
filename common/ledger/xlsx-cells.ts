import type ExcelJS from 'exceljs';
import { neutralizeCell, type Cell } from './table.ts';

/**
 * What every sheet of the XLSX renderer (xlsx.ts, xlsx-sections.ts) shares: cell values, sheet names,
 * borders and fills, the page set-up, and how wide a text prints.
 */

/** Characters XML 1.0 cannot hold (control characters, lone surrogates, U+FFFE/U+FFFF): shown as U+FFFD. */
const XML_INVALID =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Strings stay strings (never formulas), neutralised like the CSV; numbers and booleans keep their type. */
export function cellValue(cell: Cell): string | number | boolean | null {
  if (typeof cell !== 'string') return cell;
  // An empty text is no value at all, as in the CSV.
  if (cell === '') return null;
  return neutralizeCell(cell).replace(XML_INVALID, '\uFFFD');
}

/** A sheet name Excel accepts: none of []:*?/\, at most 31 characters. */
export function sheetName(name: string): string {
  return name.replace(/[[\]:*?/\\]/g, '_').slice(0, 31);
}

export const THIN = { style: 'thin', color: { argb: 'FF999999' } } as const;
export const EDGE = { style: 'thin', color: { argb: 'FF444444' } } as const;
export const HEAD_FILL = 'F2F2F2';
export const TOTAL_FILL = 'F7F7F7';

export const fill = (rgb: string): ExcelJS.Fill => ({
  type: 'pattern',
  pattern: 'solid',
  fgColor: { argb: `FF${rgb}` },
});

/**
 * A4 landscape, fitted to one page wide and any number tall, the rows `first`…`last` printed on every
 * page, page numbers in the footer: the set-up of every sheet.
 */
export function printSetup(first: number, last: number): Partial<ExcelJS.AddWorksheetOptions> {
  return {
    pageSetup: {
      orientation: 'landscape',
      // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- ExcelJS's PaperSize is a const enum, which has no value at run time here: 9 is its A4
      paperSize: 9,
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      horizontalCentered: true,
      margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.5, header: 0.2, footer: 0.2 },
      printTitlesRow: `${String(first)}:${String(last)}`,
    },
    headerFooter: { oddFooter: '&C&P / &N', evenFooter: '&C&P / &N' },
  };
}

/**
 * East Asian wide and full-width characters of the BMP (kana, kanji, hangul, full-width forms): two
 * columns each. A character beyond the BMP (an extension kanji, an emoji) already counts two: two UTF-16
 * units.
 */
const WIDE =
  /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]/g;

/**
 * How many character widths (Excel's column unit) a text takes: its longest line, a wide character
 * counting two.
 */
export function displayWidth(text: string): number {
  return Math.max(0, ...text.split('\n').map((line) => line.length + (line.match(WIDE)?.length ?? 0)));
}
