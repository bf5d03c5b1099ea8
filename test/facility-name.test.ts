import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TEST_IDS } from '../protocol/admin.ts';
import { UI_TEST_IDS } from '../kiosk/common/ui-api.ts';
import { addDirector, signInAdmin } from './support/admin.ts';
import { launchChromium, openKioskPage, requireChromium } from './support/browser.ts';
import { tempDir, type GenkanProcess } from './support/process.ts';
import { provisionSite, startHub, startKiosk, type Site } from './support/site.ts';

const haveChromium = requireChromium();
const SCREEN_MS = 15_000;
const byTestId = (id: string): string => `[data-testid="${id}"]`;

/**
 * Issue 14 point 8: the facility's display name is a setting; a change reaches the kiosk's header (with
 * the roster) and the admin app's header while everything runs, and the ledgers from today on. The
 * facility id (`f1`) stays internal.
 */
describe.runIf(haveChromium)('facility display name', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let site: Site;
  let hub: GenkanProcess;
  let kiosk: GenkanProcess;
  let browser: Browser;
  let base = '';
  let kioskUi = '';

  beforeAll(async () => {
    dir = await tempDir();
    site = await provisionSite(dir.path, { kiosks: 1, children: 2 });
    const data = join(site.dir, 'hub');
    await addDirector(data);
    hub = startHub(site);
    const ready = await hub.ready();
    base = `http://127.0.0.1:${String(ready['http'])}`;
    kiosk = startKiosk(site, 0, Number(ready['mqtt']), { ui: 'browser' });
    kioskUi = String((await kiosk.ready())['ui']);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser.close().catch(() => undefined);
    await kiosk.stop('SIGKILL');
    await hub.stop('SIGKILL');
    await dir.remove();
  });

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${site.adminToken}`,
        'content-type': 'application/json',
      },
    });

  it('shows the name set through the API on the kiosk and in the ledgers from today', async () => {
    const kioskPage = await openKioskPage(browser, kioskUi);
    const header = kioskPage.locator(`${byTestId(UI_TEST_IDS.facilityName)}:visible`);
    const renamed = await api('/api/settings', {
      method: 'PATCH',
      body: JSON.stringify({ facilityName: 'さくら保育園' }),
    });
    expect(renamed.status).toBe(200);
    expect(((await renamed.json()) as { facilityName: string }).facilityName).toBe('さくら保育園');
    // The roster carries the name to the kiosk, without a restart.
    await kioskPage
      .locator(`${byTestId(UI_TEST_IDS.facilityName)}:text-is("さくら保育園")`)
      .waitFor({ timeout: SCREEN_MS });
    await expect(header.textContent()).resolves.not.toContain('f1');

    const ledger = await api('/api/ledger/daily');
    expect(ledger.status).toBe(200);
    expect(await ledger.json()).toMatchObject({ facilityId: 'f1', facilityName: 'さくら保育園' });

    const refused = await api('/api/settings', {
      method: 'PATCH',
      body: JSON.stringify({ facilityName: ' ' }),
    });
    expect(refused.status).toBe(400);
    await kioskPage.close();
  });

  it('shows the name in the admin app header, and renames from its settings page', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/admin/`);
    await signInAdmin(page);
    const header = page.locator('header [data-testid="facility-name"]');
    await page
      .locator('header [data-testid="facility-name"]:text-is("さくら保育園")')
      .waitFor({ timeout: SCREEN_MS });

    await page.locator('[data-testid="nav-settings"]').click();
    const field = page.locator('input[name="facilityName"]');
    await field.waitFor({ timeout: SCREEN_MS });
    expect(await field.inputValue()).toBe('さくら保育園');
    await field.fill('さくら保育園 本園');
    await page.locator(byTestId(ADMIN_TEST_IDS.settingsSave)).click();
    await page.locator(byTestId(ADMIN_TEST_IDS.settingsSaved)).waitFor({ timeout: SCREEN_MS });
    await page
      .locator('header [data-testid="facility-name"]:text-is("さくら保育園 本園")')
      .waitFor({ timeout: SCREEN_MS });
    await expect(header.textContent()).resolves.not.toContain('f1');

    // An empty name is refused next to its field.
    await field.fill('');
    await page.locator(byTestId(ADMIN_TEST_IDS.settingsSave)).click();
    await page
      .locator(`[data-field="facilityName"] ${byTestId(ADMIN_TEST_IDS.fieldError)}`)
      .waitFor({ timeout: SCREEN_MS });
    await page.close();

    const settings = await api('/api/settings');
    expect(((await settings.json()) as { facilityName: string }).facilityName).toBe('さくら保育園 本園');
  });
});
