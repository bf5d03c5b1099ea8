import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { UI_TEST_IDS } from '../kiosk/common/ui-api.ts';
import { byTestId, launchChromium, openKioskPage, requireChromium, resultScreen } from './support/browser.ts';
import { GenkanProcess, eventually, runGenkan, tempDir, type JsonLine } from './support/process.ts';
import { hubEvents, provisionSite, startHub, testDates, type Site } from './support/site.ts';

const haveChromium = requireChromium();

/**
 * A new kiosk paired by its screen: started with nothing but a data directory, it shows the pairing
 * screen; the hub's pairing code, scanned (here: typed into the stdin reader as a scanner would send it),
 * gives it its login, and it starts recording taps. A restart uses the saved login.
 */
describe.runIf(haveChromium)('kiosk pairing from its screen', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let site: Site;
  let browser: Browser | undefined;
  const procs: GenkanProcess[] = [];
  const startedAt = new Date();

  beforeAll(async () => {
    dir = await tempDir();
    site = await provisionSite(dir.path, { kiosks: 1, children: 2 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await dir.remove();
  });

  const kiosk = (): GenkanProcess => {
    // No --hub, --device or password: only what pairing saved in the data directory.
    const p = new GenkanProcess('kiosk-new', [
      'kiosk',
      '--data',
      join(site.dir, 'kiosk-new'),
      '--reader',
      'stdin',
      '--ui',
      'browser',
      '--debounce-ms',
      '0',
    ]);
    procs.push(p);
    return p;
  };

  it('pairs by code, then records taps, and starts paired next time', async () => {
    const hub = startHub(site);
    procs.push(hub);
    const httpPort = Number((await hub.ready())['http']);

    const first = kiosk();
    const waiting = await first.waitFor((l) => l['pairing'] === true, 60_000, 'pairing line');
    const page = await openKioskPage(browser as Browser, String(waiting['ui']));
    const screen = page.locator(byTestId(UI_TEST_IDS.pairing));
    await screen.waitFor({ timeout: 15_000 });
    expect(await screen.getAttribute('data-status')).toBe('waiting');

    const pair = await runGenkan([
      'device',
      'pair',
      'kiosk-new',
      '--data',
      join(site.dir, 'hub'),
      '--hub-url',
      `http://127.0.0.1:${httpPort}`,
    ]);
    expect(pair.code, pair.stderr).toBe(0);
    const payload = String((JSON.parse(pair.stdout.trim()) as JsonLine)['payload']);

    // A guardian's code is not a pairing code: the screen says so and keeps waiting for the right one.
    first.write('qr:GK1.f1.g001.1.sig\n');
    await page.locator(`${byTestId(UI_TEST_IDS.pairing)}[data-status="failed"]`).waitFor({ timeout: 15_000 });

    first.write(`qr:${payload}\n`);
    const ready = await first.ready();
    expect(ready).toMatchObject({ device: 'kiosk-new', facility: site.facilityId });
    expect(ready['ui']).toBe(waiting['ui']);
    // The page moves over to the kiosk by itself (same address) and shows the result of a tap.
    first.write(`card:${site.cards[0] ?? ''}\n`);
    await resultScreen(page, 'ok').waitFor({ timeout: 15_000 });
    const tap = await first.waitFor((l) => l['type'] === 'tap' && l['result'] === 'ok');
    const ids = (tap['events'] as { id: string }[]).map((e) => e.id);
    await eventually(
      async () => {
        const stored = await hubEvents(site, httpPort, testDates(startedAt));
        return ids.every((id) => stored.some((e) => e.id === id)) || undefined;
      },
      30_000,
      'the paired kiosk’s event at the hub',
    );
    await page.close();

    // The code is single use, and the saved login is enough to start again.
    await first.stop();
    const second = kiosk();
    expect(await second.ready()).toMatchObject({ device: 'kiosk-new', outbox: 0 });
    expect(second.lines.some((l) => l['pairing'] === true)).toBe(false);
  });
});
