import ExcelJS from 'exceljs';
import type { DailyLedger, MonthlyLedger } from '../../protocol/ledger.ts';
import { isDaily, ledgerTable, neutralizeCell, type Cell } from './table.ts';

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

/** The ledger as one XLSX sheet: bold frozen header, the same values as the CSV. */
export async function ledgerXlsx(ledger: DailyLedger | MonthlyLedger): Promise<Buffer> {
  const daily = isDaily(ledger);
  const table = ledgerTable(ledger);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Genkan';
  // Fixed dates keep the file the same from the hub and from the cloud.
  const when = new Date(`${daily ? ledger.date : `${ledger.month}-01`}T00:00:00Z`);
  wb.created = when;
  wb.modified = when;
  const ws = wb.addWorksheet(daily ? `登降園記録簿 ${ledger.date}` : `出席簿 ${ledger.month}`, {
    views: [{ state: 'frozen', ySplit: 1 }],
  });
  ws.columns = table.header.map((h) => ({ header: h, width: columnWidth(h, daily) }));
  ws.getRow(1).font = { bold: true };
  for (const row of table.rows) ws.addRow(row.map(cellValue));
  const out = await wb.xlsx.writeBuffer();
  return Buffer.from(out);
}
