import { copyFile, mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { newEventId } from '../../common/ids.ts';
import { ADMIN_TEST_IDS } from '../../protocol/admin.ts';
import type { AttendanceEvent } from '../../protocol/index.ts';
import { launchChromium } from './browser.ts';
import { ROOT, type GenkanProcess } from './process.ts';
import { addStaff, startHub, type Site } from './site.ts';

/** The director every admin-app test signs in as. */
export const DIRECTOR = { id: 'boss', name: '園長 一郎', pin: '246813' } as const;

const SCREEN_MS = 15_000;
const byTestId = (id: string): string => `[data-testid="${id}"]`;

/** Adds the director (role admin) to a hub's data directory, as `genkan staff add` does. */
export async function addDirector(hubData: string): Promise<void> {
  await addStaff(hubData, { ...DIRECTOR, role: 'admin' });
}

/** Fills the admin app's sign-in form (the page must show it) and submits it. */
export async function signInAdmin(page: Page, staffId: string = DIRECTOR.id, pin: string = DIRECTOR.pin) {
  await page.locator(byTestId(ADMIN_TEST_IDS.staffId)).fill(staffId);
  await page.locator(byTestId(ADMIN_TEST_IDS.staffPin)).fill(pin);
  await page.locator(byTestId(ADMIN_TEST_IDS.signIn)).click();
}

/** Starts the site's hub and opens its admin app in Chromium, signed in as the director (navigation shown). */
export async function startSignedInAdmin(
  site: Site,
): Promise<{ hub: GenkanProcess; browser: Browser; page: Page }> {
  const hub = startHub(site);
  let browser: Browser | undefined;
  try {
    const ready = await hub.ready();
    const opened = await openAdminBrowser();
    browser = opened.browser;
    await opened.page.goto(`http://127.0.0.1:${String(ready['http'])}/admin/`);
    await signInAdmin(opened.page);
    await opened.page.locator(byTestId('nav-roster')).waitFor({ timeout: SCREEN_MS });
    return { hub, ...opened };
  } catch (err) {
    // A set-up that failed half-way leaves no process behind.
    await browser?.close().catch(() => undefined);
    await hub.stop('SIGKILL');
    throw err;
  }
}

/** A Chromium page at 1280×900 (and `options`) whose script errors are logged. */
export async function openAdminBrowser(
  options: BrowserContextOptions = {},
): Promise<{ browser: Browser; page: Page }> {
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  page.on('pageerror', (err) => {
    console.error(`admin page error: ${err.message}`);
  });
  return { browser, page };
}

/** After a failed test: the hub's log tail and the start of the page (`screenChars` of its HTML). */
export async function logAdminFailure(
  task: { result?: { state?: string } },
  hub: GenkanProcess,
  page: Page,
  screenChars = 4000,
): Promise<void> {
  if (task.result?.state !== 'fail') return;
  console.log('hub log (tail):', hub.stderr.slice(-3000));
  console.log('screen:', (await page.content().catch(String)).slice(0, screenChars));
}

/** A guardian's card tap at kiosk-1 (the guardian of child cNNN is gNNN), as the admin tests record them. */
export function kioskEvent(
  seq: number,
  type: AttendanceEvent['type'],
  childId: string,
  occurredAt: string,
): AttendanceEvent {
  return {
    id: newEventId(),
    type,
    childId,
    occurredAt,
    deviceId: 'kiosk-1',
    seq,
    method: 'card',
    actor: `g${childId.slice(1)}`,
  };
}

/** Ends an admin browser test: the browser, the hub process, then (after `more`) its temp folder. */
export async function closeAdminTest(
  browser: Browser,
  hub: GenkanProcess,
  dir: { remove(): Promise<void> },
  more?: () => Promise<void>,
): Promise<void> {
  await browser.close().catch(() => undefined);
  await hub.stop('SIGKILL');
  await more?.();
  await dir.remove();
}

/** A cloud that answers every request 503: a hub's relay gets nothing through. */
export async function startDownCloud(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_req, res) => {
    res.writeHead(503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'unavailable', message: 'down' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * Switches the app's language. `dispatch`: the click is dispatched (a dialog or the print view covers the
 * header's button) and the app waited for attached, not visible.
 */
async function setAdminLocale(page: Page, locale: 'ja' | 'en', dispatch = false): Promise<void> {
  const app = page.locator(byTestId(ADMIN_TEST_IDS.app));
  if ((await app.getAttribute('data-locale')) === locale) return;
  const toggle = page.locator(byTestId('lang-toggle')).first();
  if (dispatch) await toggle.dispatchEvent('click');
  else await toggle.click();
  await page
    .locator(`${byTestId(ADMIN_TEST_IDS.app)}[data-locale="${locale}"]`)
    .waitFor({ timeout: SCREEN_MS, ...(dispatch && { state: 'attached' as const }) });
}

/**
 * One screenshot of the admin app per language (`admin-NAME-ja.png`, `-en.png`) into test-results/screens,
 * and docs/screens when UPDATE_SCREENSHOTS=1; `scrollTo`: a selector scrolled into view in each language
 * (switching re-renders the page). `dispatch`: switch the language by a dispatched click (a dialog or the
 * print view covers the button); `print`: shot with print media.
 */
export async function adminShots(
  page: Page,
  name: string,
  scrollTo?: string,
  options: { dispatch?: boolean; print?: boolean } = {},
): Promise<void> {
  const { dispatch = false, print = false } = options;
  const dir = join(ROOT, 'test-results/screens');
  await mkdir(dir, { recursive: true });
  for (const locale of ['ja', 'en'] as const) {
    await setAdminLocale(page, locale, dispatch);
    if (scrollTo !== undefined) {
      await page.locator(scrollTo).waitFor({ timeout: SCREEN_MS });
      await page.locator(scrollTo).scrollIntoViewIfNeeded();
    }
    if (print) await page.emulateMedia({ media: 'print' });
    const file = `admin-${name}-${locale}.png`;
    await page.screenshot({ path: join(dir, file), animations: 'disabled' });
    if (print) await page.emulateMedia({ media: 'screen' });
    if (process.env['UPDATE_SCREENSHOTS'] === '1') {
      await mkdir(join(ROOT, 'docs/screens'), { recursive: true });
      await copyFile(join(dir, file), join(ROOT, 'docs/screens', file));
    }
  }
  await setAdminLocale(page, 'ja', dispatch);
}
