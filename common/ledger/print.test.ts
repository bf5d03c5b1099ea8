import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../package-root.ts';
import { demoMonth, DEMO_MONTH, DEMO_SETTINGS } from '../../test/support/ledger-demo.ts';
import { sourceOf } from '../../test/support/ledger-month.ts';
import { dailyLedger, ledgerPdf, ledgerXlsx, monthlyLedger, PDF_FONT_CANDIDATES } from './index.ts';
import { ledgerDocument } from './ledger-document.ts';

/**
 * "One page wide" for real: the monthly XLSX printed by LibreOffice (headless, as a municipality's PC or
 * the director's would) is landscape A4 and every page holds the first columns and the last (the
 * totals). Needs soffice (apt-get install libreoffice-calc-nogui) and poppler-utils: skipped with the
 * reason when missing, failed under CI.
 *
 * With GENKAN_SCREENS=1 it also refreshes docs/screens/ledger-monthly-xlsx.png (page 1 of that print),
 * ledger-monthly-pdf.png and ledger-daily-pdf.png (page 1 of the PDFs) from the demo month
 * (test/support/ledger-demo.ts): GENKAN_SCREENS=1 npx vitest run common/ledger/print.test.ts
 */

const run = promisify(execFile);
const SOFFICE = ['/usr/bin/soffice', '/usr/bin/libreoffice'].find((p) => existsSync(p));
const hasFont =
  PDF_FONT_CANDIDATES.some((p) => existsSync(p)) || process.env['GENKAN_PDF_FONT'] !== undefined;
const why =
  SOFFICE === undefined
    ? 'soffice missing (apt-get install libreoffice-calc-nogui)'
    : !existsSync('/usr/bin/pdftotext') || !existsSync('/usr/bin/pdftoppm')
      ? 'poppler-utils missing (apt-get install poppler-utils)'
      : !hasFont
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
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'genkan-ledger-print-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Page 1 of a PDF as PNG at 80 dpi into docs/screens. */
  const screen = async (pdf: string, name: string) => {
    const out = join(dir, name);
    await run('/usr/bin/pdftoppm', ['-r', '80', '-png', '-f', '1', '-l', '1', '-singlefile', pdf, out]);
    await copyFile(`${out}.png`, join(PACKAGE_ROOT, 'docs', 'screens', `${name}.png`));
  };

  it('is landscape A4, and every page has the first and the last columns', async () => {
    const xlsx = join(dir, 'monthly.xlsx');
    await writeFile(xlsx, await ledgerXlsx(month, DEMO_SETTINGS));
    // A profile of its own: no clash with a LibreOffice the user runs, nothing left in $HOME.
    const profile = pathToFileURL(join(dir, 'profile')).href;
    await run(
      SOFFICE ?? 'soffice',
      [`-env:UserInstallation=${profile}`, '--headless', '--convert-to', 'pdf', '--outdir', dir, xlsx],
      { timeout: 110_000 },
    );
    const pdf = join(dir, 'monthly.pdf');
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
    if (screens) await screen(pdf, 'ledger-monthly-xlsx');
  }, 120_000);

  it.skipIf(!screens)('renders the PDFs’ first pages into docs/screens', async () => {
    const monthly = join(dir, 'monthly-ledger.pdf');
    await writeFile(monthly, await ledgerPdf(month, DEMO_SETTINGS));
    await screen(monthly, 'ledger-monthly-pdf');
    const daily = join(dir, 'daily-ledger.pdf');
    await writeFile(
      daily,
      await ledgerPdf(dailyLedger(sourceOf(snapshot), '2026-11-05', events), DEMO_SETTINGS),
    );
    await screen(daily, 'ledger-daily-pdf');
  });
});
