import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localTime } from '../common/time.ts';
import { ROSTER_HEADER } from '../edge-hub/facility/roster.ts';
import { ADMIN_TEST_IDS, type RelayHealth } from '../protocol/admin.ts';
import { TABLET_TEST_IDS } from '../protocol/tablet.ts';
import { addDirector, adminShots, signInAdmin } from './support/admin.ts';
import { launchChromium, requireChromium } from './support/browser.ts';
import { acceptAll, FakeCloud, json, type Handler } from './support/fake-cloud.ts';
import { misfits } from './support/fit.ts';
import { genkanJson, tempDir, type GenkanProcess } from './support/process.ts';
import { addStaff, provisionSite, startHub, type Site } from './support/site.ts';
import {
  byTestId,
  openSignedInTablet,
  PHONE_VIEWPORT,
  rollcallRoot,
  TABLET_VIEWPORT,
  tabletPairing,
  tabletShots,
} from './support/tablet.ts';
import { until } from './support/wait.ts';

const haveChromium = requireChromium();

const SCREEN_MS = 15_000;
/**
 * The fetch backs off like the relay (up to 30 s between tries of a cloud that keeps failing): a cloud
 * that answers again is seen at the next try.
 */
const RECOVERY_MS = 60_000;
const TZ = 'Asia/Tokyo';
const STAFF = { id: 's1', name: '保育 花子', pin: '1234' };
const SIZES = [
  ['1180×820', TABLET_VIEWPORT],
  ['390×844', PHONE_VIEWPORT],
  ['1280×800', { width: 1280, height: 800 }],
  ['800×1280', { width: 800, height: 1280 }],
] as const;

const ROSTER = [
  ROSTER_HEADER,
  'k1,さくら組,c001,青木 ひなた,あおき ひなた,g001,青木 美咲,',
  'k2,ひまわり組,c002,井上 蓮,いのうえ れん,g002,井上 直樹,',
].join('\n');

/**
 * Parents' notices that stop arriving, in a real Chromium against a real hub whose cloud stops answering
 * GET /v1/hub/parent-messages (503): the tablet shows a banner on the main screen and a red line in the
 * notices panel, the director's overview a warning with the time it began and the reason in the relay box,
 * and all of it goes once the cloud answers again. The hub's threshold is cut from 120 s to 1 s by the
 * hidden `--parent-messages-stalled-seconds`.
 */
