import { createHash, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, requireChromium } from './support/browser.ts';
import { tapLine } from './support/kiosk-page.ts';
import { tempDir, type GenkanProcess } from './support/process.ts';
import { addStaff, hubTlsOf, provisionSite, startHub, startKiosk, type Site } from './support/site.ts';
import { childRow, openSignedInTablet, tabletPairing, TABLET_VIEWPORT } from './support/tablet.ts';

const haveChromium = requireChromium();
const SCREEN_MS = 15_000;

/** Base64 SHA-256 of a certificate's public key (SPKI): what Chromium's trust-by-key list takes. */
function spkiHash(pem: string): string {
  const spki = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/**
 * The staff tablet against a hub started with defaults (TLS only, issue 15 point 1), in Chromium: a browser
 * that trusts the hub's own CA (as a tablet with the CA installed does) is set up from an https pairing
 * link, signs in, and sees a tap made at a kiosk over MQTT-over-TLS arrive through the secure WebSocket; a
 * browser that does not trust the CA gets nowhere.
 */
describe.runIf(haveChromium)('staff tablet over HTTPS', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let site: Site;
  const procs: GenkanProcess[] = [];
  const browsers: Browser[] = [];
  let https = 0;
  let mqtts = 0;
  let caFile = '';

  beforeAll(async () => {
    dir = await tempDir();
    site = await provisionSite(dir.path, { kiosks: 1, children: 3 });
    await addStaff(join(site.dir, 'hub'), { id: 's1', name: '保育 花子', pin: '1234' });
    const hub = startHub(site, { tls: true });
    procs.push(hub);
    const ready = await hub.ready();
    expect(ready['http']).toBeUndefined();
    ({ https, mqtts, caFile } = hubTlsOf(ready));
  });
  afterAll(async () => {
    await Promise.all(browsers.map((b) => b.close().catch(() => undefined)));
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await dir.remove();
  });

  it('is refused by a browser that does not trust the hub CA', async () => {
    const browser = await launchChromium();
    browsers.push(browser);
    const page = await browser.newPage();
    await expect(page.goto(`https://127.0.0.1:${String(https)}/tablet/`)).rejects.toThrow(/ERR_CERT/);
  });

  it('sets up, signs in and shows a kiosk tap live, all over TLS', async () => {
    const browser = await launchChromium({ trustSpki: [spkiHash(await readFile(caFile, 'utf8'))] });
    browsers.push(browser);
    const { url } = await tabletPairing(join(site.dir, 'hub'), `https://127.0.0.1:${String(https)}`, 'tab-1');
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/tablet\/#pair=GKP1\./);
    const page = await openSignedInTablet(browser, url, TABLET_VIEWPORT, { id: 's1', pin: '1234' });
    await childRow(page, 'c001').waitFor({ timeout: SCREEN_MS });
    expect(await childRow(page, 'c001').getAttribute('data-status')).toBe('not_arrived');

    const kiosk = startKiosk(site, 0, mqtts, { hubCa: caFile, extra: ['--debounce-ms', '0'] });
    procs.push(kiosk);
    await kiosk.ready();
    await kiosk.waitFor((l) => l['type'] === 'roster', 30_000, "the kiosk's roster over mqtts");
    const card = site.cards[0];
    if (card === undefined) throw new Error('no card');
    expect(await tapLine(kiosk, `card:${card}`)).toMatchObject({ result: 'ok' });
    await page
      .locator(`[data-testid="child-row"][data-child-id="c001"][data-status="present"]`)
      .waitFor({ timeout: SCREEN_MS });
  });
});
