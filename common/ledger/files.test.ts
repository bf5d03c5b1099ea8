import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseSnapshot, generateMonth, sourceOf, tokyoEvent } from '../../test/support/ledger-month.ts';
import {
  dailyLedger,
  findLedgerFont,
  LedgerFontError,
  ledgerCsv,
  ledgerPdf,
  ledgerTable,
  ledgerXlsx,
  monthlyLedger,
  PDF_FONT_CANDIDATES,
  type Cell,
} from './index.ts';
import { ledgerDocument } from './ledger-document.ts';

const run = promisify(execFile);

/** exceljs types its input as an ArrayBuffer. */
const toArrayBuffer = (b: Buffer): ArrayBuffer => new Uint8Array(b).buffer;

const snapshot = baseSnapshot({
  classes: [{ id: 'k1', name: 'ひよこ組' }],
  children: [
    { id: 'c1', name: '山田 太郎', kana: 'やまだ', classId: 'k1', careType: 'standard' },
    { id: 'c2', name: '-1', kana: 'ん', classId: 'k1', careType: 'short' },
  ],
});
const D = '2026-04-01';
const daily = dailyLedger(sourceOf(snapshot), D, [
  tokyoEvent('check_in', 'c1', D, '06:40'),
  tokyoEvent('check_out', 'c1', D, '18:20'),
  tokyoEvent('absent', 'c2', D, '07:00', { method: 'staff', actor: 's1', note: 'sick: 熱, "高い"' }),
]);

describe('CSV', () => {
  it('UTF-8 with BOM, CRLF, RFC 4180 quoting, null empty, Japanese headings and values, neutralised cells', () => {
    const buf = ledgerCsv(daily, 'utf8');
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(buf.subarray(3).toString('utf8')).toBe(
      '組,園児ID,園児名,出欠,登園,降園,延長保育（分）,備考,訂正\r\n' +
        'ひよこ組,c1,山田 太郎,降園済,06:40,18:20,60,,\r\n' +
        'ひよこ組,c2,\'-1,欠席,,,,"体調不良: 熱, ""高い""",訂正あり\r\n',
    );
  });

  it('English with lang en: headings, status words, reasons, Corrected', () => {
    expect(ledgerCsv(daily, 'utf8', 'en').subarray(3).toString('utf8')).toBe(
      'Class,Child ID,Child,Status,In,Out,Extended care (min),Note,Corrected\r\n' +
        'ひよこ組,c1,山田 太郎,Left,06:40,18:20,60,,\r\n' +
        'ひよこ組,c2,\'-1,Absent,,,,"Sick: 熱, ""高い""",Corrected\r\n',
    );
  });

  it('Shift_JIS (CP932) without BOM; what it cannot encode becomes ?', () => {
    const withEmoji = {
      ...daily,
      rows: daily.rows.map((r) => ({ ...r, child_name: `${r.child_name}😀髙` })),
    };
    const buf = ledgerCsv(withEmoji, 'sjis');
    expect([...buf.subarray(0, 2)]).toEqual([...iconv.encode('組', 'cp932')]);
    const text = iconv.decode(buf, 'cp932');
    expect(text).toContain('山田 太郎?髙');
    expect(text.split('\r\n')).toHaveLength(4);
    expect(text.split('\r\n')[0]).toBe('組,園児ID,園児名,出欠,登園,降園,延長保育（分）,備考,訂正');
    expect(text).toContain(',欠席,,,,"体調不良: 熱, ""高い""",訂正あり');
    // English in Shift_JIS too.
    expect(iconv.decode(ledgerCsv(daily, 'sjis', 'en'), 'cp932').split('\r\n')[0]).toBe(
      'Class,Child ID,Child,Status,In,Out,Extended care (min),Note,Corrected',
    );
  });

  it('monthly columns: one per day of the month', () => {
    const m = monthlyLedger(sourceOf(snapshot), '2026-02', [], null);
    const header = ledgerCsv(m, 'utf8').toString('utf8').slice(1).split('\r\n')[0];
    expect(header).toBe(
      `組,園児ID,園児名,${Array.from({ length: 28 }, (_, i) => String(i + 1)).join(',')},出席日数,欠席日数,延長保育（分）`,
    );
    const en = ledgerCsv(m, 'utf8', 'en').toString('utf8').slice(1).split('\r\n')[0];
    expect(en).toBe(
      `Class,Child ID,Child,${Array.from({ length: 28 }, (_, i) => String(i + 1)).join(',')},Days attended,Days absent,Extended care (min)`,
    );
  });
});

