import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROSTER_HEADER } from '../edge-hub/facility/roster.ts';
import { HubStore } from '../edge-hub/store/hub-store.ts';
import { UI_TEST_IDS } from '../kiosk/common/ui-api.ts';
import { generateQrKeyPair, importQrPrivateKey, signGuardianQr } from '../protocol/index.ts';
import {
  appRoot,
  backToIdle,
  byTestId,
  launchChromium,
  openKioskPage,
  requireChromium,
  resultScreen,
  screenshotBoth,
  setLocale,
} from './support/browser.ts';
import {
  eventsOf,
  HUB_MS,
  hubHolds as hubHoldsAt,
  SCREEN_MS,
  showKiosksIfFailed,
  startBrowserKiosk,
  tapLine,
  tapLines,
} from './support/kiosk-page.ts';
import { tempDir, type GenkanProcess } from './support/process.ts';
import { provisionSite, startHub, type Site } from './support/site.ts';
import { writeBlankY4m, writeQrY4m } from './support/y4m.ts';

const haveChromium = requireChromium();

/** A guardian with two children (g002), and one with a QR code only (g006). */
const CARD = {
  single: '0101000000000001',
  siblings: '0101000000000002',
  undo: '0101000000000003',
  flip: '0101000000000004',
  offline: '0101000000000005',
  unknown: '0101999999999999',
};
const ROSTER = [
  ROSTER_HEADER,
  `k1,ひよこ組,c001,山田 太郎,やまだ たろう,g001,山田 花子,${CARD.single}`,
  `k1,ひよこ組,c002,佐藤 一郎,さとう いちろう,g002,佐藤 陽子,${CARD.siblings}`,
  `k2,りす組,c003,佐藤 二郎,さとう じろう,g002,佐藤 陽子,`,
  `k2,りす組,c004,鈴木 さくら,すずき さくら,g003,鈴木 健,${CARD.undo}`,
  `k3,くま組,c005,高橋 ゆい,たかはし ゆい,g004,高橋 誠,${CARD.flip}`,
  `k3,くま組,c006,田中 蓮,たなか れん,g005,田中 美咲,${CARD.offline}`,
  `k1,ひよこ組,c007,伊藤 陽菜,いとう ひな,g006,伊藤 大輔,`,
].join('\n');

/**
 * The kiosk screen in a real Chromium, driven like a parent would: the agent and hub are real processes,
 * taps come in on the kiosk's stdin (and once through the camera), and only the public test hooks
 * (UI_TEST_IDS and data-* attributes) are read. What the screen says is checked against what the hub
 * stores. Screenshots of every screen, in Japanese and English, go to test-results/screens.
 */
