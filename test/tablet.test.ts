import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROSTER_HEADER } from '../edge-hub/facility/roster.ts';
import { TABLET_TEST_IDS } from '../protocol/tablet.ts';
import { launchChromium, requireChromium } from './support/browser.ts';
import { tapLine } from './support/kiosk-page.ts';
import { tempDir, type GenkanProcess, type JsonLine } from './support/process.ts';
import { addStaff, provisionSite, startHub, startKiosk, type Site } from './support/site.ts';
import {
  byTestId,
  childRow as row,
  openPairedTablet,
  setTabletLocale as setLocale,
  signInAs,
  tabletPairing,
  tabletShot as shot,
  tabletShots,
} from './support/tablet.ts';

const haveChromium = requireChromium();

const CARD = { taro: '0101000000000001', ichiro: '0101000000000002' };
const ROSTER = [
  ROSTER_HEADER,
  `k1,ひよこ組,c001,山田 太郎,やまだ たろう,g001,山田 花子,${CARD.taro}`,
  `k1,ひよこ組,c002,佐藤 一郎,さとう いちろう,g002,佐藤 陽子,${CARD.ichiro}`,
  `k2,りす組,c003,鈴木 さくら,すずき さくら,g003,鈴木 健,`,
  `k2,りす組,c004,高橋 ゆい,たかはし ゆい,g004,高橋 誠,`,
].join('\n');

const STAFF = { id: 's1', name: '保育 花子', pin: '1234' };
const SCREEN_MS = 15_000;
const HUB_MS = 30_000;

/**
 * The staff tablet app in a real Chromium against a real hub: set up from a pairing link, staff sign-in,
 * a kiosk tap and a tablet action reaching every signed-in tablet through the push channel, without a
 * reload. Only the public hooks (TABLET_TEST_IDS and the rows' data-* attributes) are read.
 */
