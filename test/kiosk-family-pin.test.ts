import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROSTER_HEADER } from '../edge-hub/facility/roster.ts';
import { HubStore } from '../edge-hub/store/hub-store.ts';
import { UI_TEST_IDS } from '../kiosk/common/ui-api.ts';
import type { AttendanceEvent } from '../protocol/index.ts';
import {
  backToIdle,
  byTestId,
  launchChromium,
  openKioskPage,
  requireChromium,
  resultScreen,
} from './support/browser.ts';
import {
  eventually,
  GENKAN_BIN,
  ROOT,
  runGenkan,
  tempDir,
  type GenkanProcess,
  type JsonLine,
} from './support/process.ts';
import { hubEvents, provisionSite, startHub, startKiosk, testDates, type Site } from './support/site.ts';

const haveChromium = requireChromium();

/** Three families: やまだ (や row), さとう (さ row), すずき (さ row, no PIN). */
const ROSTER = [
  ROSTER_HEADER,
  'k1,ひよこ組,c001,山田 太郎,やまだ たろう,g001,山田 花子,0202000000000001',
  'k1,ひよこ組,c002,佐藤 一郎,さとう いちろう,g002,佐藤 陽子,0202000000000002',
  'k1,ひよこ組,c003,鈴木 さくら,すずき さくら,g003,鈴木 健,0202000000000003',
].join('\n');

const SCREEN_MS = 15_000;
const HUB_MS = 30_000;

/** `genkan guardian pin` with the PIN on stdin (as a person typing or a pipe would give it). */
function guardianPin(
  hubDir: string,
  guardianId: string,
  stdin: string | null,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  if (stdin === null) return runGenkan(['guardian', 'pin', guardianId, '--data', hubDir], env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [GENKAN_BIN, 'guardian', 'pin', guardianId, '--data', hubDir], {
      cwd: ROOT,
      env: { ...process.env, GENKAN_LOG_LEVEL: 'warn', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(stdin);
  });
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

  const atHub = (): Promise<AttendanceEvent[]> => hubEvents(site, httpPort, testDates(startedAt));
  const pinTaps = () => kiosk.lines.filter((l) => l['type'] === 'tap' && l['reader'] === 'pin');
  const eventIds = (line: JsonLine | undefined): string[] =>
    ((line?.['events'] ?? []) as { id: string }[]).map((e) => e.id);

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
    kiosk = startKiosk(site, 0, mqttPort, { ui: 'browser', readers: ['stdin'] });
    procs.push(kiosk);
    const ready = await kiosk.ready();
    browser = await launchChromium();
    page = await openKioskPage(browser, String(ready['ui']));
    await page
      .locator(`${byTestId(UI_TEST_IDS.app)}[data-screen="idle"]`)
      .waitFor({ timeout: SCREEN_MS * 2 });
  });

  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail') return;
    console.log('kiosk lines (last 10):', kiosk.lines.slice(-10));
    console.log('kiosk log (tail):', kiosk.stderr.slice(-3000));
    console.log('screen:', (await page.content().catch(String)).slice(0, 4000));
  });

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

    const ids = eventIds(line);
    const events = await eventually(
      async () => {
        const all = await atHub();
        return ids.every((id) => all.some((e) => e.id === id)) ? all : undefined;
      },
      HUB_MS,
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
    const ids = eventIds(pinTaps()[1]);
    await backToIdle(page);
    await page
      .locator(`${byTestId(UI_TEST_IDS.offlineBanner)}[data-outbox="1"]`)
      .waitFor({ timeout: SCREEN_MS });

    hub = startHub(site, { mqtt: mqttPort, http: httpPort });
    procs.push(hub);
    await hub.ready();
    const events = await eventually(
      async () => {
        const all = await atHub();
        return ids.every((id) => all.some((e) => e.id === id)) ? all : undefined;
      },
      HUB_MS,
      'the offline PIN check-in at the hub',
    );
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
