import type { DailyLedger, MonthlyLedger } from '../../protocol/ledger.ts';
import { DEFAULT_SETTINGS, type LedgerSettings } from '../../protocol/settings.ts';
import { calendarDay, japaneseEraDate, japaneseEraMonth, monthCalendar } from './calendar.ts';
import type { DocumentColumn, DocumentRow, DocumentSection, LedgerDocument } from './document.ts';
import { ledgerLabels, type LedgerLabels } from './labels.ts';
import { CORRECTED_MARK, isDaily, ledgerTable, type AmendmentsTable, type Cell } from './table.ts';

/**
 * The print documents (document.ts) of the daily and the monthly ledger: the CSV's table (table.ts) in
 * the language of `settings.language`, plus the title, the facility's name, the period (with the Japanese
 * era when `japaneseEra` and the language is Japanese), the weekday row and the shading of holidays and
 * closed days (calendar.ts), a total row per class and one for the facility, and the approval boxes.
 */
export function ledgerDocument(
  ledger: DailyLedger | MonthlyLedger,
  settings: LedgerSettings = DEFAULT_SETTINGS.ledger,
): LedgerDocument {
  return isDaily(ledger) ? dailyDocument(ledger, settings) : monthlyDocument(ledger, settings);
}

/** The relative widths of the amendments' columns (日付 … 訂正日時) in the PDF. */
const AMENDMENT_WIDTHS = [10, 9, 14, 22, 22, 15, 30, 13];

function sectionsOf(amendments: AmendmentsTable | null): DocumentSection[] {
  return amendments === null ? [] : [{ ...amendments, widths: AMENDMENT_WIDTHS }];
}

/** Consecutive rows of the same class (the engine lists each class's rows together). */
function classBlocks<R extends { class_name: string }>(rows: readonly R[]): { name: string; rows: R[] }[] {
  const blocks: { name: string; rows: R[] }[] = [];
  for (const row of rows) {
    const last = blocks[blocks.length - 1];
    if (last?.name === row.class_name) last.rows.push(row);
    else blocks.push({ name: row.class_name, rows: [row] });
  }
  return blocks;
}

/** The ideographic space between the parts of a Japanese heading. */
const GAP = '\u3000';

function monthHeading(month: string, settings: LedgerSettings, labels: LedgerLabels): string {
  const [y = 0, m = 1] = month.split('-').map(Number);
  const plain = labels.month(y, m);
  return settings.language === 'ja' && settings.japaneseEra
    ? `${plain}（${japaneseEraMonth(month)}）`
    : plain;
}

/** A monthly day cell as printed: check-in over check-out (`08:30⏎18:10`, `08:30⏎-`), ※ kept at the end. */
function dayCell(text: string): string {
  const mark = text.endsWith(CORRECTED_MARK) ? CORRECTED_MARK : '';
  const plain = mark === '' ? text : text.slice(0, -mark.length);
  const dash = plain.indexOf('-');
  return dash > 0 ? `${plain.slice(0, dash)}\n${plain.slice(dash + 1) || '-'}${mark}` : text;
}

/** The day had a check-in (a monthly `days` cell `HH:MM-…`). */
const attendedOn = (day: string | undefined): boolean => day !== undefined && /^\d/.test(day);

