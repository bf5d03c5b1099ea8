import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROSTER_HEADER } from '../edge-hub/facility/roster.ts';
import { UI_TEST_IDS } from '../kiosk/common/ui-api.ts';
import {
  appRoot,
  backToIdle,
  byTestId,
  launchChromium,
  requireChromium,
  resultScreen,
  screenshotBoth,
} from './support/browser.ts';
import { HUB_MS, SCREEN_MS, startBrowserKiosk, tapLine, tapLines } from './support/kiosk-page.ts';
import { runGenkan, tempDir, type GenkanProcess } from './support/process.ts';
import { provisionSite, startHub, type Site } from './support/site.ts';

const haveChromium = requireChromium();

const PIN = '482913';
const CARD = { yamada: '0201000000000001' };
/** The card the test enrols for g002, who has none. */
const NEW_CARD = '0201000000000abc';
const ROSTER = [
  ROSTER_HEADER,
  `k1,ひよこ組,c001,山田 太郎,やまだ たろう,g001,山田 花子,${CARD.yamada}`,
  `k2,りす組,c002,佐藤 一郎,さとう いちろう,g002,佐藤 陽子,`,
  `k2,りす組,c003,鈴木 さくら,すずき さくら,g003,鈴木 健,`,
].join('\n');

/**
 * The staff side of the kiosk screen in a real Chromium against a real hub: the PIN pad (wrong PIN
 * refused, right PIN opens), the maintenance screen's status and recent events, and enrolling a new card
 * for a guardian, which then checks the guardian's child in at once.
 */
describe.runIf(haveChromium)('kiosk maintenance screen in Chromium', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let site: Site;
  let kiosk: GenkanProcess;
  let browser: Browser | undefined;
  let page: Page;
  let rosterVersion = 0;
  const procs: GenkanProcess[] = [];

  const visible = (id: (typeof UI_TEST_IDS)[keyof typeof UI_TEST_IDS], attrs = '') =>
    page.locator(`${byTestId(id)}${attrs}`).waitFor({ timeout: SCREEN_MS });

  beforeAll(async () => {
    dir = await tempDir();
    site = await provisionSite(dir.path, {
      kiosks: 1,
      children: 0,
      roster: { csv: `${ROSTER}\n`, cards: Object.values(CARD) },
    });
    const device = site.devices[0];
    if (!device) throw new Error('no device');
    // The PIN is set before the kiosk starts, through the public CLI, from the environment.
    const pin = await runGenkan(['kiosk', 'pin', '--data', join(site.dir, device.deviceId)], {
      GENKAN_KIOSK_PIN: PIN,
    });
    expect(pin.code, pin.stderr).toBe(0);
    expect(JSON.parse(pin.stdout.trim())).toEqual({ ok: true });

    const hub = startHub(site);
    procs.push(hub);
    const mqttPort = Number((await hub.ready())['mqtt']);
    browser = await launchChromium();
    const started = await startBrowserKiosk(site, 0, mqttPort, { browser, extra: ['--debounce-ms', '0'] });
    ({ proc: kiosk, page } = started);
    procs.push(kiosk);
    rosterVersion = Number(started.ready['rosterVersion']);
    await kiosk.waitFor((l) => l['type'] === 'connection' && l['online'] === true, HUB_MS, 'online');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    for (const p of procs.reverse()) await p.stop();
    await dir.remove();
  });

  it('refuses a wrong PIN and opens maintenance with the right one, showing the last tap', async () => {
    const line = await tapLine(kiosk, `card:${CARD.yamada}`);
    expect(line).toMatchObject({ result: 'ok', guardian: { id: 'g001' } });
    await resultScreen(page, 'ok', 'c001').waitFor({ timeout: SCREEN_MS });
    await backToIdle(page);

    await page.locator(byTestId(UI_TEST_IDS.maintenanceButton)).click();
    await page.locator(byTestId(UI_TEST_IDS.pinInput)).fill('0000');
    await page.locator(byTestId(UI_TEST_IDS.pinSubmit)).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /暗証番号が違います/ })
      .waitFor({ timeout: SCREEN_MS });
    expect(await page.locator(byTestId(UI_TEST_IDS.maintenance)).count()).toBe(0);
    await screenshotBoth(page, 'staff-pin-wrong');

    await page.locator(byTestId(UI_TEST_IDS.pinInput)).fill(PIN);
    await page.locator(byTestId(UI_TEST_IDS.pinSubmit)).click();
    const maintenance = page.locator(`${byTestId(UI_TEST_IDS.maintenance)}[data-online="true"]`);
    await maintenance.waitFor({ timeout: SCREEN_MS });
    // The tap just made is listed, once delivered to the hub (acked).
    await maintenance
      .locator('[data-delivery="acked"]', { hasText: '山田 太郎' })
      .waitFor({ timeout: HUB_MS });
    expect(await maintenance.getAttribute('data-outbox')).toBe('0');
    await screenshotBoth(page, 'staff-maintenance');
  });

  it('enrols a new card for a guardian; the card then checks the child in', async () => {
    await page.locator(byTestId(UI_TEST_IDS.guardianSearch)).fill('サトウ');
    const choices = page.locator(byTestId(UI_TEST_IDS.guardianChoice));
    await expect.poll(() => choices.count(), { timeout: SCREEN_MS }).toBe(1);
    await page.locator(`${byTestId(UI_TEST_IDS.guardianChoice)}[data-guardian-id="g002"]`).click();
    await visible(UI_TEST_IDS.enrollmentStatus, '[data-status="waiting_card"]');
    await screenshotBoth(page, 'staff-enroll-waiting');

    const tapsBefore = tapLines(kiosk).length;
    kiosk.write(`card:${NEW_CARD}\n`);
    const done = await kiosk.waitFor(
      (l) => l['type'] === 'enroll' && (l['status'] === 'done' || l['status'] === 'failed'),
      HUB_MS,
      'enrolment result',
    );
    expect(done).toMatchObject({ status: 'done', guardianId: 'g002' });
    await visible(UI_TEST_IDS.enrollmentStatus, '[data-status="done"]');
    await screenshotBoth(page, 'staff-enroll-done');
    // The enrolment card was not a check-in, and its id is on no output line.
    expect(tapLines(kiosk)).toHaveLength(tapsBefore);
    expect(JSON.stringify(kiosk.lines)).not.toContain(NEW_CARD);

    await page.locator(byTestId(UI_TEST_IDS.maintenanceClose)).click();
    await visible(UI_TEST_IDS.idle);
    expect(await page.locator(byTestId(UI_TEST_IDS.maintenance)).count()).toBe(0);

    // The hub republished the roster with the new card: it checks the child in at once.
    await kiosk.waitFor(
      (l) => l['type'] === 'roster' && Number(l['version']) > rosterVersion,
      HUB_MS,
      'roster with the new card',
    );
    const line = await tapLine(kiosk, `card:${NEW_CARD}`);
    expect(line).toMatchObject({
      result: 'ok',
      guardian: { id: 'g002' },
      events: [{ childId: 'c002', type: 'check_in' }],
    });
    await resultScreen(page, 'ok', 'c002').waitFor({ timeout: SCREEN_MS });
    expect(await appRoot(page).getAttribute('data-screen')).toBe('result');
  });
});
