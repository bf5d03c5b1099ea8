import { existsSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Amendment } from '../../protocol/history.ts';
import { DailyLedgerSchema, MonthlyLedgerSchema } from '../../protocol/ledger.ts';
import { DEFAULT_SETTINGS } from '../../protocol/settings.ts';
import { baseSnapshot, sourceOf, tokyoEvent } from '../../test/support/ledger-month.ts';
import { HAS_PDF_FONT, pdfWorkspace } from '../../test/support/ledger-pdf.ts';
import {
  dailyLedger,
  dayStateText,
  ledgerCsv,
  ledgerPdf,
  ledgerTable,
  ledgerXlsx,
  monthlyLedger,
} from './index.ts';
import { ledgerDocument } from './ledger-document.ts';

/**
 * Corrections in the ledger files: the ※ of a corrected day in the monthly cells, the amendments section
 * (訂正履歴) after the rows in CSV, XLSX and PDF, and files that do not depend on when they are rendered.
 */

const snapshot = baseSnapshot({
  classes: [
    { id: 'k1', name: 'ひよこ組' },
    { id: 'k2', name: 'りす組' },
  ],
  children: [
    { id: 'c1', name: '山田 太郎', kana: 'やまだ', classId: 'k1', careType: 'standard' },
    { id: 'c2', name: '-1', kana: 'ん', classId: 'k1', careType: 'short' },
    { id: 'c3', name: '鈴木 一', kana: 'すずき', classId: 'k2', careType: 'standard' },
  ],
});
const D = '2026-04-01';
const staff = { method: 'staff' as const, actor: 's1', deviceId: 'tablet-1' };
const wrong = tokyoEvent('check_in', 'c3', '2026-04-02', '07:00');
const events = [
  tokyoEvent('check_in', 'c1', D, '06:40'),
  tokyoEvent('check_out', 'c1', D, '18:20'),
  tokyoEvent('absent', 'c2', D, '07:00', { ...staff, note: 'sick: 発熱' }),
  // c3: a manual check-in on the 2nd, and a wrong tap voided (which leaves an empty, corrected day).
  tokyoEvent('check_in', 'c3', '2026-04-02', '08:00', { ...staff, note: '手動登園' }),
  tokyoEvent('check_out', 'c3', '2026-04-02', '17:00'),
  wrong,
  tokyoEvent('void', 'c3', '2026-04-03', '09:00', { ...staff, voids: wrong.id }),
  tokyoEvent('check_in', 'c1', '2026-04-03', '08:00'),
];

const amendment = (n: number, overrides: Partial<Amendment> = {}): Amendment => ({
  correctionId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  date: D,
  childId: 'c1',
  childName: '山田 太郎',
  before: { checkIn: '06:40', checkOut: null, absent: null },
  after: { checkIn: '06:40', checkOut: '18:20', absent: null },
  actor: 's001',
  actorName: '園長 花子',
  reason: '降園の打刻漏れ',
  at: '2026-05-02T09:15:00+09:00',
  ...overrides,
});
const amendments = [
  // Same time as the second: after it by correctionId.
  amendment(3, {
    date: '2026-04-03',
    before: { checkIn: null, checkOut: null, absent: null },
    after: { checkIn: null, checkOut: null, absent: { reason: 'family' } },
    reason: '連絡帳で欠席と判明',
  }),
  amendment(1),
  // In UTC: listed first, shown in Tokyo time.
  amendment(2, {
    childId: 'c2',
    childName: '-1',
    before: { checkIn: null, checkOut: null, absent: { reason: 'sick', note: '発熱' } },
    after: { checkIn: null, checkOut: '18:10', absent: null },
    reason: '=1+1',
    at: '2026-05-01T01:00:00Z',
  }),
  // Another month.
  amendment(4, { date: '2026-05-01' }),
];
const source = sourceOf(snapshot, amendments);
const month = monthlyLedger(source, '2026-04', events, null);

/** The lines of a CSV without its BOM and last line end. */
const csvLines = (buf: Buffer): string[] => buf.toString('utf8').slice(1).split('\r\n').slice(0, -1);

