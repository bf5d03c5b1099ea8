import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROSTER_HEADER } from '../edge-hub/facility/roster.ts';
import { HubStore } from '../edge-hub/store/hub-store.ts';
import { UI_TEST_IDS } from '../kiosk/common/ui-api.ts';
import { backToIdle, byTestId, launchChromium, requireChromium, resultScreen } from './support/browser.ts';
import {
  eventsOf,
  HUB_MS,
  hubHolds,
  SCREEN_MS,
  showKiosksIfFailed,
  startBrowserKiosk,
} from './support/kiosk-page.ts';
import { runGenkan, tempDir, type GenkanProcess } from './support/process.ts';
import { provisionSite, startHub, type Site } from './support/site.ts';

const haveChromium = requireChromium();

/** Three families: やまだ (や row), さとう (さ row), すずき (さ row, no PIN). */
const ROSTER = [
  ROSTER_HEADER,
  'k1,ひよこ組,c001,山田 太郎,やまだ たろう,g001,山田 花子,0202000000000001',
  'k1,ひよこ組,c002,佐藤 一郎,さとう いちろう,g002,佐藤 陽子,0202000000000002',
  'k1,ひよこ組,c003,鈴木 さくら,すずき さくら,g003,鈴木 健,0202000000000003',
].join('\n');

/** `genkan guardian pin` with the PIN on stdin (as a person typing or a pipe would give it). */
function guardianPin(
  hubDir: string,
  guardianId: string,
  stdin: string | null,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runGenkan(['guardian', 'pin', guardianId, '--data', hubDir], env, stdin ?? undefined);
}

describe('genkan guardian pin', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let hubDir = '';
  beforeAll(async () => {
    dir = await tempDir();
    const site = await provisionSite(dir.path, {
      kiosks: 0,
      children: 0,
      roster: { csv: `${ROSTER}\n`, cards: [] },
    });
    hubDir = join(site.dir, 'hub');
  });
  afterAll(async () => {
    await dir.remove();
  });

  it('sets a PIN from stdin or GENKAN_GUARDIAN_PIN, clears it, and refuses bad ones with a code', async () => {
    const fromStdin = await guardianPin(hubDir, 'g001', '2580\n');
    expect(fromStdin.code).toBe(0);
    expect(JSON.parse(fromStdin.stdout)).toMatchObject({ ok: true, guardianId: 'g001', replaced: false });
    const fromEnv = await guardianPin(hubDir, 'g001', null, { GENKAN_GUARDIAN_PIN: '13572468' });
    expect(JSON.parse(fromEnv.stdout)).toMatchObject({ ok: true, replaced: true });
    // The PIN is nowhere in what the command prints.
    expect(fromStdin.stdout + fromStdin.stderr + fromEnv.stdout + fromEnv.stderr).not.toMatch(
      /2580|13572468/,
    );

    for (const pin of ['123', '123456789', '12ab']) {
      const bad = await guardianPin(hubDir, 'g001', `${pin}\n`);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('bad_pin_format');
    }
    const unknown = await guardianPin(hubDir, 'g999', '1234\n');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown_guardian');

    const cleared = await runGenkan(['guardian', 'pin', 'g001', '--clear', '--data', hubDir]);
    expect(JSON.parse(cleared.stdout)).toMatchObject({ ok: true, cleared: true });
    const store = HubStore.open(hubDir);
    try {
      expect(store.guardianPins.has('g001')).toBe(false);
      expect(store.audit.about('guardian:g001').map((a) => a.action)).toEqual([
        'guardian.pin_set',
        'guardian.pin_set',
        'guardian.pin_cleared',
      ]);
    } finally {
      store.close();
    }
  });
});

/**
 * "No card, no phone" in a real Chromium: the idle screen's button, the family chooser by kana row, the
 * guardian's PIN; the event has method pin and the guardian as actor, also while the hub is down; five
 * wrong PINs lock the guardian's PIN at this kiosk.
 */
