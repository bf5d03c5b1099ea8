import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { extendedMonth } from '../../test/support/extended-month.ts';
import { ValidationError } from '../errors.ts';
import { extendedLedgerFile, extendedQueryOf } from '../ledger-extended-http.ts';
import { extendedDocument } from './extended-document.ts';
import { extendedCsv } from './extended-files.ts';
import { ledgerSettingsOf } from '../ledger-http.ts';
import { extendedLedger } from './extended.ts';
import { findLedgerFont } from './font.ts';

const MONTH = '2026-11';
const m = extendedMonth(MONTH, 'default');
const source = { versions: m.versions, amendments: [] };
const report = extendedLedger(source, MONTH, m.events);
const settings = ledgerSettingsOf(source, '2026-11-30', null);
const toArrayBuffer = (b: Buffer): ArrayBuffer => new Uint8Array(b).buffer;
const csvLines = (buf: Buffer) => buf.subarray(3).toString('utf8').split('\r\n');

describe('extended-care report CSV', () => {
  it('children (default): one rectangular table in Japanese, a row per report row', () => {
    const lines = csvLines(extendedCsv(report, 'children', 'ja', 'utf8'));
    expect(lines[0]).toBe(
      '組,園児ID,園児名,認定区分,30分 前,1時間 前,2時間 前,2時間超 前,30分 後,1時間 後,2時間 後,2時間超 後,' +
        '利用日数 前,利用日数 後,延長時間（分） 前,延長時間（分） 後',
    );
    expect(lines).toHaveLength(report.children.length + 2);
    expect(lines.at(-1)).toBe('');
    const width = lines[0]?.split(',').length;
    for (const line of lines.slice(1, -1)) expect(line.split(',')).toHaveLength(width ?? 0);
    const x1 = report.children.find((c) => c.childId === 'x1' && c.careType === 'short');
    expect(lines).toContain(
      [
        'ひよこ組',
        'x1',
        '伊藤 二郎',
        '短時間',
        ...['before', 'after'].flatMap((s) =>
          ['30m', '1h', '2h', 'over2h'].map((b) => x1?.bands[b]?.[s as 'before' | 'after']),
        ),
        x1?.days.before,
        x1?.days.after,
        x1?.minutes.before,
        x1?.minutes.after,
      ].join(','),
    );
  });

  it('days: date, weekday, counts per side and care type, present at each time; English headings', () => {
    const ja = csvLines(extendedCsv(report, 'days', 'ja', 'utf8'));
    expect(ja[0]).toBe(
      '日付,曜日,標準時間 前,短時間 前,標準時間 後,短時間 後,在園 16:30,在園 18:00,在園 19:00',
    );
    const d2 = report.days[1];
    expect(ja[2]).toBe(
      [
        '2026-11-02',
        '月',
        d2?.before.standard,
        d2?.before.short,
        d2?.after.standard,
        d2?.after.short,
        d2?.presentAt['16:30'],
        d2?.presentAt['18:00'],
        d2?.presentAt['19:00'],
      ].join(','),
    );
    expect(ja).toHaveLength(30 + 2);
    const en = csvLines(extendedCsv(report, 'days', 'en', 'utf8'));
    expect(en[0]).toBe(
      'Date,Weekday,Standard before,Short before,Standard after,Short after,Present 16:30,Present 18:00,Present 19:00',
    );
    expect(en[2]?.startsWith('2026-11-02,Mon,')).toBe(true);
    expect(csvLines(extendedCsv(report, 'children', 'en', 'utf8'))[0]).toContain(
      'Class,Child ID,Child,Care type,30分 before',
    );
  });

  it('Shift_JIS without BOM; names neutralised against formulas', () => {
    const withFormula = {
      ...report,
      children: report.children.map((c) => (c.childId === 's1' ? { ...c, childName: '=HYPERLINK("x")' } : c)),
    };
    const buf = extendedCsv(withFormula, 'children', 'ja', 'sjis');
    const text = iconv.decode(buf, 'cp932');
    expect(text.startsWith('組,園児ID')).toBe(true);
    expect(text).toContain(`,"'=HYPERLINK(""x"")",`);
  });
});

