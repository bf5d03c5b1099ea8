import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PDF_FONT_CANDIDATES } from '../common/ledger/font.ts';
import { localDate, localTime } from '../common/time.ts';
import { ADMIN_PEOPLE_TEST_IDS as P } from '../protocol/admin-dashboard.ts';
import { ADMIN_TEST_IDS } from '../protocol/admin.ts';
import {
  addDirector,
  adminShots,
  logAdminFailure,
  openAdminBrowser,
  closeAdminTest,
  kioskEvent,
  signInAdmin,
  startDownCloud,
} from './support/admin.ts';
import { requireChromium } from './support/browser.ts';
import { minutesAgoToday } from './support/clock.ts';
import { publishAsKiosk } from './support/kiosk-publish.ts';
import { genkanJson, tempDir, type GenkanProcess } from './support/process.ts';
import { provisionSite, startHub, type Site } from './support/site.ts';
import { tabletApi } from './support/tablet.ts';

const haveChromium = requireChromium();
const SCREEN_MS = 15_000;
const TZ = 'Asia/Tokyo';
const STAFF = { id: 's1', name: '保育 花子', pin: '1234' } as const;
const fontReady =
  PDF_FONT_CANDIDATES.some((p) => existsSync(p)) || process.env['GENKAN_PDF_FONT'] !== undefined;
const byTestId = (id: string): string => `[data-testid="${id}"]`;

/**
 * The director's people views in a real Chromium against a real hub process: the overview's numbers of
 * today match what a kiosk and a tablet recorded, the audit log names the staff member and the child, the
 * devices page says how long ago a device was seen and who is signed in on the tablet, the QR card sheet
 * downloads as a PDF, and one card issued opens in a dialog at the top whose print view prints the card
 * alone.
 */
