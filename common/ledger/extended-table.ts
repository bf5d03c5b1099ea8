import type { ExtendedLedger, ExtendedTable } from '../../protocol/ledger-extended.ts';
import { EXTENDED_SIDES } from '../../protocol/ledger-extended.ts';
import type { LedgerLanguage } from '../../protocol/settings.ts';
import { weekdayOf } from './calendar.ts';
import { extendedLabels } from './extended-labels.ts';
import { ledgerLabels } from './labels.ts';
import type { Cell } from './table.ts';

/**
 * The extended-care report as the CSV's one rectangular table (a header, then rows; no title or totals:
 * machines read it), in the language. `children` (the default): class, child id, child name, care type,
 * the days in each band before the standard hours, then after, the days with extended care before and
 * after, the minutes before and after. `days`: date, weekday, the children before (標準時間, 短時間),
 * after (標準時間, 短時間), then those present at each counting time.
 */
export function extendedTable(
  report: ExtendedLedger,
  table: ExtendedTable,
  language: LedgerLanguage,
): { header: string[]; rows: Cell[][] } {
  const l = extendedLabels(language);
  switch (table) {
    case 'days': {
      const weekdays = ledgerLabels(language).weekdays;
      return {
        header: [
          l.date,
          l.weekdayColumn,
          ...EXTENDED_SIDES.flatMap((side) =>
            (['standard', 'short'] as const).map((care) => l.count(l.careType[care], l.side[side])),
          ),
          ...report.presentAt.map(l.presentAt),
        ],
        rows: report.days.map((d) => [
          d.date,
          weekdays[weekdayOf(d.date)] ?? '',
          d.before.standard,
          d.before.short,
          d.after.standard,
          d.after.short,
          ...report.presentAt.map((t) => d.presentAt[t] ?? 0),
        ]),
      };
    }
    case 'children':
      return {
        header: [
          l.className,
          l.childId,
          l.childName,
          l.careTypeColumn,
          ...EXTENDED_SIDES.flatMap((side) => report.bands.map((b) => l.band(b.label, l.side[side]))),
          ...EXTENDED_SIDES.map((side) => l.days(l.side[side])),
          ...EXTENDED_SIDES.map((side) => l.minutes(l.side[side])),
        ],
        rows: report.children.map((c) => [
          c.className,
          c.childId,
          c.childName,
          l.careType[c.careType],
          ...EXTENDED_SIDES.flatMap((side) => report.bands.map((b) => c.bands[b.id]?.[side] ?? 0)),
          ...EXTENDED_SIDES.map((side) => c.days[side]),
          ...EXTENDED_SIDES.map((side) => c.minutes[side]),
        ]),
      };
  }
}
