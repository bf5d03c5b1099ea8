import iconv from 'iconv-lite';
import type { CsvEncoding, DailyLedger, MonthlyLedger } from '../../protocol/ledger.ts';
import { cellText, ledgerTable } from './table.ts';

function quote(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The ledger as CSV (RFC 4180, CRLF line ends; null empty, booleans true/false, every text cell
 * neutralised against formula injection). `utf8`: UTF-8 with a BOM, so that Excel reads the Japanese.
 * `sjis`: Shift_JIS without BOM, encoded as Windows-31J (CP932, the Shift_JIS that Japanese Windows and
 * Excel actually use, which also has 髙, 﨑, ① …); a character it cannot encode becomes `?`.
 */
export function ledgerCsv(ledger: DailyLedger | MonthlyLedger, encoding: CsvEncoding): Buffer {
  const table = ledgerTable(ledger);
  const lines = [table.header, ...table.rows.map((r) => r.map(cellText))].map((r) => r.map(quote).join(','));
  const text = `${lines.join('\r\n')}\r\n`;
  return encoding === 'sjis' ? iconv.encode(text, 'cp932') : Buffer.from(`\uFEFF${text}`, 'utf8');
}