describe('corrected days', () => {
  it('are listed in the JSON and marked ※ in the files only', () => {
    const row = (id: string) => month.rows.find((r) => r.child_id === id);
    expect(row('c1')).toMatchObject({ corrected_days: [] });
    expect(row('c2')).toMatchObject({ corrected_days: [1] });
    expect(row('c3')).toMatchObject({ corrected_days: [2] });
    expect(row('c2')?.days[0]).toBe('欠');
    expect(row('c3')?.days[1]).toBe('08:00-17:00');
    // Each corrected day is a day whose daily ledger says corrected.
    for (const date of ['2026-04-01', '2026-04-02', '2026-04-03']) {
      const d = Number(date.slice(8));
      for (const r of dailyLedger(source, date, events).rows) {
        expect(row(r.child_id)?.corrected_days.includes(d), `${r.child_id} ${date}`).toBe(r.corrected);
      }
    }
    const lines = csvLines(ledgerCsv(month, 'utf8'));
    expect(lines[1]).toMatch(/^ひよこ組,c1,山田 太郎,06:40-18:20,,08:00-,/);
    expect(lines[2]).toMatch(/^ひよこ組,c2,'-1,欠※,,,/);
    expect(lines[3]).toMatch(/^りす組,c3,鈴木 一,,08:00-17:00※,,/);
  });
});

describe('amendments', () => {
  it('of the ledger’s days, oldest first, at in the facility’s offset', () => {
    expect(MonthlyLedgerSchema.parse(month)).toEqual(month);
    expect(month.amendments.map((a) => a.correctionId.slice(-1))).toEqual(['2', '1', '3']);
    expect(month.amendments[0]?.at).toBe('2026-05-01T10:00:00.000+09:00');
    expect(month.amendments[1]).toEqual(amendments[1]);
    const day = dailyLedger(source, D, events);
    expect(DailyLedgerSchema.parse(day)).toEqual(day);
    expect(day.amendments.map((a) => a.correctionId.slice(-1))).toEqual(['2', '1']);
    expect(dailyLedger(source, '2026-04-04', events).amendments).toEqual([]);
    expect(monthlyLedger(sourceOf(snapshot), '2026-04', events, null).amendments).toEqual([]);
    // A one-class ledger: the amendments of its children only.
    expect(monthlyLedger(source, '2026-04', events, 'k2').amendments).toEqual([]);
    expect(monthlyLedger(source, '2026-04', events, 'k1').amendments).toHaveLength(3);
  });

  it('day states as text', () => {
    const state = (checkIn: string | null, checkOut: string | null) => ({ checkIn, checkOut, absent: null });
    expect(dayStateText(state('08:30', '18:10'))).toBe('08:30-18:10');
    expect(dayStateText(state('08:30', null))).toBe('08:30-');
    expect(dayStateText(state(null, '18:10'))).toBe('-18:10');
    expect(dayStateText(state(null, null))).toBe('（記録なし）');
    const absent = (reason: 'sick' | 'family' | 'other', note?: string) => ({
      checkIn: null,
      checkOut: null,
      absent: note === undefined ? { reason } : { reason, note },
    });
    expect(dayStateText(absent('sick', '発熱'))).toBe('欠席（体調不良: 発熱）');
    expect(dayStateText(absent('family'))).toBe('欠席（家庭の都合）');
    expect(dayStateText(absent('other', '忌引'))).toBe('欠席（その他: 忌引）');
  });

  it('CSV: after the rows, an empty line, the title, the header and one line each, as wide as the rows', () => {
    const lines = csvLines(ledgerCsv(month, 'utf8'));
    const width = 3 + 30 + 3;
    const pad = (s: string) => s + ','.repeat(width - s.split(',').length);
    expect(lines.slice(4)).toEqual([
      pad(''),
      pad('訂正履歴（確定後の訂正）'),
      pad('日付,園児ID,園児名,訂正前,訂正後,訂正者,理由,訂正日時'),
      pad("2026-04-01,c2,'-1,欠席（体調不良: 発熱）,'-18:10,園長 花子（s001）,'=1+1,2026-05-01 10:00"),
      pad('2026-04-01,c1,山田 太郎,06:40-,06:40-18:20,園長 花子（s001）,降園の打刻漏れ,2026-05-02 09:15'),
      pad(
        '2026-04-03,c1,山田 太郎,（記録なし）,欠席（家庭の都合）,園長 花子（s001）,連絡帳で欠席と判明,2026-05-02 09:15',
      ),
    ]);
    const daily = csvLines(ledgerCsv(dailyLedger(source, D, events), 'utf8'));
    expect(daily.slice(-4)).toEqual([
      '訂正履歴（確定後の訂正）,,,,,,,,',
      '日付,園児ID,園児名,訂正前,訂正後,訂正者,理由,訂正日時,',
      "2026-04-01,c2,'-1,欠席（体調不良: 発熱）,'-18:10,園長 花子（s001）,'=1+1,2026-05-01 10:00,",
      '2026-04-01,c1,山田 太郎,06:40-,06:40-18:20,園長 花子（s001）,降園の打刻漏れ,2026-05-02 09:15,',
    ]);
    expect(daily[daily.length - 5]).toBe(',,,,,,,,');
  });

  it('XLSX: on a sheet of its own after the ledger, the title, the header and the lines, read back, wide enough', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(new Uint8Array(await ledgerXlsx(month)).buffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['出席簿 2026-04', '訂正履歴（確定後の訂正）']);
    const [main, ws] = wb.worksheets;
    if (!main || !ws) throw new Error('no sheets');
    // The ledger's sheet ends with its total rows.
    const doc = ledgerDocument(month);
    const last = Number((main.pageSetup.printTitlesRow ?? '').split(':')[1]);
    expect(main.rowCount).toBe(last + doc.rows.length);
    const table = ledgerTable(month);
    const amendments = table.amendments;
    if (amendments === null) throw new Error('no amendments');
    const neutral = (c: string) => (/^[=+\-@\t\r\n]/.test(c) ? `'${c}` : c === '' ? null : c);
    expect(ws.getRow(1).getCell(1).value).toBe('訂正履歴（確定後の訂正）');
    expect(ws.getRow(1).getCell(1).font.bold).toBe(true);
    expect(ws.getRow(2).getCell(1).value).toBe('出席簿　げんかん保育園　2026年4月（令和8年4月）');
    // The ledger's page set-up (A4 landscape, one page wide), with its own heading row repeated.
    expect({ ...ws.pageSetup, printTitlesRow: '' }).toEqual({ ...main.pageSetup, printTitlesRow: '' });
    expect(ws.pageSetup.printTitlesRow).toBe('4:4');
    const lines = [amendments.header, ...amendments.rows];
    const read = lines.map((r, i) => r.map((_c, c) => ws.getRow(4 + i).getCell(c + 1).value ?? null));
    expect(read).toEqual(lines.map((r) => r.map(neutral)));
    expect(ws.rowCount).toBe(4 + amendments.rows.length);
    expect(ws.getRow(4).getCell(1).font.bold).toBe(true);
    expect(ws.getRow(5).getCell(7).value).toBe("'=1+1");
    // Nothing clipped: every column at least as wide as its widest cell (a wide character counts two).
    const shown = (c: string) => c.length + (c.match(/[^ -\u00ff]/g)?.length ?? 0);
    amendments.header.forEach((_h, c) => {
      const widest = Math.max(...lines.map((r) => shown(neutral(r[c] ?? '') ?? '')));
      expect(ws.getColumn(c + 1).width, amendments.header[c]).toBeGreaterThanOrEqual(widest);
    });
    const en = new ExcelJS.Workbook();
    await en.xlsx.load(
      new Uint8Array(await ledgerXlsx(month, { ...DEFAULT_SETTINGS.ledger, language: 'en' })).buffer,
    );
    expect(en.worksheets.map((w) => w.name)).toEqual(['Attendance register 2026-04', 'Amendments']);
  });

  it('English with lang en', () => {
    const lines = csvLines(ledgerCsv(month, 'utf8', 'en'));
    expect(lines[5]).toMatch(/^Amendments \(corrections after closing\),/);
    expect(lines[6]).toMatch(/^Date,Child ID,Child,Before,After,By,Reason,Corrected at,/);
    expect(lines[7]).toMatch(/^2026-04-01,c2,'-1,Absent \(Sick: 発熱\),'-18:10,園長 花子 \(s001\),/);
    expect(lines[9]).toMatch(/,\(no record\),Absent \(Family\),/);
  });
});

