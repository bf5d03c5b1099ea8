import type { DailyLedger, MonthlyLedger } from '../../protocol/ledger.ts';
import { DEFAULT_SETTINGS, type LedgerSettings } from '../../protocol/settings.ts';
import { calendarDay, japaneseEraDate, monthCalendar } from './calendar.ts';
import type { DocumentColumn, DocumentRow, DocumentSection, LedgerDocument } from './document.ts';
import { ledgerLabels, type LedgerLabels } from './labels.ts';
import { holidayLegend, monthHeading } from './print-lines.ts';
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

/**
 * The body rows (`cells`, one per ledger row, in the engine's order: each class's rows together), a total
 * row (`total`) after each class's rows, and the facility's after all of them when `facility`.
 */
function withTotals<R extends { class_name: string }>(
  rows: readonly R[],
  cells: readonly Cell[][],
  total: (label: string, rows: readonly R[]) => DocumentRow,
  labels: LedgerLabels,
  facility: boolean,
): DocumentRow[] {
  const out: DocumentRow[] = [];
  let block: R[] = [];
  const closeBlock = () => {
    const name = block[0]?.class_name;
    if (name !== undefined) out.push(total(labels.classTotal(name), block));
    block = [];
  };
  rows.forEach((row, i) => {
    if (block[0] !== undefined && block[0].class_name !== row.class_name) closeBlock();
    block.push(row);
    out.push({ kind: 'body', cells: cells[i] ?? [] });
  });
  closeBlock();
  if (facility) out.push(total(labels.facilityTotal, rows));
  return out;
}

/** The first cells of a total row: its label, an empty id column, the number of children. */
function totalHead(label: string, rows: readonly { child_id: string }[], labels: LedgerLabels): Cell[] {
  return [label, '', labels.children(new Set(rows.map((r) => r.child_id)).size)];
}

/** The ideographic space between the parts of a Japanese heading. */
const GAP = '\u3000';

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

  const totalRow = (label: string, rows: readonly MonthlyLedger['rows'][number][]): DocumentRow => ({
    kind: 'total',
    cells: [
      ...totalHead(label, rows, labels),
      ...Array.from({ length: n }, (_, i) => rows.filter((r) => attendedOn(r.days[i])).length),
      rows.reduce((s, r) => s + r.attended_days, 0),
      rows.reduce((s, r) => s + r.absent_days, 0),
      rows.reduce((s, r) => s + r.extended_minutes, 0),
    ],
  });
  const cells = table.rows.map((r) =>
    r.map((c, i) => (i >= 3 && i < 3 + n && typeof c === 'string' ? dayCell(c) : c)),
  );
  const body = withTotals(ledger.rows, cells, totalRow, labels, ledger.classId === null);

  const legend = [...holidayLegend(days, settings), labels.shading, labels.monthlyMarks];
  const className =
    ledger.classId === null
      ? null
      : (ledger.rows.find((r) => r.class_name !== '')?.class_name ?? ledger.classId);
  return {
    sheetName: `${labels.monthlyTitle} ${ledger.month}`,
    title: labels.monthlyTitle,
    meta: [
      ledger.facilityName,
      monthHeading(ledger.month, settings),
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
  const totalRow = (label: string, rows: readonly DailyLedger['rows'][number][]): DocumentRow => ({
    kind: 'total',
    cells: [
      ...totalHead(label, rows, labels),
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
  const body = withTotals(ledger.rows, table.rows, totalRow, labels, true);
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
