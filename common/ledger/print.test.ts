import { existsSync, statSync } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../package-root.ts';
import { demoMonth, DEMO_MONTH, DEMO_SETTINGS } from '../../test/support/ledger-demo.ts';
import { sourceOf } from '../../test/support/ledger-month.ts';
import { HAS_PDF_FONT, pdfWorkspace, run } from '../../test/support/ledger-pdf.ts';
import { dailyLedger, ledgerPdf, ledgerXlsx, monthlyLedger } from './index.ts';
import { ledgerDocument } from './ledger-document.ts';

/**
 * "One page wide" for real: the monthly XLSX printed by LibreOffice (headless, as a municipality's PC or
 * the director's would) is landscape A4 and every page holds the first columns and the last (the
 * totals). Needs soffice (apt-get install libreoffice-calc-nogui) and poppler-utils: skipped with the
 * reason when missing, failed under CI.
 *
 * It renders page 1 of that print and of the monthly and daily PDFs of the demo month
 * (test/support/ledger-demo.ts) to PNG in test-results/screens; GENKAN_SCREENS=1 also copies them to
 * docs/screens (ledger-monthly-xlsx.png, ledger-monthly-pdf.png, ledger-daily-pdf.png):
 * GENKAN_SCREENS=1 npx vitest run common/ledger/print.test.ts
 */

const SOFFICE = ['/usr/bin/soffice', '/usr/bin/libreoffice'].find((p) => existsSync(p));
const why =
  SOFFICE === undefined
    ? 'soffice missing (apt-get install libreoffice-calc-nogui)'
    : !existsSync('/usr/bin/pdftotext') || !existsSync('/usr/bin/pdftoppm')
      ? 'poppler-utils missing (apt-get install poppler-utils)'
      : !HAS_PDF_FONT
        ? 'no Japanese font (apt-get install fonts-ipafont-gothic)'
        : '';
if (why !== '') {
  if (process.env['CI'] === 'true') throw new Error(`the print test needs it under CI: ${why}`);
  // eslint-disable-next-line no-console -- a skipped test says why
  console.log(`skipping the LibreOffice print test: ${why}`);
}
const screens = process.env['GENKAN_SCREENS'] === '1';

describe.skipIf(why !== '')('the monthly XLSX printed by LibreOffice', () => {
  const { snapshot, events } = demoMonth();
  const month = monthlyLedger(sourceOf(snapshot), DEMO_MONTH, events, null);
  const work = pdfWorkspace('genkan-ledger-print-');

  /** Page 1 of a PDF as PNG at 80 dpi into test-results/screens (and docs/screens with GENKAN_SCREENS=1). */
  const screen = async (pdf: string, name: string) => {
    const dir = join(PACKAGE_ROOT, 'test-results', 'screens');
    await mkdir(dir, { recursive: true });
    const out = join(dir, name);
    await run('/usr/bin/pdftoppm', ['-r', '80', '-png', '-f', '1', '-l', '1', '-singlefile', pdf, out]);
    expect(statSync(`${out}.png`).size).toBeGreaterThan(10_000);
    if (screens) await copyFile(`${out}.png`, join(PACKAGE_ROOT, 'docs', 'screens', `${name}.png`));
  };

  it('is landscape A4, and every page has the first and the last columns', async () => {
    const xlsx = work.path('monthly.xlsx');
    await writeFile(xlsx, await ledgerXlsx(month, DEMO_SETTINGS));
    // A profile of its own: no clash with a LibreOffice the user runs, nothing left in $HOME.
    const profile = pathToFileURL(work.path('profile')).href;
    await run(
      SOFFICE ?? 'soffice',
      [
        `-env:UserInstallation=${profile}`,
        '--headless',
        '--convert-to',
        'pdf',
        '--outdir',
        work.path(''),
        xlsx,
      ],
      { timeout: 110_000 },
    );
    const pdf = work.path('monthly.pdf');
    const info = (await run('/usr/bin/pdfinfo', ['-f', '1', '-l', '99', pdf])).stdout;
    const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
    expect(pages).toBeGreaterThan(1);
    const sizes = [...info.matchAll(/Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)/g)];
    expect(sizes).toHaveLength(pages);
    for (const [, w, h] of sizes) {
      // A4 landscape (LibreOffice rounds the height a little).
      expect(Number(w)).toBeCloseTo(841.9, 0);
      expect(Number(h)).toBeCloseTo(595.3, 0);
    }
    const grand = ledgerDocument(month, DEMO_SETTINGS).rows.at(-1)?.cells ?? [];
    for (let p = 1; p <= pages; p++) {
      const text = (await run('/usr/bin/pdftotext', ['-layout', '-f', String(p), '-l', String(p), pdf, '-']))
        .stdout;
      // The repeated header: the first columns and the last ones on the same page, and no page of only
      // day columns (which a sheet not fitted to the width would print).
      expect(text, `page ${String(p)}`).toContain('園児名');
      expect(text, `page ${String(p)}`).toContain('延長保育');
      expect(text, `page ${String(p)}`).toContain('30');
    }
    const last = (
      await run('/usr/bin/pdftotext', ['-layout', '-f', String(pages), '-l', String(pages), pdf, '-'])
    ).stdout;
    expect(last).toMatch(new RegExp(`合計.*\\s${String(grand[35])}\\s*$`, 'm'));
    await screen(pdf, 'ledger-monthly-xlsx');
  }, 120_000);

  it('renders the PDFs’ first pages', async () => {
    const monthly = work.path('monthly-ledger.pdf');
    await writeFile(monthly, await ledgerPdf(month, DEMO_SETTINGS));
    await screen(monthly, 'ledger-monthly-pdf');
    const daily = work.path('daily-ledger.pdf');
    await writeFile(
      daily,
      await ledgerPdf(dailyLedger(sourceOf(snapshot), '2026-11-05', events), DEMO_SETTINGS),
    );
    await screen(daily, 'ledger-daily-pdf');
  });
});
