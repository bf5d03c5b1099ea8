import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localDate } from '../common/time.ts';
import { HISTORY_TEST_IDS as T } from '../edge-hub/admin/app/history-logic.ts';
import { HubStore } from '../edge-hub/store/hub-store.ts';
import {
  addDirector,
  adminShots,
  logAdminFailure,
  openAdminBrowser,
  closeAdminTest,
  kioskEvent,
  signInAdmin,
} from './support/admin.ts';
import { requireChromium } from './support/browser.ts';
import { tempDir, type GenkanProcess } from './support/process.ts';
import { provisionSite, startHub, type Site } from './support/site.ts';

const haveChromium = requireChromium();
const SCREEN_MS = 15_000;
const TZ = 'Asia/Tokyo';
const byTestId = (id: string): string => `[data-testid="${id}"]`;

const DAY_MS = 86_400_000;
/** The facility's business day `days` before today. */
const dayBefore = (days: number): string => localDate(new Date(Date.now() - days * DAY_MS), TZ);
const monthBefore = (month: string): string => {
  const [y = 0, m = 1] = month.split('-').map(Number);
  return m === 1 ? `${String(y - 1)}-12` : `${String(y)}-${String(m - 1).padStart(2, '0')}`;
};

/**
 * The director fixes the records in the admin app, in a real Chromium against a real hub: an open day of
 * yesterday (a check-in without a check-out) is listed, counted on the overview, corrected in its form
 * (the reason is required) and leaves the list, and the daily ledger has the check-out; last month is
 * closed after a confirmation, and a later correction of it is an amendment.
 */
