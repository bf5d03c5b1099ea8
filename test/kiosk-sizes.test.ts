import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROSTER_HEADER } from '../edge-hub/facility/roster.ts';
import { UI_TEST_IDS } from '../kiosk/common/ui-api.ts';
import {
  backToIdle,
  byTestId,
  launchChromium,
  requireChromium,
  resultScreen,
  screenshotBoth,
} from './support/browser.ts';
import { misfits } from './support/fit.ts';
import {
  HUB_MS,
  SCREEN_MS,
  showKiosksIfFailed,
  startBrowserKiosk,
  tapLine,
  type BrowserKiosk,
} from './support/kiosk-page.ts';
import { runGenkan, tempDir, type GenkanProcess } from './support/process.ts';
import { provisionSite, startHub, type Site } from './support/site.ts';
import { writeBlankY4m } from './support/y4m.ts';

const haveChromium = requireChromium();

/** Issue 14, point 7: the kiosk screens at the screen sizes kiosks come in. */
const SIZES = [
  { width: 1024, height: 600 },
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
  { width: 800, height: 1280 },
] as const;
const HOME_SIZE = { width: 1280, height: 800 };

const STAFF_PIN = '482913';
const GUARDIAN_PIN = '2580';
const CARD = { family: '0303000000000001', single: '0303000000000002', unknown: '0303999999999999' };

/** Fourteen families in the か row (ご counts as こ): more than any screen shows at once. */
const KA_ROW = [
  ['加藤', 'かとう'],
  ['木村', 'きむら'],
  ['小林', 'こばやし'],
  ['近藤', 'こんどう'],
  ['北村', 'きたむら'],
  ['久保田', 'くぼた'],
  ['菊地', 'きくち'],
  ['工藤', 'くどう'],
  ['河野', 'こうの'],
  ['金子', 'かねこ'],
  ['熊谷', 'くまがい'],
  ['小松', 'こまつ'],
  ['桑原', 'くわばら'],
  ['後藤', 'ごとう'],
] as const;

const CLASSES = ['k1,ひよこ組', 'k2,りす組', 'k3,くま組', 'k4,きりん組'] as const;
const ROSTER = [
  ROSTER_HEADER,
  // Four siblings on one card, long-ish names: the worst realistic result screen.
  `k1,ひよこ組,c101,長谷川 健太郎,はせがわ けんたろう,g100,長谷川 真由美,${CARD.family}`,
  `k2,りす組,c102,長谷川 美咲希,はせがわ みさき,g100,長谷川 真由美,`,
  `k3,くま組,c103,長谷川 ひまわり,はせがわ ひまわり,g100,長谷川 真由美,`,
  `k4,きりん組,c104,長谷川 悠之介,はせがわ ゆうのすけ,g100,長谷川 真由美,`,
  `k1,ひよこ組,c301,山田 太郎,やまだ たろう,g300,山田 花子,${CARD.single}`,
  ...KA_ROW.map(([name, kana], i) => {
    const n = String(i + 1).padStart(2, '0');
    return `${CLASSES[i % 4] ?? ''},c2${n},${name} 陽菜,${kana} ひな,g2${n},${name} 由美子,`;
  }),
].join('\n');

/**
 * The elements that scroll (more content than room, and overflow auto or scroll), by class: on a kiosk
 * only a list meant to scroll may (misfits() accepts a control scrolled out of such a list).
 */
const SCROLLING_SCRIPT = `(() => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const s = getComputedStyle(el);
    const y = (s.overflowY === 'auto' || s.overflowY === 'scroll') && el.scrollHeight > el.clientHeight + 1;
    const x = (s.overflowX === 'auto' || s.overflowX === 'scroll') && el.scrollWidth > el.clientWidth + 1;
    if (x || y) out.push(el.tagName.toLowerCase() + '.' + el.className + (x ? ' (horizontally)' : ''));
  }
  return out;
})()`;
async function scrollingLists(page: Page): Promise<string[]> {
  const found: unknown = await page.evaluate(SCROLLING_SCRIPT);
  return found as string[];
}

