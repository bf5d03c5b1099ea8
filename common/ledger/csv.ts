import iconv from 'iconv-lite';
import type { CsvEncoding, DailyLedger, MonthlyLedger } from '../../protocol/ledger.ts';
import type { LedgerLanguage } from '../../protocol/settings.ts';
import { cellText, ledgerTable, tableLines, type Cell } from './table.ts';

function quote(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * One rectangular table (the header line, then the rows) as CSV: RFC 4180, CRLF line ends; null empty,
 * numbers and booleans as written, every text cell neutralised against formula injection (table.ts
 * cellText). `utf8`: UTF-8 with a BOM, so that Excel reads the Japanese. `sjis`: Shift_JIS without BOM,
 * encoded as Windows-31J (CP932, the Shift_JIS that Japanese Windows and Excel actually use, which also
 * has 髙, 﨑, ① …); a character it cannot encode becomes `?`. Every CSV the hub and the cloud send is
 * written here: the ledgers, the extended-care report, the staffing report.
 */
export function csvFile(lines: readonly (readonly Cell[])[], encoding: CsvEncoding): Buffer {
  const text = `${lines.map((r) => r.map((c) => quote(cellText(c))).join(',')).join('\r\n')}\r\n`;
  return encoding === 'sjis' ? iconv.encode(text, 'cp932') : Buffer.from(`\uFEFF${text}`, 'utf8');
}

/**
 * The ledger as CSV in the language (table.ts ledgerTable: one header line, the rows, no title or totals:
 * machines read it; the amendments, if any, after an empty line: table.ts tableLines), written by
 * csvFile.
 */
export function ledgerCsv(
  ledger: DailyLedger | MonthlyLedger,
  encoding: CsvEncoding,
  language: LedgerLanguage = 'ja',
): Buffer {
  return csvFile(tableLines(ledgerTable(ledger, language)), encoding);
}
