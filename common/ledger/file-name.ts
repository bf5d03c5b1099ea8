import type { DailyLedger, LedgerFormat, MonthlyLedger } from '../../protocol/ledger.ts';
import type { LedgerLanguage } from '../../protocol/settings.ts';
import { ledgerLabels } from './labels.ts';
import { isDaily, ledgerFileName } from './table.ts';

/**
 * A ledger's file name in the language, e.g. 出席簿_げんかん保育園_2026-12.xlsx,
 * 出席簿_げんかん保育園_ひよこ組_2026-12.pdf (one class), 登降園記録簿_げんかん保育園_2026-12-01.csv;
 * attendance_Genkan_2026-12.xlsx in English. Names are cleaned of what file systems refuse.
 */
export function localLedgerFileName(
  ledger: DailyLedger | MonthlyLedger,
  format: LedgerFormat,
  language: LedgerLanguage,
): string {
  const labels = ledgerLabels(language);
  const parts = isDaily(ledger)
    ? [labels.dailyFile, ledger.facilityName, ledger.date]
    : [
        labels.monthlyFile,
        ledger.facilityName,
        ...(ledger.classId === null
          ? []
          : [ledger.rows.find((r) => r.class_name !== '')?.class_name ?? ledger.classId]),
        ledger.month,
      ];
  return `${parts
    .map(fileNamePart)
    .filter((p) => p !== '')
    .join('_')}.${format}`;
}

/** Windows' and Unix's forbidden characters and control characters become `_`; at most 60 characters. */
export function fileNamePart(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- control characters are what is removed
      .replace(/[\u0000-\u001f\u007f<>:"/\\|?*]/g, '_')
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/^\.+/, '')
      .slice(0, 60)
  );
}

/**
 * RFC 6266 Content-Disposition: the ASCII name (`filename`, table.ts ledgerFileName, what older clients
 * save) and the name in the language (`filename*`, RFC 8187 UTF-8 percent-encoding).
 */
export function contentDisposition(asciiName: string, name: string): string {
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${asciiName}"; filename*=UTF-8''${encoded}`;
}

/** The Content-Disposition of a ledger file. */
export function ledgerDisposition(
  ledger: DailyLedger | MonthlyLedger,
  format: LedgerFormat,
  language: LedgerLanguage,
): string {
  return contentDisposition(ledgerFileName(ledger, format), localLedgerFileName(ledger, format, language));
}
