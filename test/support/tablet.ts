import { randomUUID } from 'node:crypto';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { decodePairingPayload } from '../../protocol/index.ts';
import {
  TABLET_TEST_IDS,
  type TabletAction,
  type TabletChild,
  type TabletRollcall,
} from '../../protocol/tablet.ts';
import { genkanJson, ROOT } from './process.ts';

/** The staff tablet app in Chromium, through its public hooks (TABLET_TEST_IDS and data-* attributes). */

const SCREEN_MS = 15_000;

/** The issue's two screens: a 10" tablet in landscape, and a phone. */
export const TABLET_VIEWPORT = { width: 1180, height: 820 } as const;
export const PHONE_VIEWPORT = { width: 390, height: 844 } as const;

export const byTestId = (id: string): string => `[data-testid="${id}"]`;

/** A child's row (full view) or tile (compact view). */
export const childRow = (page: Page, childId: string): Locator =>
  page.locator(`${byTestId(TABLET_TEST_IDS.childRow)}[data-child-id="${childId}"]`);

/** The roll-call root, narrowed by attributes such as `[data-stale="false"]`. */
export const rollcallRoot = (page: Page, attrs = ''): Locator =>
  page.locator(`${byTestId(TABLET_TEST_IDS.rollcall)}${attrs}`);

/** A fresh one-time pairing link for tablet `deviceId`, as an admin would show it as a QR code. */
export async function tabletPairing(
  hubDir: string,
  base: string,
  deviceId: string,
): Promise<{ url: string; code: string }> {
  const out = await genkanJson<{ payload: string; url?: string }>([
    'device',
    'pair',
    deviceId,
    '--role',
    'tablet',
    '--hub-url',
    base,
    '--data',
    hubDir,
  ]);
  const decoded = decodePairingPayload(out.payload);
  if (!decoded) throw new Error('bad pairing payload');
  return { url: out.url ?? `${base}/tablet/#pair=${out.payload}`, code: decoded.code };
}

/**
 * A page in a new browser context (its own cookies; close it with page.context()) set up as a tablet
 * from `pairingUrl`: resolves once the set-up succeeded, on the sign-in screen.
 */
export async function openPairedTablet(
  browser: Browser,
  pairingUrl: string,
  viewport: { width: number; height: number },
): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.on('pageerror', (err) => {
    console.error(`tablet page error: ${err.message}`);
  });
  await page.goto(pairingUrl);
  await page.locator(`${byTestId('setup-status')}[data-setup="done"]`).waitFor({ timeout: SCREEN_MS });
  return page;
}

/** Like openPairedTablet, then signed in as `staff`: resolves once the roll-call is current. */
export async function openSignedInTablet(
  browser: Browser,
  pairingUrl: string,
  viewport: { width: number; height: number },
  staff: { id: string; pin: string },
): Promise<Page> {
  const page = await openPairedTablet(browser, pairingUrl, viewport);
  await signInAs(page, staff.id, staff.pin);
  await rollcallRoot(page, '[data-stale="false"]').waitFor({ timeout: SCREEN_MS });
  return page;
}

/** Fills the sign-in form and submits it (the caller waits for what should follow). */
export async function signInAs(page: Page, staffId: string, pin: string): Promise<void> {
  await page.locator(byTestId(TABLET_TEST_IDS.staffId)).fill(staffId);
  await page.locator(byTestId(TABLET_TEST_IDS.staffPin)).fill(pin);
  await page.locator(byTestId(TABLET_TEST_IDS.signIn)).click();
}

/** Switches the app's language with its own button (the visible one), and waits for it to apply. */
export async function setTabletLocale(page: Page, locale: 'ja' | 'en'): Promise<void> {
  const app = page.locator(byTestId('tablet-app'));
  if ((await app.getAttribute('data-locale')) === locale) return;
  await page
    .locator(`${byTestId('lang-toggle')}:visible`)
    .first()
    .click();
  await page.locator(`${byTestId('tablet-app')}[data-locale="${locale}"]`).waitFor({ timeout: SCREEN_MS });
}

