import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { UI_TEST_IDS } from '../../kiosk/common/ui-api.ts';
import { requirePrereq } from './prereq.ts';
import { ROOT } from './process.ts';

/** Debian's Chromium; Playwright's own browser download is never used (no network in CI). */
export const CHROMIUM_PATH = process.env['GENKAN_CHROMIUM'] ?? '/usr/bin/chromium';

// Quiet, deterministic headless Chromium: no GPU, no background traffic, no first-run UI.
const BASE_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function hasChromium(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** Evaluated once per test file that imports it: skip with a reason, or fail under CI=true. */
export function requireChromium(): boolean {
  return requirePrereq(hasChromium(), `chromium (${CHROMIUM_PATH})`, 'apt-get install -y chromium');
}

/**
 * A fresh Chromium (new profile each launch). With `fakeCameraY4m`, getUserMedia is granted without a
 * prompt and delivers that file, looped, as the camera.
 */
export function launchChromium(
  options: { fakeCameraY4m?: string; trustSpki?: string[] } = {},
): Promise<Browser> {
  const args = [...BASE_ARGS];
  // Trusts exactly these public keys (base64 SHA-256 of a certificate's SPKI, e.g. a hub's own CA) as a
  // tablet that installed the hub's CA would, and no other unknown certificate.
  if (options.trustSpki !== undefined)
    args.push(`--ignore-certificate-errors-spki-list=${options.trustSpki.join(',')}`);
  if (options.fakeCameraY4m !== undefined) {
    args.push(
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${options.fakeCameraY4m}`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args, headless: true });
}

/**
 * Opens the kiosk screen at its ready-line address in a kiosk-sized page. With `reducedMotion`, entry
 * animations are off from the first paint: a screen is measured where it comes to rest.
 */
export async function openKioskPage(
  browser: Browser,
  url: string,
  options: { reducedMotion?: boolean } = {},
): Promise<Page> {
  const page = await browser.newPage({
    viewport: { width: 1280, height: 800 },
    ...(options.reducedMotion === true ? { reducedMotion: 'reduce' as const } : {}),
  });
  // A failing screen shows up in the test output rather than as a bare timeout.
  page.on('pageerror', (err) => {
    console.error(`kiosk page error: ${err.message}`);
  });
  await page.goto(url);
  return page;
}

/** CSS selector of a public test hook. */
export const byTestId = (id: (typeof UI_TEST_IDS)[keyof typeof UI_TEST_IDS]): string =>
  `[data-testid="${id}"]`;

/** The result screen showing `result`, optionally containing the given child entry. */
export function resultScreen(page: Page, result: string, childId?: string): Locator {
  const screen = page.locator(`${byTestId(UI_TEST_IDS.tapResult)}[data-result="${result}"]`);
  return childId === undefined
    ? screen
    : screen.filter({ has: page.locator(`[data-child-id="${childId}"]`) });
}

export function appRoot(page: Page): Locator {
  return page.locator(byTestId(UI_TEST_IDS.app));
}

/** Switches the screen's language with its own button (public hook), and waits for it to apply. */
export async function setLocale(page: Page, locale: 'ja' | 'en', timeout = 15_000): Promise<void> {
  const app = appRoot(page);
  if ((await app.getAttribute('data-locale')) === locale) return;
  // The visible toggle: a result screen and the idle screen each have one.
  await page
    .locator(`${byTestId(UI_TEST_IDS.langToggle)}:visible`)
    .first()
    .click({ timeout });
  await page.locator(`${byTestId(UI_TEST_IDS.app)}[data-locale="${locale}"]`).waitFor({ timeout });
}

/** Back to the idle screen: OK on a recorded tap, a touch on a notice. */
export async function backToIdle(page: Page, timeout = 15_000): Promise<void> {
  const app = appRoot(page);
  if ((await app.getAttribute('data-screen')) !== 'idle') {
    const confirm = page.locator(byTestId(UI_TEST_IDS.confirm));
    if (await confirm.isVisible()) await confirm.click({ timeout });
    else {
      // The notice closes on a touch (pointerdown); it may already have timed out by itself.
      await page
        .locator(byTestId(UI_TEST_IDS.tapResult))
        .click({ timeout: 2000, position: { x: 640, y: 400 } })
        .catch(() => undefined);
    }
  }
  await page.locator(`${byTestId(UI_TEST_IDS.app)}[data-screen="idle"]`).waitFor({ timeout });
}

const SHOTS_DIR = join(ROOT, 'test-results/screens');
const COMMITTED_DIR = join(ROOT, 'docs/screens');

/**
 * Screenshots of the current screen in Japanese and in English: always under test-results/screens, and
 * into docs/screens (the committed set) when UPDATE_SCREENSHOTS=1.
 */
export async function screenshotBoth(page: Page, name: string): Promise<void> {
  await mkdir(SHOTS_DIR, { recursive: true });
  const update = process.env['UPDATE_SCREENSHOTS'] === '1';
  if (update) await mkdir(COMMITTED_DIR, { recursive: true });
  for (const locale of ['ja', 'en'] as const) {
    await setLocale(page, locale);
    const file = `${name}-${locale}.png`;
    // Finite animations jump to their end, so a shot never catches a screen halfway in.
    await page.screenshot({ path: join(SHOTS_DIR, file), animations: 'disabled' });
    if (update) await copyFile(join(SHOTS_DIR, file), join(COMMITTED_DIR, file));
  }
  await setLocale(page, 'ja');
}
