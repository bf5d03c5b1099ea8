import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ADMIN_TEST_IDS } from '../../protocol/admin.ts';
import { ROOT } from './process.ts';
import { addStaff } from './site.ts';

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

async function setAdminLocale(page: Page, locale: 'ja' | 'en'): Promise<void> {
  const app = page.locator(byTestId(ADMIN_TEST_IDS.app));
  if ((await app.getAttribute('data-locale')) === locale) return;
  await page.locator(byTestId('lang-toggle')).first().click();
  await page
    .locator(`${byTestId(ADMIN_TEST_IDS.app)}[data-locale="${locale}"]`)
    .waitFor({ timeout: SCREEN_MS });
}

/**
 * One screenshot of the admin app per language (`admin-NAME-ja.png`, `-en.png`) into test-results/screens,
 * and docs/screens when UPDATE_SCREENSHOTS=1; `scrollTo`: a selector scrolled into view in each language
 * (switching re-renders the page).
 */
export async function adminShots(page: Page, name: string, scrollTo?: string): Promise<void> {
  const dir = join(ROOT, 'test-results/screens');
  await mkdir(dir, { recursive: true });
  for (const locale of ['ja', 'en'] as const) {
    await setAdminLocale(page, locale);
    if (scrollTo !== undefined) {
      await page.locator(scrollTo).waitFor({ timeout: SCREEN_MS });
      await page.locator(scrollTo).scrollIntoViewIfNeeded();
    }
    const file = `admin-${name}-${locale}.png`;
    await page.screenshot({ path: join(dir, file), animations: 'disabled' });
    if (process.env['UPDATE_SCREENSHOTS'] === '1') {
      await mkdir(join(ROOT, 'docs/screens'), { recursive: true });
      await copyFile(join(dir, file), join(ROOT, 'docs/screens', file));
    }
  }
  await setAdminLocale(page, 'ja');
}