describe.runIf(haveChromium)("tablet and admin app: parents' notices not arriving", () => {
  let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
  let site: Site;
  let hub: GenkanProcess | undefined;
  let cloud: FakeCloud | undefined;
  let browser: Browser | undefined;
  let tablet: Page;
  let admin: Page;
  let base = '';
  let down = false;

  const healthz = async () =>
    (await (await fetch(`${base}/healthz`)).json()) as { relay: RelayHealth; warnings: string[] };
  const banner = () => tablet.locator(byTestId(TABLET_TEST_IDS.parentMessagesStalled));
  const noticesLine = () => tablet.locator(byTestId(TABLET_TEST_IDS.noticesStalled));
  const adminWarning = () => admin.locator(byTestId(ADMIN_TEST_IDS.parentMessagesWarning));
  const relayBox = () => admin.locator(`${byTestId(ADMIN_TEST_IDS.relayHealth)}[data-configured="true"]`);

  beforeAll(async () => {
    dir = await tempDir('genkan-parents-stalled-');
    site = await provisionSite(dir.path, {
      kiosks: 0,
      children: 0,
      roster: { csv: `${ROSTER}\n`, cards: [] },
    });
    const hubDir = join(site.dir, 'hub');
    await addStaff(hubDir, STAFF);
    await addDirector(hubDir);
    // A guardian uses the parent app: a facility without one is not warned (edge-hub/relay/health.ts).
    await genkanJson([
      'guardian',
      'invite',
      'g001',
      '--data',
      hubDir,
      '--parent-url',
      'https://cloud.example',
    ]);
    const handler: Handler = (req, res, body) => {
      const fetchMessages = req.url?.startsWith('/v1/hub/parent-messages') === true;
      if (fetchMessages && down)
        json(503, { error: { code: 'unavailable', message: 'down' } })(req, res, body);
      else if (req.method === 'GET' && !fetchMessages)
        json(404, { error: { code: 'not_found', message: 'x' } })(req, res, body);
      else acceptAll(req, res, body);
    };
    cloud = new FakeCloud(handler);
    const cloudUrl = await cloud.listen();
    hub = startHub(site, { cloudUrl, args: ['--parent-messages-stalled-seconds', '1'] });
    base = `http://127.0.0.1:${String((await hub.ready())['http'])}`;
    browser = await launchChromium();
    const { url } = await tabletPairing(hubDir, base, 'tab-1');
    tablet = await openSignedInTablet(browser, url, TABLET_VIEWPORT, STAFF);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    admin = await context.newPage();
    await admin.goto(`${base}/admin/`);
    await signInAdmin(admin);
    await relayBox().waitFor({ timeout: SCREEN_MS });
  });

  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail') return;
    console.log('hub log (tail):', hub?.stderr.slice(-3000));
    console.log('tablet:', (await tablet.content().catch(String)).slice(0, 4000));
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await hub?.stop('SIGKILL');
    await cloud?.close();
    await dir?.remove();
  });

  it('warns staff on the tablet and the director in the admin app, with the time it began', async () => {
    expect(await banner().count()).toBe(0);
    down = true;
    await banner().waitFor({ timeout: SCREEN_MS });
    const health = await until(async () => {
      const h = await healthz();
      return h.warnings.includes('parent_messages_stalled') && h;
    }, 'the warning in /healthz');
    const failingSince = health.relay.configured ? health.relay.parentMessages?.failingSince : undefined;
    if (failingSince === undefined) throw new Error('no failingSince in /healthz');
    const since = localTime(failingSince, TZ);

    await expect(banner().textContent()).resolves.toContain(`（${since}から）`);
    await expect(noticesLine().textContent()).resolves.toBe(
      `保護者からの連絡（欠席・遅刻・お迎え）を受け取れていません（${since}から）。その間の連絡は電話で確認してください。`,
    );
    // Nothing overflows, in either view, at any size.
    for (const view of ['full', 'compact'] as const) {
      if ((await rollcallRoot(tablet).getAttribute('data-view')) !== view) {
        await tablet.locator(byTestId(TABLET_TEST_IDS.viewCompact)).click();
      }
      await rollcallRoot(tablet, `[data-view="${view}"]`).waitFor({ timeout: SCREEN_MS });
      for (const [size, viewport] of SIZES) {
        await tablet.setViewportSize(viewport);
        await banner().waitFor({ timeout: SCREEN_MS });
        expect(await misfits(tablet, { vertical: false }), `${view} at ${size}`).toEqual([]);
        const box = await banner().boundingBox();
        const inside = (box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? 0) <= viewport.width + 1;
        expect(inside, `banner inside the width, ${view} at ${size}`).toBe(true);
      }
    }
    await tablet.locator(byTestId(TABLET_TEST_IDS.viewCompact)).click();
    await rollcallRoot(tablet, '[data-view="full"]').waitFor({ timeout: SCREEN_MS });
    await tablet.setViewportSize(TABLET_VIEWPORT);
    await tabletShots(tablet, 'tablet-parents-stalled');

    // The overview reads the health every 30 s: opened again, it reads it now.
    await admin.reload();
    await adminWarning().waitFor({ timeout: SCREEN_MS });
    await expect(adminWarning().getAttribute('role')).resolves.toBe('alert');
    await expect(adminWarning().textContent()).resolves.toBe(
      `保護者からの連絡（欠席・遅刻・お迎え）を受け取れていません（${since}から）。クラウドの接続を確認してください。その間の連絡は電話で確認してください。`,
    );
    await expect(relayBox().textContent()).resolves.toContain(`HTTP 503 unavailable（${since}から失敗）`);
    await adminShots(admin, 'parents-stalled', byTestId(ADMIN_TEST_IDS.parentMessagesWarning));
  });

  it('takes the warnings down once the cloud answers again', async () => {
    down = false;
    await banner().waitFor({ state: 'detached', timeout: RECOVERY_MS });
    expect(await noticesLine().count()).toBe(0);
    const health = await healthz();
    expect(health.warnings).toEqual([]);
    expect(health.relay).not.toHaveProperty('parentMessages');
    await admin.reload();
    await relayBox().waitFor({ timeout: SCREEN_MS });
    expect(await adminWarning().count()).toBe(0);
  });
});
