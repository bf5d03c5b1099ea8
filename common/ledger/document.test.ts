import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type LedgerSettings } from '../../protocol/settings.ts';
import { demoMonth, DEMO_MONTH, DEMO_SETTINGS } from '../../test/support/ledger-demo.ts';
import { HAS_PDF_FONT, HAS_POPPLER, pdfWorkspace } from '../../test/support/ledger-pdf.ts';
import { sourceOf } from '../../test/support/ledger-month.ts';
import {
  calendarDay,
  japaneseEraDate,
  japaneseEraMonth,
  japaneseEraYear,
  monthCalendar,
} from './calendar.ts';
import { MARK_FILLS } from './document.ts';
import { contentDisposition } from '../content-disposition.ts';
import { localLedgerFileName } from './file-name.ts';
import { dailyLedger, ledgerPdf, ledgerXlsx, monthlyLedger } from './index.ts';
import { ledgerDocument } from './ledger-document.ts';
import { sectionSheetNames } from './xlsx-sections.ts';

/**
 * The print documents of the ledgers (ledger-document.ts) and their XLSX and PDF: era, holidays and
 * closed days, weekday row and shading, totals, approval boxes, page set-up, file names.
 */

const { snapshot, events } = demoMonth();
const source = sourceOf(snapshot);
const month = monthlyLedger(source, DEMO_MONTH, events, null);
const DAY = '2026-11-05';
const daily = dailyLedger(source, DAY, events);

describe('calendar', () => {
  it('Japanese era: 令和 from 2019-05-01, 平成 before, 元年 for the first year', () => {
    expect(japaneseEraYear('2019-04-30')).toBe('平成31年');
    expect(japaneseEraYear('2019-05-01')).toBe('令和元年');
    expect(japaneseEraYear('1989-01-08')).toBe('平成元年');
    expect(japaneseEraYear('2020-01-01')).toBe('令和2年');
    expect(japaneseEraMonth('2026-12')).toBe('令和8年12月');
    expect(japaneseEraMonth('2019-04')).toBe('平成31年4月');
    expect(japaneseEraMonth('2019-05')).toBe('令和元年5月');
    expect(japaneseEraDate('2026-12-01')).toBe('令和8年12月1日');
  });

  it('holidays from the package, closed weekdays, holidays and dates (MM-DD every year)', () => {
    const days = monthCalendar('2026-11', DEMO_SETTINGS, 'ja');
    expect(days).toHaveLength(30);
    expect(days[2]).toEqual({
      date: '2026-11-03',
      weekday: 2,
      holiday: '文化の日',
      closed: true,
      mark: 'closed',
    });
    expect(days[22]?.holiday).toBe('勤労感謝の日');
    expect(days.filter((d) => d.holiday !== null).map((d) => d.date)).toEqual(['2026-11-03', '2026-11-23']);
    expect(calendarDay('2026-11-03', DEMO_SETTINGS, 'en').holiday).toBe('National Culture Day');
    // Sunday closed; Saturday open and marked; the closed date; an ordinary day.
    expect(days[0]).toMatchObject({ weekday: 0, closed: true, mark: 'closed' });
    expect(days[6]).toMatchObject({ weekday: 6, closed: false, mark: 'saturday' });
    expect(days[13]).toMatchObject({ date: '2026-11-14', closed: true });
    expect(days[4]).toMatchObject({ closed: false, mark: null, holiday: null });
    // Holidays open: marked, not closed; MM-DD dates every year.
    const open: LedgerSettings = { ...DEFAULT_SETTINGS.ledger, closedOnHolidays: false, closedWeekdays: [] };
    expect(calendarDay('2026-11-03', open, 'ja')).toMatchObject({ closed: false, mark: 'holiday' });
    expect(calendarDay('2026-11-01', open, 'ja')).toMatchObject({ closed: false, mark: 'sunday' });
    expect(calendarDay('2031-12-30', open, 'ja').closed).toBe(true);
    expect(calendarDay('2031-12-28', open, 'ja').closed).toBe(false);
    // The package's data reaches 2050.
    expect(calendarDay('2050-11-03', open, 'ja').holiday).toBe('文化の日');
  });
});

