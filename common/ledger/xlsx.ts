import ExcelJS from 'exceljs';
import type { DailyLedger, MonthlyLedger } from '../../protocol/ledger.ts';
import { isDaily, ledgerTable, neutralizeCell, tableLines, type Cell } from './table.ts';
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

function columnWidth(header: string, daily: boolean): number {
  switch (header) {
    case 'class_name':
      return 14;
    case 'child_id':
      return 10;
    case 'child_name':
      return 18;
    case 'note':
      return 40;
    case 'status':
    case 'corrected':
    case 'check_in':
    case 'check_out':
      return 11;
    case 'extended_minutes':
    case 'attended_days':
    case 'absent_days':
      return 15;
    default:
      // Monthly day columns: `HH:MM-HH:MM`.
      return daily ? 10 : 12;
  }
}

/**
 * The ledger as one XLSX sheet: bold frozen header, the same lines and values as the CSV (the amendments'
 * title and header bold too). The same ledger always gives the same bytes.
 */
export async function ledgerXlsx(ledger: DailyLedger | MonthlyLedger): Promise<Buffer> {
  const daily = isDaily(ledger);
  const table = ledgerTable(ledger);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Genkan';
  wb.created = FIXED_DATE;
  wb.modified = FIXED_DATE;
  const ws = wb.addWorksheet(daily ? `登降園記録簿 ${ledger.date}` : `出席簿 ${ledger.month}`, {
    views: [{ state: 'frozen', ySplit: 1 }],
  });
  ws.columns = table.header.map((h) => ({ header: h, width: columnWidth(h, daily) }));
  ws.getRow(1).font = { bold: true };
  const lines = tableLines(table);
  lines.slice(1).forEach((row, i) => {
    const added = ws.addRow(row.map(cellValue));
    // The amendments' title and header: the lines after the empty one that follows the rows.
    const section = i - table.rows.length;
    if (section === 1 || section === 2) added.font = { bold: true };
  });
  const out = await wb.xlsx.writeBuffer();
  return setZipEntryDates(Buffer.from(out), FIXED_DATE);
}
