import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localDate } from '../common/time.ts';
import { ROSTER_HEADER } from '../edge-hub/facility/roster.ts';
import type { Rollcall } from '../protocol/index.ts';
import { NOTICE_TEST_IDS } from '../protocol/parent-notices.ts';
import { PARENT_TEST_IDS, ParentInviteResultSchema } from '../protocol/parents.ts';
import { launchChromium, requireChromium } from './support/browser.ts';
import { cloudReady } from './support/cloud-process.ts';
import { openPhone, parentAccessRelayed, REACH_MS } from './support/parent-phone.ts';
import { genkanJson, tempDir, type GenkanProcess } from './support/process.ts';
import { addStaff, getJson, provisionSite, startCloud, startHub, type Site } from './support/site.ts';
import { byTestId, openSignedInTablet, TABLET_VIEWPORT, tabletPairing } from './support/tablet.ts';
import { until } from './support/wait.ts';

const haveChromium = requireChromium();
const SCREEN_MS = 15_000;
const STAFF = { id: 's1', name: '保育 花子', pin: '1234' };
const ROSTER = [
  ROSTER_HEADER,
  'k1,ひよこ組,c001,小林 一花,こばやし いちか,g001,小林 真理,',
  'k1,ひよこ組,c002,中村 陸,なかむら りく,g002,中村 聡,',
].join('\n');

/** The day after `date` (YYYY-MM-DD). */
function nextDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/**
 * Issue 17's first must-show, across real processes: a parent registers a passkey from the director's
 * invitation and reports an absence for tomorrow with a fever of 38.2℃; the hub (which fetches from the
 * cloud, never the other way) shows the child absent with that reason in tomorrow's roll-call, and the
 * staff tablet shows the notice, each within 10 s of sending; the tablet's 確認 shows as read on the
 * parent's page.
 */