describe('the monthly document', () => {
  const doc = ledgerDocument(month, DEMO_SETTINGS);

  it('title, facility name, month with era, weekday row, holidays in the legend, approvals', () => {
    expect(doc.title).toBe('出席簿');
    expect(doc.meta).toEqual(['さくら保育園', '2026年11月（令和8年11月）']);
    expect(doc.headerRows[1]?.slice(2, 10)).toEqual(['曜日', '日', '月', '火', '水', '木', '金', '土']);
    expect(doc.legend[0]).toBe('祝日: 3日 文化の日、23日 勤労感謝の日');
    expect(doc.approvals).toEqual(['園長', '主任', '担当']);
    expect(doc.columns[3 + 2]?.mark).toBe('closed');
    expect(doc.columns[3 + 6]?.mark).toBe('saturday');
    // No era without the setting, none in English.
    expect(ledgerDocument(month, { ...DEMO_SETTINGS, japaneseEra: false }).meta[1]).toBe('2026年11月');
    const en = ledgerDocument(month, { ...DEMO_SETTINGS, language: 'en' });
    expect(en.meta[1]).toBe('November 2026');
    expect(en.headerRows[1]?.slice(3, 5)).toEqual(['Sun', 'Mon']);
    expect(en.legend[0]).toBe('Public holidays: 3 National Culture Day, 23 Labor Thanksgiving Day');
  });

  it('daily totals per class and for the facility equal an independent count', () => {
    const totals = doc.rows.filter((r) => r.kind === 'total');
    const classes = [...new Set(month.rows.map((r) => r.class_name))];
    expect(totals.map((r) => r.cells[0])).toEqual([...classes.map((c) => `${c} 計`), '合計']);
    for (const [k, name] of [...classes, null].entries()) {
      const rows = month.rows.filter((r) => name === null || r.class_name === name);
      const cells = totals[k]?.cells ?? [];
      for (let d = 0; d < 30; d++) {
        let n = 0;
        for (const r of rows) if (/^\d\d:\d\d-/.test(r.days[d] ?? '')) n++;
        expect(cells[3 + d], `${name ?? 'all'} day ${String(d + 1)}`).toBe(n);
      }
      expect(cells[33]).toBe(rows.reduce((s, r) => s + r.attended_days, 0));
      expect(cells[34]).toBe(rows.reduce((s, r) => s + r.absent_days, 0));
      expect(cells[35]).toBe(rows.reduce((s, r) => s + r.extended_minutes, 0));
    }
    // Nobody on a closed day; some on an open one.
    expect(totals.at(-1)?.cells[3 + 2]).toBe(0);
    expect(totals.at(-1)?.cells[3 + 4]).toBeGreaterThan(0);
  });

  it('one class: its total, no facility total, the class named', () => {
    const one = ledgerDocument(monthlyLedger(source, DEMO_MONTH, events, 'risu'), DEMO_SETTINGS);
    expect(one.rows.filter((r) => r.kind === 'total').map((r) => r.cells[0])).toEqual(['りす組 計']);
    expect(one.meta[2]).toBe('組: りす組');
  });
});

describe('the daily document', () => {
  it('the day with weekday and era, per-class and facility totals', () => {
    const doc = ledgerDocument(daily, DEMO_SETTINGS);
    expect(doc.title).toBe('登降園記録簿');
    expect(doc.meta).toEqual(['さくら保育園', '2026年11月5日（木）　令和8年11月5日']);
    expect(ledgerDocument(dailyLedger(source, '2026-11-03', events), DEMO_SETTINGS).meta[1]).toBe(
      '2026年11月3日（火）　令和8年11月3日　祝日（文化の日）・休園日',
    );
    const total = doc.rows.at(-1);
    const count = (s: string) => daily.rows.filter((r) => r.status === s).length;
    expect(total?.cells[0]).toBe('合計');
    expect(total?.cells[7]).toBe(
      `出席 ${String(count('left') + count('present'))}・欠席 ${String(count('absent'))}・未登園 ${String(count('not_arrived'))}`,
    );
    expect(total?.cells[6]).toBe(daily.rows.reduce((s, r) => s + (r.extended_minutes ?? 0), 0));
  });
});