describe.runIf(haveChromium)('staff tablet in Chromium', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let site: Site;
  let hub: GenkanProcess;
  let kiosk: GenkanProcess;
  let browser: Browser;
  let httpPort = 0;
  const procs: GenkanProcess[] = [];
  const contexts: BrowserContext[] = [];
  let page: Page;

  /** A new browser context (its own cookies) set up from a fresh pairing link and, unless told, signed in. */
  const openTablet = async (
    deviceId: string,
    viewport = { width: 1280, height: 800 },
    signIn = true,
  ): Promise<Page> => {
    const { url } = await tabletPairing(join(site.dir, 'hub'), `http://127.0.0.1:${httpPort}`, deviceId);
    const p = await openPairedTablet(browser, url, viewport);
    contexts.push(p.context());
    // The one-time code does not stay in the address bar.
    expect(p.url()).not.toContain('pair=');
    if (signIn) await signInAs(p, STAFF.id, STAFF.pin);
    return p;
  };

  const tap = (card: string): Promise<JsonLine> => tapLine(kiosk, `card:${card}`, HUB_MS);

  beforeAll(async () => {
    dir = await tempDir();
    site = await provisionSite(dir.path, {
      kiosks: 1,
      children: 0,
      roster: { csv: `${ROSTER}\n`, cards: Object.values(CARD) },
    });
    await addStaff(join(site.dir, 'hub'), STAFF);
    hub = startHub(site);
    procs.push(hub);
    const ready = await hub.ready();
    httpPort = Number(ready['http']);
    kiosk = startKiosk(site, 0, Number(ready['mqtt']), { ui: 'none' });
    procs.push(kiosk);
    await kiosk.ready();
    browser = await launchChromium();
  });

  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail') return;
    console.log('hub log (tail):', hub.stderr.slice(-3000));
    console.log('kiosk log (tail):', kiosk.stderr.slice(-2000));
    console.log('screen:', (await page.content().catch(String)).slice(0, 4000));
  });

  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    await browser.close().catch(() => undefined);
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await dir.remove();
  });

  it('refuses a wrong PIN with a clear error, and shows no roll-call', async () => {
    page = await openTablet('tab-1', undefined, false);
    await tabletShots(page, 'tablet-setup');
    await signInAs(page, STAFF.id, '9999');
    const error = page.locator(byTestId(TABLET_TEST_IDS.signInError));
    await error.waitFor({ timeout: SCREEN_MS });
    await expect(error.textContent()).resolves.toContain('暗証番号');
    expect(await page.locator(byTestId(TABLET_TEST_IDS.rollcall)).count()).toBe(0);
    await tabletShots(page, 'tablet-signin-error');
  });

  it('signs in and shows every child of today, live', async () => {
    await signInAs(page, STAFF.id, STAFF.pin);
    await page
      .locator(`${byTestId(TABLET_TEST_IDS.rollcall)}[data-stale="false"]`)
      .waitFor({ timeout: SCREEN_MS });
    await expect(page.locator(byTestId(TABLET_TEST_IDS.childRow)).count()).resolves.toBe(4);
    await expect(row(page, 'c001').getAttribute('data-status')).resolves.toBe('not_arrived');
    await expect(page.locator(byTestId('staff-name')).textContent()).resolves.toContain(STAFF.name);
  });

  it('shows a kiosk tap without a reload', async () => {
    await page.evaluate(() => {
      (globalThis as unknown as { marker: number }).marker = 42;
    });
    await tap(CARD.taro);
    await page
      .locator(`${byTestId(TABLET_TEST_IDS.childRow)}[data-child-id="c001"][data-status="present"]`)
      .waitFor({ timeout: HUB_MS });
    // Same document: the push channel delivered it.
    await expect(page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).resolves.toBe(
      42,
    );
    await expect(row(page, 'c001').textContent()).resolves.toContain('山田 花子');
  });

  it('finds children by kana in any script', async () => {
    const search = page.locator(byTestId(TABLET_TEST_IDS.search));
    await search.fill('ｽｽﾞｷ');
    await expect(page.locator(byTestId(TABLET_TEST_IDS.childRow)).count()).resolves.toBe(1);
    await expect(row(page, 'c003').count()).resolves.toBe(1);
    await search.fill('サトウ');
    await expect(row(page, 'c002').count()).resolves.toBe(1);
    await search.fill('');
    await expect(page.locator(byTestId(TABLET_TEST_IDS.childRow)).count()).resolves.toBe(4);
  });

  it('marks a child absent, and a second tablet sees it', async () => {
    const second = await openTablet('tab-2');
    await row(second, 'c002').waitFor({ timeout: SCREEN_MS });

    const dialog = page.locator(byTestId('action-dialog'));
    // The dialog is modal (the header's language button is behind it): one shot per language.
    for (const locale of ['en', 'ja'] as const) {
      await setLocale(page, locale);
      await row(page, 'c002').locator(byTestId('action-absent')).click();
      await dialog.waitFor({ timeout: SCREEN_MS });
      await dialog.locator(byTestId('reason-sick')).click();
      await dialog.locator(byTestId('action-note')).fill(locale === 'ja' ? '発熱のため' : 'fever');
      await shot(page, `tablet-absent-dialog-${locale}`);
      if (locale === 'en') {
        await dialog.locator(byTestId('action-cancel')).click();
        await dialog.waitFor({ state: 'detached', timeout: SCREEN_MS });
      }
    }
    // Absent for three days: today and the next two.
    const today = await dialog.locator(byTestId('action-date')).inputValue();
    const last = new Date(Date.parse(`${today}T00:00:00Z`) + 2 * 86_400_000).toISOString().slice(0, 10);
    await dialog.locator(byTestId('action-until')).fill(last);
    await dialog.locator(byTestId('action-confirm')).click();
    await dialog.waitFor({ state: 'detached', timeout: SCREEN_MS });
    const ledger = await fetch(`http://127.0.0.1:${httpPort}/api/ledger/daily?date=${last}&format=json`, {
      headers: { authorization: `Bearer ${site.adminToken}` },
    });
    const rows = ((await ledger.json()) as { rows: { child_id: string; status: string }[] }).rows;
    expect(rows.find((r) => r.child_id === 'c002')).toMatchObject({ status: 'absent' });

    for (const p of [page, second]) {
      await p
        .locator(`${byTestId(TABLET_TEST_IDS.childRow)}[data-child-id="c002"][data-status="absent"]`)
        .waitFor({ timeout: HUB_MS });
    }
    await expect(row(second, 'c002').textContent()).resolves.toContain('体調不良');
    await tabletShots(page, 'tablet-rollcall');
  });

  it('checks a child in by hand and shows the correction', async () => {
    await row(page, 'c003').locator(byTestId('action-check_in')).click();
    const dialog = page.locator(byTestId('action-dialog'));
    await dialog.waitFor({ timeout: SCREEN_MS });
    await dialog.locator(byTestId('action-note')).fill('カード忘れ');
    await dialog.locator(byTestId('action-confirm')).click();
    await dialog.waitFor({ state: 'detached', timeout: SCREEN_MS });
    await page
      .locator(`${byTestId(TABLET_TEST_IDS.childRow)}[data-child-id="c003"][data-status="present"]`)
      .waitFor({ timeout: HUB_MS });
    await row(page, 'c003').locator(byTestId('corrections')).waitFor({ timeout: SCREEN_MS });
  });

  it('works on a portrait tablet and on a phone', async () => {
    const portrait = await openTablet('tab-3', { width: 800, height: 1280 });
    await row(portrait, 'c002').waitFor({ timeout: SCREEN_MS });
    await tabletShots(portrait, 'tablet-portrait');
    const phone = await openTablet('tab-4', { width: 390, height: 844 });
    await row(phone, 'c002').waitFor({ timeout: SCREEN_MS });
    await tabletShots(phone, 'tablet-phone');
  });

  it('signs out back to the sign-in screen', async () => {
    await page.locator(byTestId(TABLET_TEST_IDS.signOut)).click();
    await page.locator(byTestId(TABLET_TEST_IDS.staffId)).waitFor({ timeout: SCREEN_MS });
    expect(await page.locator(byTestId(TABLET_TEST_IDS.childRow)).count()).toBe(0);
  });
});