function monthlyDocument(ledger: MonthlyLedger, settings: LedgerSettings): LedgerDocument {
  const labels = ledgerLabels(settings.language);
  const table = ledgerTable(ledger, settings.language);
  const days = monthCalendar(ledger.month, settings, settings.language);
  const n = days.length;
  const columns: DocumentColumn[] = [
    { width: 11 },
    { width: 8 },
    { width: 14 },
    ...days.map((d): DocumentColumn => ({ width: 5.2, align: 'center', mark: d.mark })),
    { width: 6, align: 'right' },
    { width: 6, align: 'right' },
    { width: 8, align: 'right' },
  ];
  const weekdayRow: Cell[] = [
    '',
    '',
    labels.weekdayRow,
    ...days.map((d) => labels.weekdays[d.weekday] ?? ''),
    '',
    '',
    '',
  ];

  const totalRow = (label: string, rows: MonthlyLedger['rows']): DocumentRow => ({
    kind: 'total',
    cells: [
      label,
      '',
      labels.children(new Set(rows.map((r) => r.child_id)).size),
      ...Array.from({ length: n }, (_, i) => rows.filter((r) => attendedOn(r.days[i])).length),
      rows.reduce((s, r) => s + r.attended_days, 0),
      rows.reduce((s, r) => s + r.absent_days, 0),
      rows.reduce((s, r) => s + r.extended_minutes, 0),
    ],
  });
  const body: DocumentRow[] = [];
  let index = 0;
  for (const block of classBlocks(ledger.rows)) {
    for (let k = 0; k < block.rows.length; k++) {
      const cells = table.rows[index++] ?? [];
      body.push({
        kind: 'body',
        cells: cells.map((c, i) => (i >= 3 && i < 3 + n && typeof c === 'string' ? dayCell(c) : c)),
      });
    }
    body.push(totalRow(labels.classTotal(block.name), block.rows));
  }
  if (ledger.classId === null) body.push(totalRow(labels.facilityTotal, ledger.rows));

  const holidays = days.filter((d) => d.holiday !== null);
  const legend = [
    ...(holidays.length === 0
      ? []
      : [
          labels.holidays(
            holidays
              .map((d) => labels.holidayItem(Number(d.date.slice(8)), d.holiday ?? ''))
              .join(labels.listSeparator),
          ),
        ]),
    labels.shading,
    labels.monthlyMarks,
  ];
  const className =
    ledger.classId === null
      ? null
      : (ledger.rows.find((r) => r.class_name !== '')?.class_name ?? ledger.classId);
  return {
    sheetName: `${labels.monthlyTitle} ${ledger.month}`,
    title: labels.monthlyTitle,
    meta: [
      ledger.facilityName,
      monthHeading(ledger.month, settings, labels),
      ...(className === null ? [] : [labels.classLine(className)]),
    ],
    approvals: [...labels.approvals],
    legend,
    columns,
    frozenColumns: 3,
    headerRows: [table.header, weekdayRow],
    rows: body,
    sections: sectionsOf(table.amendments),
  };
}

function dailyDocument(ledger: DailyLedger, settings: LedgerSettings): LedgerDocument {
  const labels = ledgerLabels(settings.language);
  const table = ledgerTable(ledger, settings.language);
  const day = calendarDay(ledger.date, settings, settings.language);
  const [y = 0, m = 1, d = 1] = ledger.date.split('-').map(Number);
  const era =
    settings.language === 'ja' && settings.japaneseEra ? `${GAP}${japaneseEraDate(ledger.date)}` : '';
  const marks = [
    ...(day.holiday === null ? [] : [labels.holidayNote(day.holiday)]),
    ...(day.closed ? [labels.closedNote] : []),
  ];
  const columns: DocumentColumn[] = [
    { width: 12 },
    { width: 8 },
    { width: 16 },
    { width: 8, align: 'center' },
    { width: 7, align: 'center' },
    { width: 7, align: 'center' },
    { width: 9, align: 'right' },
    { width: 44 },
    { width: 9, align: 'center' },
  ];
  const totalRow = (label: string, rows: DailyLedger['rows']): DocumentRow => ({
    kind: 'total',
    cells: [
      label,
      '',
      labels.children(new Set(rows.map((r) => r.child_id)).size),
      '',
      '',
      '',
      rows.reduce((s, r) => s + (r.extended_minutes ?? 0), 0),
      labels.dailyCounts({
        attended: rows.filter((r) => r.status === 'left' || r.status === 'present').length,
        absent: rows.filter((r) => r.status === 'absent').length,
        notArrived: rows.filter((r) => r.status === 'not_arrived').length,
      }),
      '',
    ],
  });
  const body: DocumentRow[] = [];
  let index = 0;
  for (const block of classBlocks(ledger.rows)) {
    for (let k = 0; k < block.rows.length; k++) body.push({ kind: 'body', cells: table.rows[index++] ?? [] });
    body.push(totalRow(labels.classTotal(block.name), block.rows));
  }
  body.push(totalRow(labels.facilityTotal, ledger.rows));
  return {
    sheetName: `${labels.dailyTitle} ${ledger.date}`,
    title: labels.dailyTitle,
    meta: [
      ledger.facilityName,
      `${labels.day(y, m, d, day.weekday)}${era}${marks.length === 0 ? '' : `${GAP}${marks.join('・')}`}`,
    ],
    approvals: [...labels.approvals],
    legend: [],
    columns,
    frozenColumns: 3,
    headerRows: [table.header],
    rows: body,
    sections: sectionsOf(table.amendments),
  };
}