describe('XLSX', () => {
  it.each([
    ['daily', daily],
    [
      'monthly',
      monthlyLedger(
        sourceOf(generateMonth('2026-04', 40, 2, 7).snapshot),
        '2026-04',
        generateMonth('2026-04', 40, 2, 7).events,
        null,
      ),
    ],
  ] as const)('%s: read back, the same values as the JSON ledger', async (_, ledger) => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(toArrayBuffer(await ledgerXlsx(ledger)));
    expect(wb.worksheets).toHaveLength(1);
    const ws = wb.worksheets[0];
    if (!ws) throw new Error('no sheet');
    const doc = ledgerDocument(ledger);
    const [first = 0, last = 0] = (ws.pageSetup.printTitlesRow ?? '').split(':').map(Number);
    expect(last - first + 1).toBe(doc.headerRows.length);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: last, xSplit: 3 });
    expect(ws.getRow(first).getCell(1).font.bold).toBe(true);
    const neutral = (c: Cell) =>
      typeof c === 'string' && /^[=+\-@\t\r\n]/.test(c) ? `'${c}` : c === '' ? null : c;
    const lines = [...doc.headerRows, ...doc.rows.map((r) => r.cells)];
    const read: unknown[][] = lines.map((_, r) =>
      doc.columns.map((_c, i) => ws.getRow(first + r).getCell(i + 1).value ?? null),
    );
    expect(read).toEqual(lines.map((r) => r.map(neutral)));
    // The body rows are the CSV's rows (monthly day cells printed check-in over check-out).
    const table = ledgerTable(ledger);
    const body = doc.rows.filter((r) => r.kind === 'body');
    expect(body.map((r) => r.cells.map((c) => (typeof c === 'string' ? c.replace(/\n-?/, '-') : c)))).toEqual(
      table.rows,
    );
    expect(doc.headerRows[0]).toEqual(table.header);
    // And the JSON itself: numbers stay numbers.
    const rowOf = (i: number) =>
      ws.getRow(last + 1 + doc.rows.indexOf(body[i] ?? { cells: [], kind: 'body' }));
    if ('date' in ledger) {
      expect(rowOf(0).getCell(7).value).toBe(ledger.rows[0]?.extended_minutes);
      expect(rowOf(1).getCell(3).value).toBe("'-1");
      expect(rowOf(1).getCell(9).value).toBe('訂正あり');
    } else {
      ledger.rows.forEach((r, i) => {
        expect(rowOf(i).getCell(table.header.length).value).toBe(r.extended_minutes);
        // A corrected day's cell ends in ※ (the JSON's days stay clean).
        const first = rowOf(i).getCell(4).value;
        expect((typeof first === 'string' ? first : '').replace(/\n-?/, '-')).toBe(
          `${r.days[0] === '欠' ? '欠' : (r.days[0] ?? '')}${r.corrected_days.includes(1) ? '※' : ''}`,
        );
      });
    }
  });
});

describe('PDF', () => {
  const hasPdftotext = existsSync('/usr/bin/pdftotext');
  const hasFont =
    PDF_FONT_CANDIDATES.some((p) => existsSync(p)) || process.env['GENKAN_PDF_FONT'] !== undefined;
  const why = !hasPdftotext
    ? 'pdftotext missing (apt-get install poppler-utils)'
    : !hasFont
      ? 'no Japanese font (apt-get install fonts-ipafont-gothic)'
      : '';
  if (why !== '') {
    if (process.env['CI'] === 'true') throw new Error(`PDF tests need it under CI: ${why}`);
    // eslint-disable-next-line no-console -- a skipped test says why, as test/support/browser.ts does
    console.log(`skipping PDF content tests: ${why}`);
  }
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'genkan-ledger-pdf-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const textOf = async (pdf: Buffer, name: string): Promise<string> => {
    const file = join(dir, name);
    await writeFile(file, pdf);
    return (await run('/usr/bin/pdftotext', ['-layout', file, '-'])).stdout;
  };

  describe.skipIf(why !== '')('content', () => {
    it('daily: title, date with era, Japanese names and values, approval boxes; deterministic', async () => {
      const pdf = await ledgerPdf(daily);
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      const text = await textOf(pdf, 'daily.pdf');
      for (const s of [
        '登降園記録簿',
        'げんかん保育園',
        '2026年4月1日（水）',
        '令和8年4月1日',
        '降園済',
        '体調不良: 熱',
        '訂正あり',
        '園長',
        '主任',
        '担当',
        '山田 太郎',
        'ひよこ組',
        "'-1",
        '06:40',
        '18:20',
        '熱',
      ])
        expect(text).toContain(s);
      expect((await ledgerPdf(daily)).equals(pdf)).toBe(true);
    });

    it('monthly: landscape, many rows over several pages, every child named', async () => {
      const gen = generateMonth('2026-04', 120, 4, 11);
      const ledger = monthlyLedger(sourceOf(gen.snapshot), '2026-04', gen.events, null);
      const pdf = await ledgerPdf(ledger);
      const text = await textOf(pdf, 'monthly.pdf');
      expect(text).toContain('出席簿');
      expect(text).toContain('2026年4月（令和8年4月）');
      for (const r of ledger.rows) expect(text).toContain(r.child_name);
      const pages = (await run('/usr/bin/pdfinfo', [join(dir, 'monthly.pdf')]).catch(() => ({ stdout: '' })))
        .stdout;
      if (pages !== '') {
        expect(Number(/Pages:\s+(\d+)/.exec(pages)?.[1])).toBeGreaterThan(2);
        expect(pages).toMatch(/Page size:\s+841\.89 x 595\.28/);
      }
    });
  });

  it('no font: LedgerFontError with the fix', async () => {
    const err = await ledgerPdf(daily, undefined, { fontPath: '/nonexistent/font.ttf' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LedgerFontError);
    expect(err).toMatchObject({ code: 'pdf_font_missing' });
    expect((err as Error).message).toContain('apt-get install fonts-ipafont-gothic');
    expect((err as Error).message).toContain('GENKAN_PDF_FONT');
  });

  it.skipIf(!hasFont)('finds an installed font without configuration', () => {
    expect(existsSync(findLedgerFont())).toBe(true);
  });
});
