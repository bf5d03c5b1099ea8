import type { DailyLedger, LedgerFormat, MonthlyLedger } from '../../protocol/ledger.ts';
import type { LedgerLanguage } from '../../protocol/settings.ts';
import { contentDisposition, fileNamePart } from '../content-disposition.ts';
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

/** The Content-Disposition of a ledger file. */
export function ledgerDisposition(
  ledger: DailyLedger | MonthlyLedger,
  format: LedgerFormat,
  language: LedgerLanguage,
): string {
  return contentDisposition(ledgerFileName(ledger, format), localLedgerFileName(ledger, format, language));
}
