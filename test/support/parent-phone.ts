import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PARENT_TEST_IDS } from '../../protocol/parents.ts';
import { PHONE_VIEWPORT, tabletShot } from './tablet.ts';

/** A parent's phone in Chromium, and the parent app on it through its public hooks (PARENT_TEST_IDS). */

/** The bound for a change (a tap, a notice, a revocation) to reach the other side. */
export const REACH_MS = 10_000;
/** How long a screen of the parent app may take to show. */
export const SCREEN_MS = 15_000;

const byTestId = (id: string): string => `[data-testid="${id}"]`;

/**
 * A parent's phone: a browser context of its own with a CDP virtual authenticator (a platform
 * authenticator with user verification, keeping discoverable credentials), as a phone's passkey store is.
 */
export async function openPhone(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: PHONE_VIEWPORT, deviceScaleFactor: 2 });
  const page = await context.newPage();
  page.on('pageerror', (err) => {
    console.error(`parent page error: ${err.message}`);
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  });
  return { context, page };
}

/** Opens the invitation link and registers a passkey; resolves once the children's cards show. */
export async function registerWithInvitation(page: Page, invitationUrl: string): Promise<void> {
  await page.goto(invitationUrl);
  await page.locator(byTestId(PARENT_TEST_IDS.passkeyRegister)).click();
  await page.locator(byTestId(PARENT_TEST_IDS.child)).first().waitFor({ timeout: SCREEN_MS });
}

/** The page's child cards as [childId, status] pairs, in page order. */
export async function childCards(page: Page): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for (const card of await page.locator(byTestId(PARENT_TEST_IDS.child)).all()) {
    out.push([
      (await card.getAttribute('data-child-id')) ?? '',
      (await card.getAttribute('data-status')) ?? '',
    ]);
  }
  return out;
}

/** Switches the app's language with its own button, and waits for it to apply. */
export async function setParentLocale(page: Page, locale: 'ja' | 'en'): Promise<void> {
  const app = page.locator(byTestId('parent-app'));
  if ((await app.getAttribute('data-locale')) !== locale) await page.locator(byTestId('lang-toggle')).click();
  await page.locator(`${byTestId('parent-app')}[data-locale="${locale}"]`).waitFor({ timeout: SCREEN_MS });
}

/**
 * A screenshot as NAME.png (tabletShot: into test-results/screens, and docs/screens with
 * UPDATE_SCREENSHOTS=1). `tall`: on a phone as tall as the page, so that all of it shows (a form's send
 * bar stays at the bottom, where it is on the phone).
 */
export async function parentShot(page: Page, name: string, tall = false): Promise<void> {
  if (tall) {
    const height = await page.evaluate<number>('document.documentElement.scrollHeight');
    await page.setViewportSize({
      width: PHONE_VIEWPORT.width,
      height: Math.max(PHONE_VIEWPORT.height, height),
    });
  }
  await tabletShot(page, name);
  if (tall) await page.setViewportSize(PHONE_VIEWPORT);
}

/** parentShot in Japanese and in English (NAME-ja, NAME-en), back in Japanese after. */
export async function parentShots(page: Page, name: string, tall = false): Promise<void> {
  for (const locale of ['ja', 'en'] as const) {
    await setParentLocale(page, locale);
    await parentShot(page, `${name}-${locale}`, tall);
  }
  await setParentLocale(page, 'ja');
}