describe('extended-care report print files', () => {
  it('the document: title, facility, month with era, weekday row, shaded weekends, totals, both tables', () => {
    const doc = extendedDocument(report, settings);
    expect(doc.title).toBe('時間外（延長）保育 実績報告');
    expect(doc.meta).toEqual(['げんかん保育園', '2026年11月（令和8年11月）']);
    expect(doc.approvals).toEqual(['園長', '主任', '担当']);
    expect(doc.headerRows[0]?.[1]).toBe('1');
    expect(doc.headerRows[1]?.[1]).toBe('日');
    // Nov 1 is a Sunday (closed by default), Nov 3 文化の日, Nov 7 a Saturday.
    expect(doc.columns[1]?.mark).toBe('closed');
    expect(doc.columns[3]?.mark).toBe('closed');
    expect(doc.columns[7]?.mark).toBe('saturday');
    expect(doc.legend.some((l) => l.includes('文化の日'))).toBe(true);
    const beforeStandard = doc.rows[0]?.cells;
    expect(beforeStandard?.[0]).toBe('標準時間 前');
    expect(beforeStandard?.at(-1)).toBe(report.days.reduce((n, d) => n + d.before.standard, 0));
    expect(doc.rows.map((r) => r.cells[0])).toEqual([
      '標準時間 前',
      '短時間 前',
      '前 合計',
      '標準時間 後',
      '短時間 後',
      '後 合計',
      '在園 16:30',
      '在園 18:00',
      '在園 19:00',
    ]);
    expect(doc.sections.map((s) => s.title)).toEqual([
      '園児別 時間帯別利用日数',
      '降園の記録がない日（集計外）',
    ]);
    expect(doc.sections[0]?.rows).toHaveLength(report.children.length + 1);
    const en = extendedDocument(report, { ...settings, language: 'en' });
    expect(en.title).toBe('Extended care report');
    expect(en.meta).toEqual(['げんかん保育園', 'November 2026']);
  });

  it('XLSX and PDF: the same bytes every time, Japanese headings in the sheet', async () => {
    const query = extendedQueryOf({ month: MONTH, format: 'xlsx' });
    const a = await extendedLedgerFile(report, settings, { ...query, format: 'xlsx' });
    const b = await extendedLedgerFile(report, settings, { ...query, format: 'xlsx' });
    expect(a.body.equals(b.body)).toBe(true);
    expect(a.disposition).toBe(
      `attachment; filename="extended-2026-11.xlsx"; filename*=UTF-8''${encodeURIComponent('延長保育_げんかん保育園_2026-11.xlsx')}`,
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(toArrayBuffer(a.body));
    // The per-day table, then each section on a sheet of its own, named by its title.
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      '延長保育 2026-11',
      '園児別 時間帯別利用日数',
      '降園の記録がない日（集計外）',
    ]);
    const textsOf = (ws: ExcelJS.Worksheet | undefined): string[] => {
      const texts: string[] = [];
      ws?.eachRow((row) => {
        row.eachCell((cell) => {
          if (typeof cell.value === 'string') texts.push(cell.value);
        });
      });
      return texts;
    };
    const [main, perChild, openDays] = wb.worksheets;
    for (const t of ['時間外（延長）保育 実績報告', 'げんかん保育園', '標準時間 前']) {
      expect(textsOf(main)).toContain(t);
    }
    for (const t of ['園児別 時間帯別利用日数', '30分 後', '伊藤 二郎'])
      expect(textsOf(perChild)).toContain(t);
    expect(textsOf(openDays)).toContain('降園の記録がない日（集計外）');
    // Each section's columns are as wide as their widest cell (a wide character counts two), not the
    // main table's narrow day columns; its header row prints on every page.
    const shown = (c: string) => c.length + (c.match(/[^ -\u00ff]/g)?.length ?? 0);
    const doc = extendedDocument(report, settings);
    doc.sections.forEach((section, i) => {
      const ws = wb.worksheets[i + 1];
      expect(ws?.pageSetup).toMatchObject({ orientation: 'landscape', fitToWidth: 1, printTitlesRow: '4:4' });
      section.header.forEach((heading, c) => {
        const widest = Math.max(...[section.header, ...section.rows].map((r) => shown(String(r[c] ?? ''))));
        expect(ws?.getColumn(c + 1).width, heading).toBeGreaterThanOrEqual(widest);
        expect(ws?.getRow(4).getCell(c + 1).value).toBe(heading);
      });
    });
    const en = await extendedLedgerFile(
      report,
      { ...settings, language: 'en' },
      { ...query, format: 'xlsx' },
    );
    await wb.xlsx.load(toArrayBuffer(en.body));
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      'extended-care 2026-11',
      'Days per child and band',
      'Days without a check-out',
    ]);
    const query2 = extendedQueryOf({
      month: MONTH,
      format: 'csv',
      table: 'days',
      lang: 'en',
      encoding: 'sjis',
    });
    const csvDays = await extendedLedgerFile(
      report,
      ledgerSettingsOf(source, '2026-11-30', query2.language),
      {
        ...query2,
        format: 'csv',
      },
    );
    expect(csvDays.contentType).toBe('text/csv; charset=Shift_JIS');
    expect(csvDays.disposition).toContain('filename="extended-2026-11-days.csv"');
    expect(csvDays.disposition).toContain(
      encodeURIComponent('extended-care_げんかん保育園_2026-11_days.csv'),
    );
  });

  it.skipIf(!hasFont())('PDF: the same bytes every time', async () => {
    const query = { ...extendedQueryOf({ month: MONTH, format: 'pdf' }), format: 'pdf' as const };
    const a = await extendedLedgerFile(report, settings, query);
    const b = await extendedLedgerFile(report, settings, query);
    expect(a.body.subarray(0, 5).toString()).toBe('%PDF-');
    expect(a.body.equals(b.body)).toBe(true);
  });
});

describe('extendedQueryOf', () => {
  it('defaults: json, utf8, the setting’s language, the children table', () => {
    expect(extendedQueryOf({ month: MONTH })).toEqual({
      format: 'json',
      encoding: 'utf8',
      month: MONTH,
      from: '2026-11-01',
      to: '2026-11-30',
      language: null,
      table: 'children',
    });
    expect(extendedQueryOf({}, '2026-12').month).toBe('2026-12');
  });

  it.each([
    [{ month: '2026-13' }],
    [{ month: '2026-1' }],
    [{}],
    [{ month: MONTH, format: 'docx' }],
    [{ month: MONTH, lang: 'fr' }],
    [{ month: MONTH, table: 'rows' }],
    [{ month: MONTH, encoding: 'latin1' }],
    [{ month: [MONTH, MONTH] }],
  ])('refuses %j with bad_request', (query) => {
    expect(() => extendedQueryOf(query)).toThrow(ValidationError);
    try {
      extendedQueryOf(query);
    } catch (err) {
      expect((err as ValidationError).code).toBe('bad_request');
    }
  });
});

function hasFont(): boolean {
  try {
    findLedgerFont();
    return true;
  } catch {
    return false;
  }
}