/**
 * Every kiosk screen at 1024×600, 1280×800, 1920×1080 and 800×1280 in a real Chromium: no control
 * outside the viewport, clipped or covered, and no scrolling of the page (misfits() with `vertical`: a
 * kiosk screen does not scroll). Lists that legitimately hold more than fits — the guardians of a kana
 * row, the maintenance screen's recent events and guardian search — scroll inside their own container
 * with the screen's controls in view. Each state is reached once and checked at every size: result
 * screens count down, so the checks are quick.
 */
describe.runIf(haveChromium)('kiosk screens at every screen size in Chromium', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let site: Site;
  let hub: GenkanProcess;
  let browser: Browser | undefined;
  const procs: GenkanProcess[] = [];
  /** Kiosk 0: reversal guard and debounce off (morning and pick-up seconds apart); kiosk 1: the defaults. */
  const kiosks: BrowserKiosk[] = [];

  const kioskAt = (n: number) => {
    const k = kiosks[n];
    if (!k) throw new Error(`no kiosk ${n}`);
    return k;
  };

  /**
   * `screen` at every size: nothing misfits, nothing scrolls but the lists named in `scrolls` (class
   * names), and the state is still on screen when done.
   */
  const fitsEverySize = async (
    page: Page,
    state: string,
    screen: Locator,
    scrolls: readonly string[] = [],
  ): Promise<void> => {
    for (const size of SIZES) {
      await page.setViewportSize(size);
      const at = `${state} at ${size.width}×${size.height}`;
      expect.soft(await misfits(page, { vertical: true }), at).toEqual([]);
      const scrolling = await scrollingLists(page);
      expect
        .soft(
          scrolling.filter((c) => !scrolls.some((allowed) => c.includes(allowed))),
          at,
        )
        .toEqual([]);
    }
    await page.setViewportSize(HOME_SIZE);
    await expect(screen.isVisible(), `${state} still shown after the size checks`).resolves.toBe(true);
  };
  const atSize = (page: Page, size: { width: number; height: number }) => page.setViewportSize(size);
  const click = (page: Page, selector: string) => page.locator(selector).click({ timeout: SCREEN_MS });

  beforeAll(async () => {
    dir = await tempDir();
    site = await provisionSite(dir.path, {
      kiosks: 2,
      children: 0,
      roster: { csv: `${ROSTER}\n`, cards: [CARD.family, CARD.single] },
    });
    const hubDir = join(site.dir, 'hub');
    for (const guardian of ['g300', 'g201']) {
      const set = await runGenkan(['guardian', 'pin', guardian, '--data', hubDir], {
        GENKAN_GUARDIAN_PIN: GUARDIAN_PIN,
      });
      expect(set.code, set.stderr).toBe(0);
    }
    const staff = site.devices[1];
    if (!staff) throw new Error('no device');
    const pin = await runGenkan(['kiosk', 'pin', '--data', join(site.dir, staff.deviceId)], {
      GENKAN_KIOSK_PIN: STAFF_PIN,
    });
    expect(pin.code, pin.stderr).toBe(0);

    hub = startHub(site);
    procs.push(hub);
    const mqttPort = Number((await hub.ready())['mqtt']);
    // Kiosk 1's camera sees an empty entrance: its idle screen shows the live preview.
    const blank = join(dir.path, 'blank.y4m');
    await writeBlankY4m(blank);
    browser = await launchChromium({ fakeCameraY4m: blank });
    const launches = [
      { extra: ['--reversal-guard-ms', '0', '--debounce-ms', '0'] },
      { extra: [], readers: ['stdin', 'camera'] },
    ];
    for (const [i, launch] of launches.entries()) {
      // Entry animations off: a screen is measured where it comes to rest.
      const kiosk = await startBrowserKiosk(site, i, mqttPort, { browser, reducedMotion: true, ...launch });
      procs.push(kiosk.proc);
      kiosks.push(kiosk);
    }
  }, 120_000);

  afterEach(({ task }) => showKiosksIfFailed(task, kiosks));

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await dir.remove();
  });

  it('idle, with the camera preview and the no-card button', async () => {
    const { page } = kioskAt(1);
    await page
      .locator(`${byTestId(UI_TEST_IDS.cameraView)}[data-camera="on"]`)
      .waitFor({ timeout: SCREEN_MS });
    await page.locator(byTestId(UI_TEST_IDS.noCard)).waitFor({ timeout: SCREEN_MS });
    const idle = page.locator(byTestId(UI_TEST_IDS.idle));
    await fitsEverySize(page, 'idle', idle);
    await atSize(page, { width: 800, height: 1280 });
    await screenshotBoth(page, 'idle-portrait');
    await atSize(page, HOME_SIZE);
  });

  it('four siblings on one card, one left out in the morning: at pick-up she is shown apart', async () => {
    const { proc, page } = kioskAt(0);
    await tapLine(proc, `card:${CARD.family}`);
    const morning = resultScreen(page, 'ok', 'c104');
    await morning.waitFor({ timeout: SCREEN_MS });
    await fitsEverySize(page, 'siblings (morning, four included)', morning);
    await morning.locator(`[data-child-id="c104"] ${byTestId(UI_TEST_IDS.childToggle)}`).click();
    await morning.locator('[data-child-id="c104"][data-included="false"]').waitFor({ timeout: SCREEN_MS });
    await backToIdle(page);

    const pickUp = await tapLine(proc, `card:${CARD.family}`);
    expect(pickUp['notIncluded']).toMatchObject([{ childId: 'c104', type: 'check_in' }]);
    const screen = resultScreen(page, 'ok', 'c104');
    await screen.locator('[data-child-id="c104"][data-included="false"]').waitFor({ timeout: SCREEN_MS });
    await fitsEverySize(page, 'siblings (pick-up, one apart)', screen);
    await atSize(page, { width: 1024, height: 600 });
    await screenshotBoth(page, 'kiosk-siblings-1024x600');
    await atSize(page, HOME_SIZE);
    await backToIdle(page);
  });

  it('already recorded and unknown card notices', async () => {
    const { proc, page } = kioskAt(1);
    await tapLine(proc, `card:${CARD.single}`);
    await resultScreen(page, 'ok', 'c301').waitFor({ timeout: SCREEN_MS });
    // Within the debounce window: already recorded, naming the child and the time.
    await tapLine(proc, `card:${CARD.single}`);
    const debounced = resultScreen(page, 'debounced');
    await debounced.waitFor({ timeout: SCREEN_MS });
    await expect(debounced.innerText()).resolves.toContain('山田 太郎');
    await fitsEverySize(page, 'already recorded', debounced);
    await backToIdle(page);

    await tapLine(proc, `card:${CARD.unknown}`);
    const unknown = resultScreen(page, 'unknown_credential');
    await unknown.waitFor({ timeout: SCREEN_MS });
    await fitsEverySize(page, 'unknown card', unknown);
    await backToIdle(page);
  });

  it('family chooser: the kana rows, a row of fourteen families, the guardian PIN pad, lockout', async () => {
    const { page } = kioskAt(1);
    await click(page, byTestId(UI_TEST_IDS.noCard));
    const chooser = page.locator(byTestId(UI_TEST_IDS.familyChooser));
    await chooser.locator('[data-kana-row="か"]').waitFor({ timeout: SCREEN_MS });
    await fitsEverySize(page, 'family chooser: kana rows', chooser);
    await screenshotBoth(page, 'family-chooser');

    await click(page, `${byTestId(UI_TEST_IDS.kanaRow)}[data-kana-row="か"]`);
    const guardians = chooser.locator(byTestId(UI_TEST_IDS.familyGuardian));
    await expect.poll(() => guardians.count(), { timeout: SCREEN_MS }).toBe(KA_ROW.length);
    await fitsEverySize(page, 'family chooser: fourteen families in か', chooser, ['family__list']);
    // The last family is reachable by scrolling the list, with Back and Cancel in view throughout.
    const last = chooser.locator('[data-guardian-id="g214"]');
    await last.scrollIntoViewIfNeeded();
    await expect(misfits(page, { vertical: true }), 'か row scrolled to its end').resolves.toEqual([]);

    await click(page, `${byTestId(UI_TEST_IDS.familyGuardian)}[data-guardian-id="g201"]`);
    const input = page.locator(byTestId(UI_TEST_IDS.guardianPinInput));
    await input.waitFor({ timeout: SCREEN_MS });
    await fitsEverySize(page, 'guardian PIN pad', chooser);
    await screenshotBoth(page, 'guardian-pin');

    const message = page.locator(byTestId(UI_TEST_IDS.guardianPinMessage));
    for (let i = 0; i < 5; i++) {
      await input.fill('0000');
      await click(page, byTestId(UI_TEST_IDS.guardianPinSubmit));
      const code = i < 4 ? 'bad_pin' : 'locked_out';
      await page
        .locator(`${byTestId(UI_TEST_IDS.guardianPinMessage)}[data-code="${code}"]`)
        .waitFor({ timeout: SCREEN_MS });
      if (i === 0) await fitsEverySize(page, 'guardian PIN pad: wrong PIN', message);
    }
    await fitsEverySize(page, 'guardian PIN pad: locked out', message);
    await click(page, byTestId(UI_TEST_IDS.familyCancel));
    await page.locator(byTestId(UI_TEST_IDS.idle)).waitFor({ timeout: SCREEN_MS });
  });

  it('needs_confirm: a PIN check-out minutes after the card check-in is held by the reversal guard', async () => {
    const { page } = kioskAt(1);
    // c301 was checked in by card above; a PIN tap is never debounced, so this one reaches the guard.
    await click(page, byTestId(UI_TEST_IDS.noCard));
    await click(page, `${byTestId(UI_TEST_IDS.kanaRow)}[data-kana-row="や"]`);
    await click(page, `${byTestId(UI_TEST_IDS.familyGuardian)}[data-guardian-id="g300"]`);
    await page.locator(byTestId(UI_TEST_IDS.guardianPinInput)).fill(GUARDIAN_PIN);
    await click(page, byTestId(UI_TEST_IDS.guardianPinSubmit));
    const held = resultScreen(page, 'needs_confirm', 'c301');
    await held.waitFor({ timeout: SCREEN_MS });
    await fitsEverySize(page, 'needs_confirm', held);
    await screenshotBoth(page, 'needs-confirm');
    await backToIdle(page);
  });

  it('staff PIN pad, maintenance and the enrolment waiting screen', async () => {
    const { page } = kioskAt(1);
    await click(page, byTestId(UI_TEST_IDS.maintenanceButton));
    const input = page.locator(byTestId(UI_TEST_IDS.pinInput));
    await input.waitFor({ timeout: SCREEN_MS });
    await fitsEverySize(page, 'staff PIN pad', input);
    await atSize(page, { width: 1024, height: 600 });
    await screenshotBoth(page, 'staff-pin-1024x600');
    await atSize(page, HOME_SIZE);
    await input.fill('0000');
    await click(page, byTestId(UI_TEST_IDS.pinSubmit));
    const wrong = page.getByRole('alert').filter({ hasText: /暗証番号が違います/ });
    await wrong.waitFor({ timeout: SCREEN_MS });
    await fitsEverySize(page, 'staff PIN pad: wrong PIN', wrong);

    await input.fill(STAFF_PIN);
    await click(page, byTestId(UI_TEST_IDS.pinSubmit));
    // The recent events list scrolls inside its panel, the guardian search results inside theirs.
    const maintenance = page.locator(byTestId(UI_TEST_IDS.maintenance));
    await maintenance.waitFor({ timeout: SCREEN_MS });
    await fitsEverySize(page, 'maintenance', maintenance, ['recent', 'guardians']);

    await page.locator(byTestId(UI_TEST_IDS.guardianSearch)).fill('ヤマダ');
    await click(page, `${byTestId(UI_TEST_IDS.guardianChoice)}[data-guardian-id="g300"]`);
    const waiting = page.locator(`${byTestId(UI_TEST_IDS.enrollmentStatus)}[data-status="waiting_card"]`);
    await waiting.waitFor({ timeout: SCREEN_MS });
    await fitsEverySize(page, 'enrolment: waiting for the card', waiting, ['recent']);
    await click(page, byTestId(UI_TEST_IDS.maintenanceClose));
    await page.locator(byTestId(UI_TEST_IDS.idle)).waitFor({ timeout: SCREEN_MS });
  });

  it('idle with the offline banner once the hub is gone', async () => {
    const { page } = kioskAt(1);
    await hub.stop('SIGKILL');
    const banner = page.locator(byTestId(UI_TEST_IDS.offlineBanner));
    await banner.waitFor({ state: 'visible', timeout: HUB_MS });
    await fitsEverySize(page, 'idle, offline', banner);
  });
});