const SHOTS_DIR = join(ROOT, 'test-results/screens');
const COMMITTED_DIR = join(ROOT, 'docs/screens');

/** One screenshot into test-results/screens, and docs/screens when UPDATE_SCREENSHOTS=1. */
export async function tabletShot(page: Page, name: string): Promise<void> {
  await mkdir(SHOTS_DIR, { recursive: true });
  const file = `${name}.png`;
  // Finite animations jump to their end, so a shot never catches a screen halfway in.
  await page.screenshot({ path: join(SHOTS_DIR, file), animations: 'disabled' });
  if (process.env['UPDATE_SCREENSHOTS'] === '1') {
    await mkdir(COMMITTED_DIR, { recursive: true });
    await copyFile(join(SHOTS_DIR, file), join(COMMITTED_DIR, file));
  }
}

/** Like screenshotBoth (browser.ts) for the tablet app: NAME-ja and NAME-en, back in Japanese after. */
export async function tabletShots(page: Page, name: string): Promise<void> {
  for (const locale of ['ja', 'en'] as const) {
    await setTabletLocale(page, locale);
    await tabletShot(page, `${name}-${locale}`);
  }
  await setTabletLocale(page, 'ja');
}

/** A tablet set up and signed in over plain HTTP: reads the roll-call and posts staff actions. */
export interface TabletApi {
  rollcall(): Promise<TabletRollcall>;
  /** Posts an action (a fresh id unless given); resolves with the answer's JSON, throws on an error. */
  act(action: DistributiveOmit<TabletAction, 'id'> & { id?: string }): Promise<unknown>;
  /** Sets the number of staff on duty in a class today. */
  staffOnDuty(classId: string, count: number): Promise<void>;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A child of the roll-call, whatever its class; throws when it is not there. */
export function rollcallChild(rc: TabletRollcall, childId: string): TabletChild {
  const child = rc.classes.flatMap((c) => c.children).find((c) => c.id === childId);
  if (!child) throw new Error(`no child ${childId} in the roll-call`);
  return child;
}

export async function tabletApi(
  hubDir: string,
  base: string,
  deviceId: string,
  staff: { id: string; pin: string },
): Promise<TabletApi> {
  const cookieOf = (res: Response): string => (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const post = (path: string, body: unknown, cookies: string[] = []) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(cookies.length > 0 && { cookie: cookies.join('; ') }),
      },
      body: JSON.stringify(body),
    });
  const { code } = await tabletPairing(hubDir, base, deviceId);
  const setUp = await post('/api/tablet/device', { deviceId, code });
  if (setUp.status !== 204) throw new Error(`tablet set-up: ${setUp.status} ${await setUp.text()}`);
  const device = cookieOf(setUp);
  const signIn = await post('/api/session', { staffId: staff.id, pin: staff.pin }, [device]);
  if (signIn.status !== 200) throw new Error(`sign-in: ${signIn.status} ${await signIn.text()}`);
  const cookies = [device, cookieOf(signIn)];
  return {
    async rollcall() {
      const res = await fetch(`${base}/api/tablet/rollcall`, { headers: { cookie: cookies.join('; ') } });
      if (!res.ok) throw new Error(`rollcall: ${res.status} ${await res.text()}`);
      return (await res.json()) as TabletRollcall;
    },
    async act(action) {
      const res = await post('/api/tablet/actions', { id: randomUUID(), ...action }, cookies);
      if (!res.ok) throw new Error(`${action.op}: ${res.status} ${await res.text()}`);
      return res.json();
    },
    async staffOnDuty(classId, count) {
      const res = await fetch(`${base}/api/tablet/classes/${classId}/staff`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', cookie: cookies.join('; ') },
        body: JSON.stringify({ count }),
      });
      if (!res.ok) throw new Error(`staff on duty: ${res.status} ${await res.text()}`);
    },
  };
}
