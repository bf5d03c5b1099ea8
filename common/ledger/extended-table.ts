import type { ExtendedChild, ExtendedLedger, ExtendedTable } from '../../protocol/ledger-extended.ts';
import { EXTENDED_SIDES } from '../../protocol/ledger-extended.ts';
import type { CareType, LedgerLanguage } from '../../protocol/settings.ts';
import { weekdayOf } from './calendar.ts';
import { extendedLabels, type ExtendedLabels } from './extended-labels.ts';
import { ledgerLabels } from './labels.ts';
import type { Cell } from './table.ts';

/** The care types in the order the report lists them. */
export const CARE_TYPES: readonly CareType[] = ['standard', 'short'];

/**
 * The numbers of a child in both the CSV's `children` table and the print's per-child table: the days in
 * each band before the standard hours, then after, the days with extended care before and after, the
 * minutes before and after; with their headings.
 */
export function childNumbers(
  report: ExtendedLedger,
  l: ExtendedLabels,
): { header: string[]; values: (child: ExtendedChild) => number[] } {
  return {
    header: [
      ...EXTENDED_SIDES.flatMap((side) => report.bands.map((b) => l.band(b.label, l.side[side]))),
      ...EXTENDED_SIDES.map((side) => l.days(l.side[side])),
      ...EXTENDED_SIDES.map((side) => l.minutes(l.side[side])),
    ],
    values: (c) => [
      ...EXTENDED_SIDES.flatMap((side) => report.bands.map((b) => c.bands[b.id]?.[side] ?? 0)),
      ...EXTENDED_SIDES.map((side) => c.days[side]),
      ...EXTENDED_SIDES.map((side) => c.minutes[side]),
    ],
  };
}

/**
 * The extended-care report as the CSV's one rectangular table (a header, then rows; no title or totals:
 * machines read it), in the language. `children` (the default): class, child id, child name, care type,
 * then the child's numbers (childNumbers). `days`: date, weekday, the children before (標準時間, 短時間),
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
            CARE_TYPES.map((care) => l.count(l.careType[care], l.side[side])),
          ),
          ...report.presentAt.map(l.presentAt),
        ],
        rows: report.days.map((d) => [
          d.date,
          weekdays[weekdayOf(d.date)] ?? '',
          ...EXTENDED_SIDES.flatMap((side) => CARE_TYPES.map((care) => d[side][care])),
          ...report.presentAt.map((t) => d.presentAt[t] ?? 0),
        ]),
      };
    }
    case 'children': {
      const numbers = childNumbers(report, l);
      return {
        header: [l.className, l.childId, l.childName, l.careTypeColumn, ...numbers.header],
        rows: report.children.map((c) => [
          c.className,
          c.childId,
          c.childName,
          l.careType[c.careType],
          ...numbers.values(c),
        ]),
      };
    }
  }
}