describe.runIf(haveChromium)('admin app: people views in Chromium', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let site: Site;
  let hub: GenkanProcess;
  let browser: Browser;
  let page: Page;
  let base = '';
  /** A cloud that answers every batch 503: the events wait, and the overview says how long. */
  let downCloud: Awaited<ReturnType<typeof startDownCloud>>;

  beforeAll(async () => {
    dir = await tempDir();
    site = await provisionSite(dir.path, { kiosks: 1, children: 4 });
    const data = join(site.dir, 'hub');
    await addDirector(data);
    await genkanJson(['staff', 'add', STAFF.id, '--name', STAFF.name, '--pin', STAFF.pin, '--data', data]);
    downCloud = await startDownCloud();
    hub = startHub(site, {
      cloudUrl: downCloud.url,
      facilityName: 'ひまわり保育園',
    });
    const ready = await hub.ready();
    base = `http://127.0.0.1:${String(ready['http'])}`;

    // What was tapped: c001 in, c002 in and out at the kiosk; c003 marked absent on a tablet; c004 nothing.
    const minutesAgo = (n: number) => minutesAgoToday(n, TZ);
    const tap = kioskEvent;
    const ack = await publishAsKiosk(site, Number(ready['mqtt']), 'kiosk-1', [
      tap(1, 'check_in', 'c001', minutesAgo(3)),
      tap(2, 'check_in', 'c002', minutesAgo(3)),
      tap(3, 'check_out', 'c002', minutesAgo(1)),
    ]);
    expect(ack.rejected).toEqual([]);
    const tablet = await tabletApi(data, base, 'tab-1', STAFF);
    await tablet.act({ op: 'absent', childId: 'c003', date: localDate(new Date(), TZ), reason: 'sick' });

    ({ browser, page } = await openAdminBrowser({ acceptDownloads: true }));
  });

  afterEach(async ({ task }) => {
    await logAdminFailure(task, hub, page);
  });

  afterAll(() => closeAdminTest(browser, hub, dir, () => downCloud.close()));

  const countOf = async (id: string): Promise<number> =>
    Number(await page.locator(byTestId(id)).getAttribute('data-count'));

  it("shows today's numbers as they were tapped, the open days and the relay's lag", async () => {
    await page.goto(`${base}/admin/`);
    await signInAdmin(page);
    await page.locator(byTestId(P.today)).waitFor({ timeout: SCREEN_MS });
    expect(await countOf(P.todayPresent)).toBe(1);
    expect(await countOf('today-left')).toBe(1);
    expect(await countOf(P.todayAbsent)).toBe(1);
    expect(await countOf(P.todayNotArrived)).toBe(1);
    // c004 is unaccounted once the default cut-off (10:00) has passed.
    expect(await countOf(P.todayUnaccounted)).toBe(localTime(new Date(), TZ) >= '10:00' ? 1 : 0);
    expect(await countOf(P.todayOpenDays)).toBe(0);
    await expect(page.locator(`${byTestId(P.todayOpenDays)} a`).getAttribute('href')).resolves.toBe(
      '#open-days',
    );
    const relay = page.locator(byTestId(P.todayRelay));
    await expect(relay.getAttribute('data-configured')).resolves.toBe('true');
    // Four events wait for the cloud that answers 503.
    await expect(relay.textContent()).resolves.toMatch(/遅れ（4件待ち）/);
    await expect(page.locator(byTestId(P.todayPresent)).textContent()).resolves.toContain('1名');
    // The chart stays below the numbers.
    await page.locator(byTestId(ADMIN_TEST_IDS.chart)).waitFor({ timeout: SCREEN_MS });
    await adminShots(page, 'people-overview', undefined, { dispatch: true });
  });

  it('names the staff member and the child in the audit log, with a sentence', async () => {
    await page.locator(byTestId('nav-audit')).click();
    const row = page.locator('[data-testid="audit-log"] tr[data-action="tablet.absent"]');
    await row.waitFor({ timeout: SCREEN_MS });
    await expect(row.locator('[data-role="actor"]').textContent()).resolves.toBe(STAFF.name);
    await expect(row.locator('[data-role="actor"]').getAttribute('title')).resolves.toBe(STAFF.id);
    await expect(row.locator(byTestId(P.auditSentence)).textContent()).resolves.toBe(
      `${STAFF.name}が園児 003の欠席を記録`,
    );
    await expect(row.locator('[data-role="subject"]').textContent()).resolves.toBe('園児 003');
    await adminShots(page, 'people-audit', undefined, { dispatch: true });
  });

  it('says how long ago each device was seen, and who is signed in on the tablet', async () => {
    await page.locator(byTestId('nav-devices')).click();
    const session = page.locator(
      `${byTestId(P.tabletSessions)} tr[data-device-id="tab-1"][data-staff-id="s1"]`,
    );
    await session.waitFor({ timeout: SCREEN_MS });
    await expect(session.textContent()).resolves.toContain(STAFF.name);
    const kioskSeen = page.locator(
      `[data-testid="device-list"] tr[data-device-id="kiosk-1"] ${byTestId(P.relativeTime)}`,
    );
    await kioskSeen.waitFor({ timeout: SCREEN_MS });
    await expect(kioskSeen.textContent()).resolves.toMatch(/^(たった今|\d+分前)$/);
    // The absolute time is the tooltip.
    await expect(kioskSeen.getAttribute('title')).resolves.toMatch(/\d{4}\/\d{1,2}\/\d{1,2} \d{1,2}:\d{2}/);
    const tabletRow = page.locator('[data-testid="device-list"] tr[data-device-id="tab-1"]');
    await expect(tabletRow.textContent()).resolves.toContain(STAFF.name);
    await adminShots(page, 'people-devices', undefined, { dispatch: true });
  });

  it.runIf(fontReady)('downloads the QR card sheet of the whole roster as a PDF', async () => {
    await page.locator(byTestId('nav-roster')).click();
    const link = page.locator(byTestId(P.qrSheetDownload));
    await link.waitFor({ timeout: SCREEN_MS });
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: SCREEN_MS }),
      link.click(),
    ]);
    expect(download.suggestedFilename()).toBe('QRカード_ひまわり保育園.pdf');
    const path = await download.path();
    const pdf = await readFile(path);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('shows a card issued in a dialog at the top, and prints it alone', async () => {
    await page.locator(byTestId('nav-roster')).click();
    const issue = page.locator('[data-testid="guardian-qr"][data-guardian-id="g004"]');
    await issue.waitFor({ timeout: SCREEN_MS });
    await issue.scrollIntoViewIfNeeded();
    await issue.click();
    const dialog = page.locator(byTestId(P.qrCardDialog));
    await dialog.waitFor({ timeout: SCREEN_MS });
    await page.locator('[data-testid="guardian-qr-card"][data-guardian-id="g004"] img').waitFor();
    // Where the director is looking: the top of the window, not below the guardian list.
    const box = await dialog.boundingBox();
    expect(box?.y ?? Infinity).toBeLessThan(200);
    await expect(dialog.textContent()).resolves.toContain('保護者 004');
    await adminShots(page, 'qr-card-dialog', undefined, { dispatch: true });

    // The print dialog is the browser's: count the calls instead of opening it.
    await page.evaluate(
      "window.print = () => { document.body.dataset.printed = String(Number(document.body.dataset.printed ?? '0') + 1); }",
    );
    await page.locator(byTestId(P.qrCardPrint)).click();
    await page.locator(`${byTestId(P.qrPrintCard)}[data-guardian-id="g004"] img`).waitFor();
    await page.locator('body[data-printed="1"]').waitFor({ state: 'attached', timeout: SCREEN_MS });

    await page.emulateMedia({ media: 'print' });
    await expect(page.locator(byTestId(P.qrPrintCard)).isVisible()).resolves.toBe(true);
    for (const hidden of [
      'header.top',
      '[data-testid="roster-view"]',
      byTestId(P.qrCardDialog),
      '.qr-print-toolbar',
    ]) {
      await expect(page.locator(hidden).isVisible()).resolves.toBe(false);
    }
    const card = await page.locator(byTestId(P.qrPrintCard)).boundingBox();
    // 91 × 55 mm at 96 px per inch.
    expect(Math.round(card?.width ?? 0)).toBe(344);
    expect(Math.round(card?.height ?? 0)).toBe(208);
    await page.emulateMedia({ media: 'screen' });
    await adminShots(page, 'qr-print', undefined, { dispatch: true, print: true });
  });
});