const hasPdftotext = existsSync('/usr/bin/pdftotext');

describe.skipIf(!HAS_PDF_FONT || !hasPdftotext)('PDF amendments', () => {
  const pdfs = pdfWorkspace('genkan-ledger-amend-');
  const textOf = pdfs.text;

  it('lists them after the rows, in the columns of the CSV', async () => {
    const text = await textOf(await ledgerPdf(month), 'monthly.pdf');
    for (const s of [
      '訂正履歴（確定後の訂正）',
      '訂正前',
      '訂正日時',
      '欠席（体調不良: 発熱）',
      '欠席（家庭の都合）',
      '園長 花子（s001）',
      "'=1+1",
      '2026-05-01 10:00',
      '降園の打刻漏れ',
      '欠※',
    ])
      expect(text).toContain(s);
    expect(text.indexOf('鈴木 一')).toBeLessThan(text.indexOf('訂正履歴'));
  });

  it('wraps long cells and goes on over pages', async () => {
    const many = Array.from({ length: 40 }, (_, i) =>
      amendment(i + 10, { reason: `${'word '.repeat(60)}reason${String(i)}end` }),
    );
    const pdf = await ledgerPdf(dailyLedger(sourceOf(snapshot, many), D, events));
    const text = await textOf(pdf, 'many.pdf');
    for (let i = 0; i < 40; i++) expect(text).toContain(`reason${String(i)}end`);
    const info = await pdfs.info('many.pdf').catch(() => '');
    if (info !== '') expect(Number(/Pages:\s+(\d+)/.exec(info)?.[1])).toBeGreaterThan(1);
  });
});

describe('the same ledger, the same bytes', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('whenever the XLSX and the PDF are rendered', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-05-03T10:00:00Z'));
    const xlsx = await ledgerXlsx(month);
    const pdf = HAS_PDF_FONT ? await ledgerPdf(month) : undefined;
    vi.setSystemTime(new Date('2031-11-15T03:04:05Z'));
    expect((await ledgerXlsx(month)).equals(xlsx)).toBe(true);
    if (pdf !== undefined) expect((await ledgerPdf(month)).equals(pdf)).toBe(true);
  });
});
