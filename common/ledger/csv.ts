import iconv from 'iconv-lite';
import type { CsvEncoding, DailyLedger, MonthlyLedger } from '../../protocol/ledger.ts';
import type { LedgerLanguage } from '../../protocol/settings.ts';
import { cellText, ledgerTable, tableLines } from './table.ts';

function quote(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The ledger as CSV in the language (table.ts ledgerTable: one header line, the rows, no title or totals:
 * machines read it) (RFC 4180, CRLF line ends; null empty, booleans true/false, every text cell
 * neutralised against formula injection; the amendments, if any, after an empty line: table.ts
 * tableLines). `utf8`: UTF-8 with a BOM, so that Excel reads the Japanese. `sjis`: Shift_JIS without BOM, encoded as Windows-31J (CP932, the Shift_JIS that Japanese Windows and
 * Excel actually use, which also has 髙, 﨑, ① …); a character it cannot encode becomes `?`.
 */
export function ledgerCsv(
  ledger: DailyLedger | MonthlyLedger,
  encoding: CsvEncoding,
  language: LedgerLanguage = 'ja',
): Buffer {
  const lines = tableLines(ledgerTable(ledger, language)).map((r) =>
    r.map((c) => quote(cellText(c))).join(','),
  );
  const text = `${lines.join('\r\n')}\r\n`;
  return encoding === 'sjis' ? iconv.encode(text, 'cp932') : Buffer.from(`\uFEFF${text}`, 'utf8');
}