describe.runIf(haveChromium)('kiosk family chooser and guardian PIN in Chromium', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let site: Site;
  let hub: GenkanProcess;
  let kiosk: GenkanProcess;
  let browser: Browser;
  let page: Page;
  let mqttPort = 0;
  let httpPort = 0;
  const procs: GenkanProcess[] = [];
  const startedAt = new Date();

  const pinTaps = () => kiosk.lines.filter((l) => l['type'] === 'tap' && l['reader'] === 'pin');

  /** The chooser up to the PIN pad of `guardianId` in `row`. */
  const choose = async (row: string, guardianId: string): Promise<void> => {
    await page.locator(byTestId(UI_TEST_IDS.noCard)).click({ timeout: SCREEN_MS });
    await page
      .locator(`${byTestId(UI_TEST_IDS.kanaRow)}[data-kana-row="${row}"]`)
      .click({ timeout: SCREEN_MS });
    await page
      .locator(`${byTestId(UI_TEST_IDS.familyGuardian)}[data-guardian-id="${guardianId}"]`)
      .click({ timeout: SCREEN_MS });
    await page.locator(byTestId(UI_TEST_IDS.guardianPinInput)).waitFor({ timeout: SCREEN_MS });
  };
  const enterPin = async (pin: string): Promise<void> => {
    await page.locator(byTestId(UI_TEST_IDS.guardianPinInput)).fill(pin);
    await page.locator(byTestId(UI_TEST_IDS.guardianPinSubmit)).click({ timeout: SCREEN_MS });
  };

  beforeAll(async () => {
    dir = await tempDir();
    site = await provisionSite(dir.path, {
      kiosks: 1,
      children: 0,
      roster: { csv: `${ROSTER}\n`, cards: [] },
    });
    const hubDir = join(site.dir, 'hub');
    expect((await guardianPin(hubDir, 'g001', '4711\n')).code).toBe(0);
    expect((await guardianPin(hubDir, 'g002', null, { GENKAN_GUARDIAN_PIN: '8080' })).code).toBe(0);

    hub = startHub(site);
    procs.push(hub);
    const hubReady = await hub.ready();
    mqttPort = Number(hubReady['mqtt']);
    httpPort = Number(hubReady['http']);
    browser = await launchChromium();
    ({ proc: kiosk, page } = await startBrowserKiosk(site, 0, mqttPort, { browser, readers: ['stdin'] }));
    procs.push(kiosk);
  });

  afterEach(({ task }) => showKiosksIfFailed(task, [{ proc: kiosk, page }]));

  afterAll(async () => {
    await browser.close().catch(() => undefined);
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await dir.remove();
  });

  it('a parent without card or phone checks in with the family chooser and PIN', async () => {
    await page.locator(byTestId(UI_TEST_IDS.noCard)).click({ timeout: SCREEN_MS });
    const chooser = page.locator(byTestId(UI_TEST_IDS.familyChooser));
    for (const row of ['あ', 'か', 'さ', 'た', 'な', 'は', 'ま', 'や', 'ら', 'わ']) {
      await expect(chooser.locator(`[data-kana-row="${row}"]`).count()).resolves.toBe(1);
    }
    await chooser.locator('[data-kana-row="さ"]').click();
    // さとう and すずき share the さ row; a guardian without a PIN is listed, and says to ask staff.
    const g2 = chooser.locator('[data-guardian-id="g002"]');
    await expect(g2.innerText()).resolves.toContain('佐藤 一郎');
    const g3 = chooser.locator('[data-guardian-id="g003"]');
    await expect(g3.getAttribute('data-pin')).resolves.toBe('false');
    await g3.click();
    await expect(chooser.getAttribute('data-step')).resolves.toBe('guardians');
    await expect(chooser.innerText()).resolves.toContain('職員にお声がけください');
    await chooser.locator(byTestId(UI_TEST_IDS.familyCancel)).click();

    await choose('や', 'g001');
    await enterPin('4711');
    await resultScreen(page, 'ok', 'c001').waitFor({ timeout: SCREEN_MS });
    const line = await kiosk
      .waitFor(() => pinTaps().length === 1, HUB_MS, 'the PIN tap line')
      .then(() => pinTaps()[0]);
    expect(line).toMatchObject({ result: 'ok', guardian: { id: 'g001' } });
    await backToIdle(page);

    const events = await hubHolds(
      { site, httpPort, startedAt },
      eventsOf(line).map((e) => e.id),
      'the PIN check-in at the hub',
    );
    expect(events.filter((e) => e.childId === 'c001')).toMatchObject([
      { type: 'check_in', method: 'pin', actor: 'g001' },
    ]);
  });

  it('works with the hub stopped: verified offline, delivered when the hub is back', async () => {
    await hub.stop('SIGKILL');
    await page.locator(byTestId(UI_TEST_IDS.offlineBanner)).waitFor({ state: 'visible', timeout: HUB_MS });
    await choose('さ', 'g002');
    await enterPin('8080');
    await resultScreen(page, 'ok', 'c002').waitFor({ timeout: SCREEN_MS });
    await kiosk.waitFor(() => pinTaps().length === 2, HUB_MS, 'the offline PIN tap line');
    const ids = eventsOf(pinTaps()[1]).map((e) => e.id);
    await backToIdle(page);
    await page
      .locator(`${byTestId(UI_TEST_IDS.offlineBanner)}[data-outbox="1"]`)
      .waitFor({ timeout: SCREEN_MS });

    hub = startHub(site, { mqtt: mqttPort, http: httpPort });
    procs.push(hub);
    await hub.ready();
    const events = await hubHolds({ site, httpPort, startedAt }, ids, 'the offline PIN check-in at the hub');
    expect(events.filter((e) => e.childId === 'c002')).toMatchObject([
      { type: 'check_in', method: 'pin', actor: 'g002' },
    ]);
  });

  it('five wrong PINs lock that guardian at this kiosk, with a message to ask staff', async () => {
    await choose('や', 'g001');
    const message = page.locator(byTestId(UI_TEST_IDS.guardianPinMessage));
    for (let i = 0; i < 4; i++) {
      await enterPin('0000');
      await page
        .locator(`${byTestId(UI_TEST_IDS.guardianPinMessage)}[data-code="bad_pin"]`)
        .waitFor({ timeout: SCREEN_MS });
      await expect(message.innerText()).resolves.toContain(`あと${4 - i}回`);
    }
    await enterPin('0000');
    await page
      .locator(`${byTestId(UI_TEST_IDS.guardianPinMessage)}[data-code="locked_out"]`)
      .waitFor({ timeout: SCREEN_MS });
    await expect(message.innerText()).resolves.toContain('職員にお声がけください');
    await expect(page.locator(byTestId(UI_TEST_IDS.guardianPinInput)).isDisabled()).resolves.toBe(true);
    // Nothing was recorded for the wrong PINs.
    expect(pinTaps()).toHaveLength(2);
    await page.locator(byTestId(UI_TEST_IDS.familyCancel)).click();
    // The right PIN is refused too while locked: the chooser marks the guardian as locked.
    await page.locator(byTestId(UI_TEST_IDS.noCard)).click({ timeout: SCREEN_MS });
    await page.locator(`${byTestId(UI_TEST_IDS.kanaRow)}[data-kana-row="や"]`).click();
    const g1 = page.locator(`${byTestId(UI_TEST_IDS.familyGuardian)}[data-guardian-id="g001"]`);
    await expect(g1.innerText()).resolves.toContain('ロック中');
  });
});