describe.runIf(haveChromium)('admin app: corrections and month close in Chromium', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let site: Site;
  let hub: GenkanProcess;
  let browser: Browser;
  let page: Page;
  let base = '';
  const yesterday = dayBefore(1);
  const thisMonth = dayBefore(0).slice(0, 7);
  const lastMonth = monthBefore(thisMonth);
  /** A complete day in last month, so that it has something to close. */
  const lastMonthDay = `${lastMonth}-15`;

  const event = kioskEvent;

  const ledger = async (date: string) => {
    const res = await fetch(`${base}/api/ledger/daily?date=${date}&format=json`, {
      headers: { authorization: `Bearer ${site.adminToken}` },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as {
      rows: { child_id: string; check_in: string | null; check_out: string | null; corrected: boolean }[];
    };
  };

  beforeAll(async () => {
    dir = await tempDir();
    site = await provisionSite(dir.path, { kiosks: 1, children: 3 });
    const data = join(site.dir, 'hub');
    await addDirector(data);
    // The hub process has no injectable clock: the past days are written through its store first, as a
    // kiosk's events would have been received then.
    const store = HubStore.open(data);
    store.events.insertEvents(
      [
        event(1, 'check_in', 'c002', `${lastMonthDay}T09:00:00.000+09:00`),
        event(2, 'check_out', 'c002', `${lastMonthDay}T16:00:00.000+09:00`),
      ],
      `${lastMonthDay}T16:00:01.000+09:00`,
    );
    store.events.insertEvents(
      [event(3, 'check_in', 'c001', `${yesterday}T09:00:00.000+09:00`)],
      `${yesterday}T09:00:01.000+09:00`,
    );
    store.close();
    hub = startHub(site);
    const ready = await hub.ready();
    base = `http://127.0.0.1:${String(ready['http'])}`;
    // The browser's day is the facility's: the app's "this month" is the hub's.
    ({ browser, page } = await openAdminBrowser({ timezoneId: TZ }));
  });

  afterEach(async ({ task }) => {
    await logAdminFailure(task, hub, page, 6000);
  });

  afterAll(() => closeAdminTest(browser, hub, dir));

  it('counts the open day on the overview', async () => {
    await page.goto(`${base}/admin/`);
    await signInAdmin(page);
    const summary = page.locator(byTestId(T.openDaysSummary));
    await summary.waitFor({ timeout: SCREEN_MS });
    const current = Number(await summary.getAttribute('data-current'));
    const previous = Number(await summary.getAttribute('data-previous'));
    expect(yesterday.startsWith(thisMonth) ? [current, previous] : [previous, current]).toEqual([1, 0]);
  });

  it('corrects the open day in its form: it leaves the list and the ledger has the check-out', async () => {
    await page.locator(byTestId('nav-open-days')).click();
    await page.locator(byTestId(T.openDays)).waitFor({ timeout: SCREEN_MS });
    if (!yesterday.startsWith(thisMonth)) {
      await page.locator(byTestId(T.openDaysPrevious)).click();
      await page
        .locator(`${byTestId(T.openDays)}[data-month="${lastMonth}"]`)
        .waitFor({ timeout: SCREEN_MS });
    }
    const row = page.locator(
      `${byTestId(T.openDayRow)}[data-child-id="c001"][data-date="${yesterday}"][data-missing="check_out"]`,
    );
    await row.waitFor({ timeout: SCREEN_MS });
    await expect(row.textContent()).resolves.toContain('園児 001');
    await expect(row.locator(byTestId(T.correctionCheckIn)).inputValue()).resolves.toBe('09:00');
    await row.locator(byTestId(T.correctionCheckOut)).fill('17:00');
    // Without a reason nothing is sent.
    await row.locator(byTestId(T.correctionSubmit)).click();
    await row
      .locator(`${byTestId(T.correctionError)}[data-code="need_reason"]`)
      .waitFor({ timeout: SCREEN_MS });
    await row.locator(byTestId(T.correctionReason)).fill('降園時の打刻忘れ（保護者に確認）');
    await adminShots(page, 'open-days');
    await row.locator(byTestId(T.correctionSubmit)).click();
    await row.waitFor({ state: 'detached', timeout: SCREEN_MS });
    await page.locator(byTestId(T.correctionDone)).first().waitFor({ timeout: SCREEN_MS });
    const day = (await ledger(yesterday)).rows.find((r) => r.child_id === 'c001');
    expect(day).toMatchObject({ check_in: '09:00', check_out: '17:00', corrected: true });
  });

  it('closes last month after a confirmation', async () => {
    await page.locator(byTestId('nav-months')).click();
    const row = page.locator(`${byTestId(T.monthRow)}[data-month="${lastMonth}"]`);
    await row.locator(byTestId(T.monthClose)).waitFor({ timeout: SCREEN_MS });
    await row.locator(byTestId(T.monthClose)).click();
    await page.locator(byTestId(T.monthCloseConfirm)).waitFor({ timeout: SCREEN_MS });
    await expect(page.locator('[role="alertdialog"]').textContent()).resolves.toContain('取り消せません');
    await adminShots(page, 'month-close');
    await page.locator(byTestId(T.monthCloseConfirm)).click();
    const closed = page.locator(`${byTestId(T.monthRow)}[data-month="${lastMonth}"][data-state="closed"]`);
    await closed.waitFor({ timeout: SCREEN_MS });
    await expect(closed.textContent()).resolves.toContain('確定済み');
  });

  it('corrects a day of the closed month as an amendment, after confirming it', async () => {
    await page.locator(byTestId('nav-open-days')).click();
    await page.locator(byTestId(T.correctionDate)).fill(lastMonthDay);
    const child = page.locator(byTestId(T.correctionChild));
    await child.locator('option[value="c002"]').waitFor({ state: 'attached', timeout: SCREEN_MS });
    await child.selectOption('c002');
    const form = page.locator(
      `${byTestId(T.correctionForm)}[data-child-id="c002"][data-date="${lastMonthDay}"]`,
    );
    // The form fills in the day's record once it is read: wait for it rather than read it at once.
    await expect
      .poll(() => form.locator(byTestId(T.correctionCheckOut)).inputValue(), { timeout: SCREEN_MS })
      .toBe('16:00');
    await form.locator(byTestId(T.correctionCheckOut)).fill('16:30');
    await form.locator(byTestId(T.correctionReason)).fill('お迎えの時刻の記録違い');
    await form.locator(byTestId(T.correctionSubmit)).click();
    await form
      .locator(`${byTestId(T.correctionError)}[data-code="need_amendment"]`)
      .waitFor({ timeout: SCREEN_MS });
    await form.locator(byTestId(T.correctionAmendment)).check();
    await form.locator(byTestId(T.correctionSubmit)).click();
    await page.locator(byTestId(T.correctionDone)).last().waitFor({ timeout: SCREEN_MS });
    const day = (await ledger(lastMonthDay)).rows.find((r) => r.child_id === 'c002');
    expect(day).toMatchObject({ check_out: '16:30' });

    await page.locator(byTestId('nav-months')).click();
    const row = page.locator(`${byTestId(T.monthRow)}[data-month="${lastMonth}"][data-state="closed"]`);
    await row.waitFor({ timeout: SCREEN_MS });
    await expect(row.locator('td').nth(4).textContent()).resolves.toBe('1');
  });
});
