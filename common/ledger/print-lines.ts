import type { LedgerSettings } from '../../protocol/settings.ts';
import { japaneseEraMonth, type CalendarDay } from './calendar.ts';
import { ledgerLabels } from './labels.ts';

/** Lines the print documents (ledger-document.ts, extended-document.ts) share, in `settings.language`. */

/**
 * The month heading: 2026年11月（令和8年11月）with the era when `japaneseEra` and the language is
 * Japanese, else 2026年11月 / November 2026.
 */
export function monthHeading(month: string, settings: LedgerSettings): string {
  const [y = 0, m = 1] = month.split('-').map(Number);
  const plain = ledgerLabels(settings.language).month(y, m);
  return settings.language === 'ja' && settings.japaneseEra
    ? `${plain}（${japaneseEraMonth(month)}）`
    : plain;
}

/** The legend line of the month's public holidays (`祝日: 3日 文化の日、23日 勤労感謝の日`); none without. */
export function holidayLegend(days: readonly CalendarDay[], settings: LedgerSettings): string[] {
  const labels = ledgerLabels(settings.language);
  const items = days.flatMap((d) =>
    d.holiday === null ? [] : [labels.holidayItem(Number(d.date.slice(8)), d.holiday)],
  );
  return items.length === 0 ? [] : [labels.holidays(items.join(labels.listSeparator))];
}