describe('XLSX', () => {
  const load = async (buf: Buffer) => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(new Uint8Array(buf).buffer);
    const ws = wb.worksheets[0];
    if (!ws) throw new Error('no sheet');
    return ws;
  };

  it('A4 landscape, one page wide, header rows repeated on every page', async () => {
    for (const ledger of [month, daily]) {
      const ws = await load(await ledgerXlsx(ledger, DEMO_SETTINGS));
      expect(ws.pageSetup).toMatchObject({
        orientation: 'landscape',
        paperSize: 9,
        fitToPage: true,
        fitToWidth: 1,
        fitToHeight: 0,
      });
      const doc = ledgerDocument(ledger, DEMO_SETTINGS);
      const [first = 0, last = 0] = (ws.pageSetup.printTitlesRow ?? '').split(':').map(Number);
      expect(last - first + 1).toBe(doc.headerRows.length);
      expect(ws.getRow(first).getCell(1).value).toBe('組');
    }
  });

  it('weekday row, shaded holiday, closed and Saturday columns, approval boxes', async () => {
    const ws = await load(await ledgerXlsx(month, DEMO_SETTINGS));
    const [first = 0] = (ws.pageSetup.printTitlesRow ?? '').split(':').map(Number);
    const weekdays = ws.getRow(first + 1);
    expect(weekdays.getCell(4).value).toBe('日');
    expect(weekdays.getCell(6).value).toBe('火');
    const fillOf = (row: number, col: number) => {
      const f = ws.getRow(row).getCell(col).fill;
      return f.type === 'pattern' ? f.fgColor?.argb : undefined;
    };
    const dayCol = (d: number) => 3 + d;
    // 11-03 文化の日 and 11-23 勤労感謝の日 (closed on holidays), Sunday 11-01, the closed 11-14: grey, in
    // the header, a body row and the total rows; Saturday 11-07 blue; Thursday 11-05 none in the body.
    for (const d of [1, 3, 14, 23]) {
      for (const row of [first, first + 1, first + 2, ws.rowCount]) {
        expect(fillOf(row, dayCol(d)), `day ${String(d)} row ${String(row)}`).toBe(`FF${MARK_FILLS.closed}`);
      }
    }
    expect(fillOf(first + 2, dayCol(7))).toBe(`FF${MARK_FILLS.saturday}`);
    expect(fillOf(first + 2, dayCol(5))).toBeUndefined();
    // The boxes: labels in row 1 at the right, merged stamp areas below, bordered.
    const labels: unknown[] = [];
    ws.getRow(1).eachCell((cell) => {
      if (cell.isMerged && cell.master === cell) labels.push(cell.value);
    });
    expect(labels).toEqual(['園長', '主任', '担当']);
    const last = ws.getRow(1).getCell(ws.columnCount);
    expect(last.master.value).toBe('担当');
    expect(ws.getRow(2).getCell(ws.columnCount).isMerged).toBe(true);
    expect(ws.getRow(3).getCell(ws.columnCount).border.bottom?.style).toBe('thin');
    expect(ws.getRow(1).getCell(1).value).toBe('出席簿');
    expect(ws.getRow(2).getCell(1).value).toBe('さくら保育園');
    expect(ws.getRow(3).getCell(1).value).toBe('2026年11月（令和8年11月）');
  });
});

