import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import type { CsvEncoding } from '../../protocol/ledger.ts';
import { baseSnapshot, sourceOf, tokyoEvent } from '../../test/support/ledger-month.ts';
import { dailyLedger, ledgerCsv, ledgerXlsx, monthlyLedger, neutralizeCell } from './index.ts';
import { ledgerLabels, localNote } from './labels.ts';
import { ledgerDocument } from './ledger-document.ts';

/**
 * CSV/formula injection (OWASP): 10,000 random names and notes, many starting with a formula character,
 * go through a snapshot into the CSV (both encodings, parsed back) and the XLSX (read back). No cell may
 * start with = + - @ tab CR LF unless preceded by ', and no XLSX cell may be a formula.
 */

const FORMULA_START = /^[=+\-@\t\r\n]/;
const BATCHES = 10;
const PER_BATCH = 1000;

const tricky = fc.constantFrom(
  '=',
  '+',
  '-',
  '@',
  '\t',
  '\r',
  '\n',
  '"',
  ',',
  "'",
  ' ',
  '漢',
  '髙',
  '😀',
  'ｱ',
  'a',
  '1',
  ';',
);
const text = fc.oneof(
  // A formula character first, then anything.
  fc
    .tuple(
      fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\n'),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
    )
    .map(([a, b]) => a + b),
  fc.string({ unit: tricky, maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('=SUM(A1:A2)', '-1', '+81 3', '@cmd', '=HYPERLINK("http://x","y")', 'a,"b"\r\nc'),
);

function checkCell(cell: string, where: string): void {
  if (FORMULA_START.test(cell))
    throw new Error(`${where}: cell starts with a formula character: ${JSON.stringify(cell)}`);
}

function parseCsv(buf: Buffer, encoding: CsvEncoding): string[][] {
  const textOf = encoding === 'sjis' ? iconv.decode(buf, 'cp932') : buf.toString('utf8');
  const rows: string[][] = parse(textOf, { bom: true });
  return rows;
}

describe('formula injection', () => {
  it('neutralizeCell', () => {
    for (const c of ['=', '+', '-', '@', '\t', '\r', '\n']) expect(neutralizeCell(`${c}x`)).toBe(`'${c}x`);
    expect(neutralizeCell('08:00-')).toBe('08:00-');
    expect(neutralizeCell('')).toBe('');
    expect(neutralizeCell('a=b')).toBe('a=b');
  });

  it(`${String(BATCHES * PER_BATCH)} random names and notes never reach a spreadsheet as formulas`, async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(text, text, text), { minLength: PER_BATCH, maxLength: PER_BATCH }),
        async (entries) => {
          runs++;
          const snapshot = baseSnapshot({
            // Class names from the data too (a class per 100 children).
            classes: Array.from({ length: PER_BATCH / 100 }, (_, i) => ({
              id: `k${String(i)}`,
              name: entries[i * 100]?.[2] ?? '',
            })),
            children: entries.map(([name], i) => ({
              id: `c${String(i)}`,
              name,
              kana: String(i).padStart(5, '0'),
              classId: `k${String(Math.floor(i / 100))}`,
              careType: 'standard' as const,
            })),
          });
          const events = entries.map(([, note], i) =>
            tokyoEvent('check_in', `c${String(i)}`, '2026-04-01', '08:00', {
              method: 'staff',
              actor: 's1',
              note,
            }),
          );
          const daily = dailyLedger(sourceOf(snapshot), '2026-04-01', events);
          const monthly = monthlyLedger(sourceOf(snapshot), '2026-04', events, null);
          const notes = new Map(entries.map(([, note], i) => [`c${String(i)}`, note]));
          // The monthly ledger carries the same name cells: checked in the first batch only, for time.
          for (const ledger of runs === 1 ? [daily, monthly] : [daily]) {
            for (const encoding of ['utf8', 'sjis'] as const) {
              const rows = parseCsv(ledgerCsv(ledger, encoding), encoding);
              expect(rows).toHaveLength(PER_BATCH + 1);
              for (const row of rows) for (const cell of row) checkCell(cell, `csv ${encoding}`);
              if (encoding === 'utf8' && ledger === daily) {
                // Text that UTF-8 can carry comes back exactly, neutralised.
                for (const row of rows.slice(1)) {
                  const note = notes.get(row[1] ?? '');
                  if (note !== undefined && note === Buffer.from(note).toString('utf8'))
                    expect(row[7]).toBe(neutralizeCell(localNote(note, ledgerLabels('ja'))));
                }
              }
            }
            const wb = new ExcelJS.Workbook();
            await wb.xlsx.load(new Uint8Array(await ledgerXlsx(ledger)).buffer);
            const ws = wb.worksheets[0];
            if (!ws) throw new Error('no sheet');
            // The print document's rows (with the class and facility totals) after the header rows.
            const last = Number((ws.pageSetup.printTitlesRow ?? '').split(':')[1]);
            expect(ws.rowCount).toBe(last + ledgerDocument(ledger).rows.length);
            ws.eachRow((row) => {
              row.eachCell({ includeEmpty: false }, (cell) => {
                expect(cell.type).not.toBe(ExcelJS.ValueType.Formula);
                expect(cell.formula).toBeFalsy();
                if (typeof cell.value === 'string') checkCell(cell.value, 'xlsx');
              });
            });
          }
        },
      ),
      { numRuns: BATCHES, seed: 42 },
    );
    expect(runs).toBe(BATCHES);
  }, 120_000);
});