describe.runIf(haveChromium)('kiosk screen in Chromium', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let site: Site;
  let hub: GenkanProcess;
  let kiosk: GenkanProcess;
  let browser: Browser;
  let page: Page;
  let mqttPort = 0;
  let httpPort = 0;
  let guardianQr = '';
  const procs: GenkanProcess[] = [];
  const browsers: Browser[] = [];
  const startedAt = new Date();

  const tap = (input: string) => tapLine(kiosk, input);
  const hubHolds = (ids: string[], what: string) => hubHoldsAt({ site, httpPort, startedAt }, ids, what);

  beforeAll(async () => {
    dir = await tempDir();
    site = await provisionSite(dir.path, {
      kiosks: 1,
      children: 0,
      roster: { csv: `${ROSTER}\n`, cards: Object.values(CARD) },
    });
    // The guardian's printed QR code, signed with the hub's key as `genkan qr issue` does (which prints
    // no payload: it is a bearer credential).
    const store = HubStore.open(join(site.dir, 'hub'));
    const key = store.facility.qrSigningKey();
    store.close();
    guardianQr = signGuardianQr(key, {
      facilityId: site.facilityId,
      guardianId: 'g006',
      expires: Math.floor(Date.now() / 1000) + 3600,
    });

    hub = startHub(site);
    procs.push(hub);
    const hubReady = await hub.ready();
    mqttPort = Number(hubReady['mqtt']);
    httpPort = Number(hubReady['http']);
    // The main screen's camera sees an empty entrance: the idle screen shows its live preview.
    const blank = join(dir.path, 'blank.y4m');
    await writeBlankY4m(blank);
    browser = await launchChromium({ fakeCameraY4m: blank });
    browsers.push(browser);
    const started = await startBrowserKiosk(site, 0, mqttPort, { browser, readers: ['stdin', 'camera'] });
    ({ proc: kiosk, page } = started);
    procs.push(kiosk);
    expect(started.ready['ui']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/k\/[A-Za-z0-9_-]+\/$/);
  });

  // A failing step shows what the kiosk and its screen were doing.
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') console.log('hub log (tail):', hub.stderr.slice(-2000));
    await showKiosksIfFailed(task, [{ proc: kiosk, page }]);
  });

  afterAll(async () => {
    await Promise.all(browsers.map((b) => b.close().catch(() => undefined)));
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await dir.remove();
  });

  it('shows the idle screen, ready, in Japanese by default', async () => {
    await expect(appRoot(page).getAttribute('data-locale')).resolves.toBe('ja');
    await page
      .locator(`${byTestId(UI_TEST_IDS.cameraView)}[data-camera="on"]`)
      .waitFor({ timeout: SCREEN_MS });
    await screenshotBoth(page, 'idle');
  });

  it('a card tap shows the child and the direction, and the event reaches the hub', async () => {
    const line = await tap(`card:${CARD.single}`);
    expect(line).toMatchObject({ result: 'ok', events: [{ childId: 'c001', type: 'check_in' }] });
    const screen = resultScreen(page, 'ok', 'c001');
    await screen.waitFor({ timeout: SCREEN_MS });
    const child = screen.locator('[data-child-id="c001"]');
    await expect(child.getAttribute('data-direction')).resolves.toBe('check_in');
    await expect(child.getAttribute('data-included')).resolves.toBe('true');
    // The name comes from the roster.
    await expect(child.innerText()).resolves.toContain('山田 太郎');
    await expect(screen.locator('[data-child-id]').count()).resolves.toBe(1);
    await screenshotBoth(page, 'ok-single');

    const [event] = eventsOf(line);
    const events = await hubHolds([event?.id ?? ''], 'the check-in at the hub');
    expect(events.find((e) => e.id === event?.id)).toMatchObject({
      childId: 'c001',
      type: 'check_in',
      method: 'card',
      actor: 'g001',
    });

    // The same card again at once: already recorded, the screen says so and nothing new is stored.
    const again = await tap(`card:${CARD.single}`);
    expect(again).toMatchObject({ result: 'debounced' });
    await resultScreen(page, 'debounced').waitFor({ timeout: SCREEN_MS });
    await screenshotBoth(page, 'debounced');
    await backToIdle(page);
  });

  it('siblings: both children listed; one left out is voided at the hub, the other stays in', async () => {
    const line = await tap(`card:${CARD.siblings}`);
    const [first, second] = eventsOf(line);
    expect(eventsOf(line).map((e) => e.childId)).toEqual(['c002', 'c003']);
    const screen = resultScreen(page, 'ok', 'c003');
    await screen.waitFor({ timeout: SCREEN_MS });
    for (const id of ['c002', 'c003']) {
      await expect(screen.locator(`[data-child-id="${id}"]`).getAttribute('data-included')).resolves.toBe(
        'true',
      );
    }
    await screen.locator(`[data-child-id="c003"] ${byTestId(UI_TEST_IDS.childToggle)}`).click();
    await screen.locator('[data-child-id="c003"][data-included="false"]').waitFor({ timeout: SCREEN_MS });
    await expect(screen.locator('[data-child-id="c002"]').getAttribute('data-included')).resolves.toBe(
      'true',
    );
    await screenshotBoth(page, 'siblings-one-off');

    const amend = await kiosk.waitFor((l) => l['type'] === 'amend' && l['tapId'] === line['tapId'], HUB_MS);
    const [voidLine] = eventsOf(amend);
    expect(voidLine).toMatchObject({ childId: 'c003', type: 'void', voids: second?.id });
    const events = await hubHolds([first?.id ?? '', voidLine?.id ?? ''], 'the void at the hub');
    expect(events.filter((e) => e.voids === second?.id)).toMatchObject([{ type: 'void', childId: 'c003' }]);
    // c002's check-in stands: nothing voids it.
    expect(events.filter((e) => e.voids === first?.id)).toEqual([]);
    expect(events.find((e) => e.id === first?.id)).toMatchObject({ childId: 'c002', type: 'check_in' });
    await backToIdle(page);
  });

  it('undo voids every event of the tap; flip records a check-out instead', async () => {
    const undoTap = await tap(`card:${CARD.undo}`);
    await resultScreen(page, 'ok', 'c004').waitFor({ timeout: SCREEN_MS });
    await page.locator(byTestId(UI_TEST_IDS.undo)).click();
    const undone = await kiosk.waitFor(
      (l) => l['type'] === 'amend' && l['tapId'] === undoTap['tapId'] && l['op'] === 'undo',
      HUB_MS,
    );
    // The screen acknowledges the undo (its children are gone) before going back to idle.
    await resultScreen(page, 'ok')
      .filter({ hasNot: page.locator('[data-child-id]') })
      .waitFor({ timeout: SCREEN_MS });
    await screenshotBoth(page, 'undone');
    const voided = eventsOf(undoTap).map((e) => e.id);
    const voids = eventsOf(undone);
    expect(voids.map((v) => v.voids)).toEqual(voided);
    let events = await hubHolds(
      voids.map((v) => v.id),
      'the undo voids at the hub',
    );
    expect(events.filter((e) => e.type === 'void' && voided.includes(e.voids ?? ''))).toHaveLength(
      voided.length,
    );
    await backToIdle(page);

    const flipTap = await tap(`card:${CARD.flip}`);
    const screen = resultScreen(page, 'ok', 'c005');
    await screen.waitFor({ timeout: SCREEN_MS });
    await expect(screen.locator('[data-child-id="c005"]').getAttribute('data-direction')).resolves.toBe(
      'check_in',
    );
    await page.locator(byTestId(UI_TEST_IDS.flip)).click();
    await screen
      .locator('[data-child-id="c005"][data-direction="check_out"]')
      .waitFor({ timeout: SCREEN_MS });
    await screenshotBoth(page, 'check-out');
    const flipped = await kiosk.waitFor(
      (l) => l['type'] === 'amend' && l['tapId'] === flipTap['tapId'] && l['op'] === 'flip',
      HUB_MS,
    );
    const original = eventsOf(flipTap)[0]?.id ?? '';
    events = await hubHolds(
      eventsOf(flipped).map((e) => e.id),
      'the flip at the hub',
    );
    const ofChild = events.filter((e) => e.childId === 'c005');
    expect(ofChild.map((e) => e.type).sort()).toEqual(['check_in', 'check_out', 'void']);
    expect(ofChild.find((e) => e.type === 'void')?.voids).toBe(original);
    await backToIdle(page);
  });

  it('an unknown card and a bad QR code are refused with a message', async () => {
    await expect(tap(`card:${CARD.unknown}`)).resolves.toMatchObject({ result: 'unknown_credential' });
    const unknown = resultScreen(page, 'unknown_credential');
    await unknown.waitFor({ timeout: SCREEN_MS });
    await expect(unknown.locator(byTestId(UI_TEST_IDS.message)).innerText()).resolves.toMatch(/\S{3,}/);
    await screenshotBoth(page, 'unknown-card');
    await backToIdle(page);

    const stranger = importQrPrivateKey(generateQrKeyPair().privateKey);
    const forged = signGuardianQr(stranger, {
      facilityId: site.facilityId,
      guardianId: 'g006',
      expires: Math.floor(Date.now() / 1000) + 3600,
    });
    for (const [payload, reason] of [
      [forged, 'forged'],
      ['g006', 'unsigned'],
    ] as const) {
      await expect(tap(`qr:${payload}`)).resolves.toMatchObject({ result: 'refused_qr', reason });
      const refused = resultScreen(page, 'refused_qr');
      await refused.waitFor({ timeout: SCREEN_MS });
      await expect(refused.locator(byTestId(UI_TEST_IDS.message)).innerText()).resolves.toMatch(/\S{3,}/);
      if (reason === 'forged') await screenshotBoth(page, 'refused-qr');
      await backToIdle(page);
    }
  });

  it('the language button switches the screen to English and back', async () => {
    await backToIdle(page);
    const toggle = page.locator(`${byTestId(UI_TEST_IDS.langToggle)}:visible`);
    await expect(appRoot(page).getAttribute('data-locale')).resolves.toBe('ja');
    const before = await page.locator(byTestId(UI_TEST_IDS.idle)).innerText();
    await toggle.click();
    await page.locator(`${byTestId(UI_TEST_IDS.app)}[data-locale="en"]`).waitFor({ timeout: SCREEN_MS });
    // The words change with it, not only the attribute.
    await expect(page.locator(byTestId(UI_TEST_IDS.idle)).innerText()).resolves.not.toBe(before);
    await toggle.click();
    await page.locator(`${byTestId(UI_TEST_IDS.app)}[data-locale="ja"]`).waitFor({ timeout: SCREEN_MS });
  });

  it('offline: the banner shows within 2 s, taps are kept in the outbox and delivered after the hub returns', async () => {
    await backToIdle(page);
    // Everything recorded so far is acknowledged, so the banner's count is this test's taps alone.
    const recorded = kiosk.lines
      .filter((l) => (l['type'] === 'tap' && l['result'] === 'ok') || l['type'] === 'amend')
      .flatMap((l) => eventsOf(l).map((e) => e.id));
    const acked = () =>
      new Set(kiosk.lines.filter((l) => l['type'] === 'acked').flatMap((l) => l['ids'] as string[]));
    await kiosk.waitFor(() => recorded.every((id) => acked().has(id)), HUB_MS, 'all events acknowledged');

    const banner = page.locator(byTestId(UI_TEST_IDS.offlineBanner));
    await expect(banner.isVisible()).resolves.toBe(false);
    const stoppedAt = performance.now();
    await hub.stop('SIGKILL');
    // Playwright polls the page until the banner is visible; the elapsed time is the delay a parent sees.
    await banner.waitFor({ state: 'visible', timeout: 10_000 });
    const delayMs = performance.now() - stoppedAt;
    console.log(`offline banner shown ${delayMs.toFixed(0)} ms after the hub was killed`);
    expect(delayMs).toBeLessThanOrEqual(2000);
    await expect(banner.getAttribute('data-outbox')).resolves.toBe('0');
    await screenshotBoth(page, 'offline');

    const line = await tap(`card:${CARD.offline}`);
    expect(line).toMatchObject({ result: 'ok', events: [{ childId: 'c006', type: 'check_in' }] });
    await resultScreen(page, 'ok', 'c006').waitFor({ timeout: SCREEN_MS });
    await page
      .locator(`${byTestId(UI_TEST_IDS.offlineBanner)}[data-outbox="1"]`)
      .waitFor({ timeout: SCREEN_MS });
    await screenshotBoth(page, 'offline-ok');
    await backToIdle(page);

    hub = startHub(site, { mqtt: mqttPort, http: httpPort });
    procs.push(hub);
    await hub.ready();
    await banner.waitFor({ state: 'detached', timeout: HUB_MS });
    const [event] = eventsOf(line);
    const events = await hubHolds([event?.id ?? ''], 'the offline check-in at the hub');
    expect(events.filter((e) => e.childId === 'c006')).toMatchObject([{ type: 'check_in', method: 'card' }]);
  });

  it('camera: a signed guardian QR code held up to the camera checks the child in', async () => {
    const video = join(dir.path, 'guardian-qr.y4m');
    await writeQrY4m(video, guardianQr, { width: 640, height: 480, frames: 10 });
    const cameraBrowser = await launchChromium({ fakeCameraY4m: video });
    browsers.push(cameraBrowser);
    const ready = await kiosk.ready();
    const cameraPage = await openKioskPage(cameraBrowser, String(ready['ui']));
    await resultScreen(cameraPage, 'ok', 'c007').waitFor({ timeout: HUB_MS });
    const line = await kiosk.waitFor(
      (l) => l['type'] === 'tap' && l['reader'] === 'camera' && l['result'] === 'ok',
      HUB_MS,
      'camera tap line',
    );
    expect(line).toMatchObject({ guardian: { id: 'g006' }, events: [{ childId: 'c007', type: 'check_in' }] });
    // Every screen of the kiosk shows it, the one without the code in view too.
    await resultScreen(page, 'ok', 'c007').waitFor({ timeout: SCREEN_MS });
    const [event] = eventsOf(line);
    const events = await hubHolds([event?.id ?? ''], 'the QR check-in at the hub');
    expect(events.find((e) => e.id === event?.id)).toMatchObject({
      childId: 'c007',
      type: 'check_in',
      method: 'qr',
      actor: 'g006',
    });
    // Back to idle with the code still held up: the preview shows it, and it is not read again.
    await backToIdle(cameraPage);
    await cameraPage
      .locator(`${byTestId(UI_TEST_IDS.cameraView)}[data-camera="on"]`)
      .waitFor({ timeout: SCREEN_MS });
    await screenshotBoth(cameraPage, 'camera-idle');
    await expect(appRoot(cameraPage).getAttribute('data-screen')).resolves.toBe('idle');
    await cameraBrowser.close();
    expect(tapLines(kiosk).filter((l) => l['reader'] === 'camera')).toHaveLength(1);
    await setLocale(page, 'ja');
  });
});