describe.runIf(haveChromium)('parent notices: from the phone to the tablet and back', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let site: Site;
  let cloud: GenkanProcess;
  let hub: GenkanProcess;
  let browser: Browser;
  let hubBase = '';
  let parentUrl = '';
  let tablet: Page;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    dir = await tempDir('genkan-notices-');
    site = await provisionSite(dir.path, {
      kiosks: 0,
      children: 0,
      roster: { csv: `${ROSTER}\n`, cards: [] },
    });
    await addStaff(join(site.dir, 'hub'), STAFF);
    cloud = startCloud(site);
    const { ready } = await cloudReady(cloud);
    parentUrl = `http://localhost:${String(ready['http'])}`;
    hub = startHub(site, {
      cloudUrl: `http://127.0.0.1:${String(ready['http'])}`,
      facilityName: 'ひまわり保育園',
    });
    hubBase = `http://127.0.0.1:${String((await hub.ready())['http'])}`;
    browser = await launchChromium();
    const { url } = await tabletPairing(join(site.dir, 'hub'), hubBase, 'tab-1');
    tablet = await openSignedInTablet(browser, url, TABLET_VIEWPORT, STAFF);
    contexts.push(tablet.context());
  });

  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail') return;
    console.log('cloud log (tail):', cloud.stderr.slice(-3000));
    console.log('hub log (tail):', hub.stderr.slice(-3000));
    console.log('tablet:', (await tablet.content().catch(String)).slice(0, 3000));
  });

  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    await browser.close().catch(() => undefined);
    await hub.stop();
    await cloud.stop();
    await dir.remove();
  });

  it('absence for tomorrow with 発熱 38.2℃: hub roll-call and tablet within 10 s; 確認 reads on the phone', async () => {
    const hubData = join(site.dir, 'hub');
    const invitation = ParentInviteResultSchema.parse(
      await genkanJson(['guardian', 'invite', 'g001', '--data', hubData, '--parent-url', parentUrl]),
    );
    await until(() => parentAccessRelayed(hubData, 'g001'), 'the invitation relayed', {
      timeoutMs: REACH_MS,
      intervalMs: 100,
    });
    const phone = await openPhone(browser);
    contexts.push(phone.context);
    const { page } = phone;
    await page.goto(invitation.url);
    await page.locator(byTestId(PARENT_TEST_IDS.passkeyRegister)).click();
    const card = page.locator(`${byTestId(PARENT_TEST_IDS.child)}[data-child-id="c001"]`);
    await card.waitFor({ timeout: SCREEN_MS });

    // The notice form: tomorrow, sick with a fever of 38.2℃.
    const tomorrow = nextDay(localDate(new Date(), 'Asia/Tokyo'));
    await page.locator(byTestId('notice-open')).click();
    await page.locator(byTestId(NOTICE_TEST_IDS.kind)).selectOption('absence');
    await page.locator(byTestId(NOTICE_TEST_IDS.date)).fill(tomorrow);
    await page.locator(byTestId(NOTICE_TEST_IDS.reason)).selectOption('sick');
    await page.locator('input[type="checkbox"][value="fever"]').check();
    await page.locator(byTestId(NOTICE_TEST_IDS.temperature)).fill('38.2');
    await page.locator(byTestId(NOTICE_TEST_IDS.note)).fill('朝から熱があります');
    await page.locator(byTestId(NOTICE_TEST_IDS.submit)).click();
    const sentAt = Date.now();
    await page
      .locator(`${byTestId(PARENT_TEST_IDS.child)}[data-child-id="c001"][data-notice-status="sent"]`)
      .waitFor({ timeout: SCREEN_MS });

    // The hub's roll-call for tomorrow: absent, with the reason and the temperature.
    await until(
      async () => {
        const rc = await getJson<Rollcall>(`${hubBase}/api/rollcall?date=${tomorrow}`, site.adminToken);
        const child = rc.classes.flatMap((c) => c.children).find((c) => c.id === 'c001');
        return child?.status === 'absent';
      },
      'the hub roll-call of tomorrow to show c001 absent',
      { timeoutMs: REACH_MS, intervalMs: 200 },
    );
    // The tablet shows the notice, unconfirmed.
    const notice = tablet.locator(`${byTestId(NOTICE_TEST_IDS.tabletNotice)}[data-status="sent"]`);
    await notice.waitFor({ timeout: Math.max(1, REACH_MS - (Date.now() - sentAt)) });
    expect(Date.now() - sentAt).toBeLessThan(REACH_MS);
    await expect(notice.textContent()).resolves.toMatch(/小林 一花[\s\S]*38\.2/);
    const events = await getJson<{
      events: { childId: string; type: string; method: string; note?: string }[];
    }>(`${hubBase}/api/events?date=${tomorrow}`, site.adminToken);
    expect(events.events).toEqual([
      expect.objectContaining({ childId: 'c001', type: 'absent', method: 'parent' }),
    ]);
    expect(events.events[0]?.note).toMatch(/^sick: .*38\.2/);
    // Another family's child is untouched.
    expect(events.events.some((e) => e.childId === 'c002')).toBe(false);

    // 確認 on the tablet reads on the parent's page.
    await notice.locator(byTestId(NOTICE_TEST_IDS.tabletConfirm)).click();
    await tablet
      .locator(`${byTestId(NOTICE_TEST_IDS.tabletNotice)}[data-status="read"]`)
      .waitFor({ timeout: SCREEN_MS });
    const confirmedAt = Date.now();
    await page
      .locator(`${byTestId(PARENT_TEST_IDS.child)}[data-child-id="c001"][data-notice-status="read"]`)
      .waitFor({ timeout: REACH_MS });
    expect(Date.now() - confirmedAt).toBeLessThan(REACH_MS);

    // No parent's or child's name in either service's log.
    for (const log of [cloud.stderr, hub.stderr]) {
      expect(log).not.toContain('小林');
      expect(log).not.toContain('38.2');
    }
  });
});