describe('XLSX section sheet names', () => {
  const section = (title: string) => ({ title, header: [], rows: [], widths: [] });
  it('the title, Excel-safe, at most 31 characters (a long one without its parenthesis), each once', () => {
    expect(
      sectionSheetNames(
        ['出席簿 2026-11'],
        [
          section('訂正履歴（確定後の訂正）'),
          section('Amendments (corrections after closing)'),
          section('a/b:c*d?[e]'),
          section('出席簿 2026-11'),
          section('AMENDMENTS'),
          section('x'.repeat(40)),
        ],
      ),
    ).toEqual([
      '訂正履歴（確定後の訂正）',
      'Amendments',
      'a_b_c_d__e_',
      '出席簿 2026-11 (2)',
      'AMENDMENTS (2)',
      'x'.repeat(31),
    ]);
  });
});

describe.skipIf(!HAS_PDF_FONT || !HAS_POPPLER)('PDF', () => {
  const pdfs = pdfWorkspace('genkan-ledger-doc-');

  it('Japanese headings, facility name, era month, holidays, totals; every page landscape A4', async () => {
    const text = await pdfs.text(await ledgerPdf(month, DEMO_SETTINGS), 'monthly.pdf');
    for (const s of [
      '出席簿',
      'さくら保育園',
      '2026年11月（令和8年11月）',
      '祝日: 3日 文化の日、23日 勤労感謝の日',
      '園児名',
      '曜日',
      '出席日',
      '園長',
      '主任',
      '担当',
      'ひよこ組 計',
      '合計',
    ])
      expect(text).toContain(s);
    const grand = ledgerDocument(month, DEMO_SETTINGS).rows.at(-1)?.cells ?? [];
    expect(text).toMatch(
      new RegExp(`合計\\s.*${String(grand[33])}\\s+${String(grand[34])}\\s+${String(grand[35])}`),
    );
    const info = await pdfs.info('monthly.pdf', ['-f', '1', '-l', '99']);
    const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
    expect(pages).toBeGreaterThan(1);
    const sizes = [...info.matchAll(/Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)/g)];
    expect(sizes).toHaveLength(pages);
    for (const [, w, h] of sizes) expect([w, h]).toEqual(['841.89', '595.28']);
    // English.
    const en = await pdfs.text(await ledgerPdf(month, { ...DEMO_SETTINGS, language: 'en' }), 'monthly.pdf');
    for (const s of ['Attendance register', 'November 2026', 'Director', 'Total']) expect(en).toContain(s);
  });

  it('daily: landscape too, totals and the day', async () => {
    const text = await pdfs.text(await ledgerPdf(daily, DEMO_SETTINGS), 'daily.pdf');
    for (const s of [
      '登降園記録簿',
      'さくら保育園',
      '2026年11月5日（木）',
      '令和8年11月5日',
      '合計',
      '降園済',
    ])
      expect(text).toContain(s);
    expect(await pdfs.info('daily.pdf')).toMatch(/Page size:\s+841\.89 x 595\.28/);
  });
});

describe('file names', () => {
  it('in the language, with the facility name, cleaned; RFC 6266 filename*', () => {
    expect(localLedgerFileName(month, 'xlsx', 'ja')).toBe('出席簿_さくら保育園_2026-11.xlsx');
    expect(localLedgerFileName(daily, 'pdf', 'ja')).toBe('登降園記録簿_さくら保育園_2026-11-05.pdf');
    expect(localLedgerFileName({ ...month, classId: 'risu', rows: [] }, 'csv', 'ja')).toBe(
      '出席簿_さくら保育園_risu_2026-11.csv',
    );
    expect(localLedgerFileName({ ...month, facilityName: 'a/b:c*?' }, 'xlsx', 'en')).toBe(
      'attendance_a_b_c___2026-11.xlsx',
    );
    expect(contentDisposition('ledger-2026-12.xlsx', '出席簿_(a)_2026-12.xlsx')).toBe(
      `attachment; filename="ledger-2026-12.xlsx"; filename*=UTF-8''%E5%87%BA%E5%B8%AD%E7%B0%BF_%28a%29_2026-12.xlsx`,
    );
  });
});
