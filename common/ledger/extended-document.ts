import type { ExtendedLedger } from '../../protocol/ledger-extended.ts';
import { EXTENDED_SIDES } from '../../protocol/ledger-extended.ts';
import type { LedgerSettings } from '../../protocol/settings.ts';
import { monthCalendar } from './calendar.ts';
import type { DocumentColumn, DocumentRow, DocumentSection, LedgerDocument } from './document.ts';
import { extendedLabels } from './extended-labels.ts';
import { CARE_TYPES, childNumbers } from './extended-table.ts';
import { ledgerLabels } from './labels.ts';
import { holidayLegend, monthHeading } from './print-lines.ts';
import type { Cell } from './table.ts';

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * The extended-care report as a print document (document.ts; XLSX and PDF render it): title, facility,
 * month (with the era when the settings ask), approval boxes, a legend (how it counts, the bands, the
 * month's holidays, the shading), then the per-day table with the days as columns (day number and
 * weekday rows, weekends, holidays and closed days shaded as in the 出席簿) and a month total column:
 * children before the standard hours per care type and their total, the same after, children present
 * at each counting time. Then the per-child table (band counts before and after, days and minutes, a
 * total row) and, if any, the days without a check-out, which count nowhere. `settings`: the ledger
 * settings in effect on the month's last day (calendar, era), `language` the one asked for (as
 * ledger-document.ts takes them).
 */
export function extendedDocument(report: ExtendedLedger, settings: LedgerSettings): LedgerDocument {
  const { language } = settings;
  const l = extendedLabels(language);
  const ll = ledgerLabels(language);
  const calendar = monthCalendar(report.month, settings, language);

  const columns: DocumentColumn[] = [
    { width: 16 },
    ...calendar.map((d): DocumentColumn => ({ width: 3.6, align: 'center', mark: d.mark })),
    { width: 6, align: 'right' },
  ];
  const headerRows: Cell[][] = [
    [l.perDay, ...calendar.map((_, i) => String(i + 1)), l.total],
    [ll.weekdayRow, ...calendar.map((d) => ll.weekdays[d.weekday] ?? ''), ''],
  ];
  const line = (label: string, counts: number[], kind: DocumentRow['kind'] = 'body'): DocumentRow => ({
    cells: [label, ...counts, sum(counts)],
    kind,
  });
  const rows: DocumentRow[] = [];
  for (const side of EXTENDED_SIDES) {
    for (const care of CARE_TYPES) {
      rows.push(
        line(
          l.count(l.careType[care], l.side[side]),
          report.days.map((d) => d[side][care]),
        ),
      );
    }
    rows.push(
      line(
        l.sideTotal(l.side[side]),
        report.days.map((d) => d[side].standard + d[side].short),
        'total',
      ),
    );
  }
  for (const t of report.presentAt) {
    rows.push(
      line(
        l.presentAt(t),
        report.days.map((d) => d.presentAt[t] ?? 0),
      ),
    );
  }

  const numbers = childNumbers(report, l);
  const values = report.children.map(numbers.values);
  const totals = numbers.header.map((_, i) => sum(values.map((r) => r[i] ?? 0)));
  const perChild: DocumentSection = {
    title: l.perChild,
    header: [l.className, l.childName, l.careTypeColumn, ...numbers.header],
    rows: [
      ...report.children.map((c, i): Cell[] => [
        c.className,
        c.childName,
        l.careType[c.careType],
        ...(values[i] ?? []),
      ]),
      [l.total, '', '', ...totals],
    ],
    widths: [5, 7, 4, ...numbers.header.map(() => 2.6)],
  };
  const sections: DocumentSection[] = [perChild];
  if (report.openDays.length > 0) {
    sections.push({
      title: l.openDays,
      header: [...l.openDayColumns],
      rows: report.openDays.map((o) => [o.date, o.className, o.childName]),
      widths: [1, 1, 2],
    });
  }

  return {
    sheetName: `${l.fileStem} ${report.month}`,
    title: l.title,
    meta: [report.facilityName, monthHeading(report.month, settings)],
    approvals: [...ll.approvals],
    legend: [
      l.rule,
      l.bandsLine(
        report.bands.map((b) => l.bandItem(b.label, b.fromMinutes, b.toMinutes)).join(ll.listSeparator),
      ),
      ...holidayLegend(calendar, settings),
      ll.shading,
    ],
    columns,
    frozenColumns: 1,
    headerRows,
    rows,
    sections,
  };
}
