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
} from './index.ts';

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
  it('UTF-8 with BOM, CRLF, RFC 4180 quoting, null empty, booleans, neutralised cells', () => {
    const buf = ledgerCsv(daily, 'utf8');
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(buf.subarray(3).toString('utf8')).toBe(
      'class_name,child_id,child_name,status,check_in,check_out,extended_minutes,note,corrected\r\n' +
        'ひよこ組,c1,山田 太郎,left,06:40,18:20,60,,false\r\n' +
        'ひよこ組,c2,\'-1,absent,,,,"sick: 熱, ""高い""",true\r\n',
    );
  });

  it('Shift_JIS (CP932) without BOM; what it cannot encode becomes ?', () => {
    const withEmoji = {
      ...daily,
      rows: daily.rows.map((r) => ({ ...r, child_name: `${r.child_name}😀髙` })),
    };
    const buf = ledgerCsv(withEmoji, 'sjis');
    expect(buf[0]).toBe('c'.charCodeAt(0));
    const text = iconv.decode(buf, 'cp932');
    expect(text).toContain('山田 太郎?髙');
    expect(text.split('\r\n')).toHaveLength(4);
  });

  it('monthly columns: one per day of the month', () => {
    const m = monthlyLedger(sourceOf(snapshot), '2026-02', [], null);
    const header = ledgerCsv(m, 'utf8').toString('utf8').slice(1).split('\r\n')[0];
    expect(header).toBe(
      `class_name,child_id,child_name,${Array.from({ length: 28 }, (_, i) => String(i + 1)).join(',')},attended_days,absent_days,extended_minutes`,
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
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.getRow(1).getCell(1).font.bold).toBe(true);
    const table = ledgerTable(ledger);
    const read: unknown[][] = [];
    ws.eachRow({ includeEmpty: true }, (row) => {
      read.push(table.header.map((_h, i) => row.getCell(i + 1).value ?? null));
    });
    const expected = [
      table.header,
      ...table.rows.map((r) =>
        r.map((c) => (typeof c === 'string' && /^[=+\-@\t\r\n]/.test(c) ? `'${c}` : c === '' ? null : c)),
      ),
    ];
    expect(read).toEqual(expected);
    // And the JSON itself: numbers stay numbers.
    if ('date' in ledger) {
      expect(ws.getRow(2).getCell(7).value).toBe(ledger.rows[0]?.extended_minutes);
      expect(ws.getRow(3).getCell(3).value).toBe("'-1");
      expect(ws.getRow(3).getCell(9).value).toBe(true);
    } else {
      ledger.rows.forEach((r, i) => {
        expect(ws.getRow(i + 2).getCell(table.header.length).value).toBe(r.extended_minutes);
        // A corrected day's cell ends in ※ (the JSON's days stay clean).
        expect(ws.getRow(i + 2).getCell(4).value ?? '').toBe(
          `${r.days[0] ?? ''}${r.corrected_days.includes(1) ? '※' : ''}`,
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
    it('daily: title, Japanese names and values; deterministic', async () => {
      const pdf = await ledgerPdf(daily);
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      const text = await textOf(pdf, 'daily.pdf');
      for (const s of [
        '登降園記録簿',
        'げんかん保育園',
        D,
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
      expect(text).toContain('2026-04');
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
    const err = await ledgerPdf(daily, { fontPath: '/nonexistent/font.ttf' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LedgerFontError);
    expect(err).toMatchObject({ code: 'pdf_font_missing' });
    expect((err as Error).message).toContain('apt-get install fonts-ipafont-gothic');
    expect((err as Error).message).toContain('GENKAN_PDF_FONT');
  });

  it.skipIf(!hasFont)('finds an installed font without configuration', () => {
    expect(existsSync(findLedgerFont())).toBe(true);
  });
});
