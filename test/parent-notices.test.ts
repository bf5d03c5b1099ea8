import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localDate } from '../common/time.ts';
import { ROSTER_HEADER } from '../edge-hub/facility/roster.ts';
import type { Rollcall } from '../protocol/index.ts';
import {
  AdminFacilityNoticesSchema,
  FACILITY_NOTICE_TEST_IDS,
  FacilityNoticeSchema,
} from '../protocol/facility-notices.ts';
import { NOTICE_TEST_IDS } from '../protocol/parent-notices.ts';
import { PICKUP_TEST_IDS } from '../protocol/parent-pickups.ts';
import { PARENT_TEST_IDS } from '../protocol/parents.ts';
import { addDirector, DIRECTOR } from './support/admin.ts';
import { requireChromium } from './support/browser.ts';
import { adminSessionCookie } from './support/hub.ts';
import { openPhone, REACH_MS, registerWithInvitation, SCREEN_MS } from './support/parent-phone.ts';
import { startParentSite, type ParentSite } from './support/parent-site.ts';
import { addStaff, getJson } from './support/site.ts';
import { byTestId, childRow, openSignedInTablet, TABLET_VIEWPORT, tabletPairing } from './support/tablet.ts';
import { until } from './support/wait.ts';

const haveChromium = requireChromium();
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
 * parent's page, for a notice as for a pickup plan.
 */
describe.runIf(haveChromium)('parent notices: from the phone to the tablet and back', () => {
  let ps: ParentSite;
  let hubBase = '';
  let tablet: Page;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    ps = await startParentSite({
      prefix: 'genkan-notices-',
      kiosks: 0,
      roster: { csv: `${ROSTER}\n`, cards: [] },
      prepare: (site) => addStaff(join(site.dir, 'hub'), STAFF),
    });
    hubBase = `http://127.0.0.1:${String(ps.hubReady['http'])}`;
    const { url } = await tabletPairing(ps.hubData, hubBase, 'tab-1');
    tablet = await openSignedInTablet(ps.browser, url, TABLET_VIEWPORT, STAFF);
    contexts.push(tablet.context());
  });

  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail') return;
    ps.printLogs();
    console.log('tablet:', (await tablet.content().catch(String)).slice(0, 3000));
  });

  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    await ps.close();
  });

  it('absence for tomorrow with 発熱 38.2℃: hub roll-call and tablet within 10 s; 確認 reads on the phone', async () => {
    const invitation = await ps.invite('g001');
    const phone = await openPhone(ps.browser);
    contexts.push(phone.context);
    const { page } = phone;
    await registerWithInvitation(page, invitation.url);
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
        const rc = await getJson<Rollcall>(`${hubBase}/api/rollcall?date=${tomorrow}`, ps.site.adminToken);
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
    }>(`${hubBase}/api/events?date=${tomorrow}`, ps.site.adminToken);
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
    for (const log of [ps.cloud.stderr, ps.hub.stderr]) {
      expect(log).not.toContain('小林');
      expect(log).not.toContain('38.2');
    }
  });

  it('a pickup by someone else shows flagged on the tablet, its 確認 reads on the phone, and a facility notice read on the phone reaches the admin', async () => {
    const invitation = await ps.invite('g002');
    const phone = await openPhone(ps.browser);
    contexts.push(phone.context);
    const { page } = phone;
    await registerWithInvitation(page, invitation.url);
    await page
      .locator(`${byTestId(PARENT_TEST_IDS.child)}[data-child-id="c002"]`)
      .waitFor({ timeout: SCREEN_MS });

    // Today's pickup by someone not on the child's list.
    await page.locator(byTestId(PICKUP_TEST_IDS.open)).click();
    await page.locator(byTestId(PICKUP_TEST_IDS.time)).fill('17:30');
    await page.locator(byTestId(PICKUP_TEST_IDS.person)).selectOption('other');
    await page.locator(byTestId(PICKUP_TEST_IDS.otherName)).fill('鈴木 一郎');
    await page.locator(byTestId(PICKUP_TEST_IDS.otherRelation)).fill('おじ');
    await page.locator(byTestId(PICKUP_TEST_IDS.submit)).click();
    const sentAt = Date.now();
    const plan = childRow(tablet, 'c002').locator(
      `${byTestId(PICKUP_TEST_IDS.tabletPlan)}[data-someone-else="true"]`,
    );
    await plan.waitFor({ timeout: REACH_MS });
    expect(Date.now() - sentAt).toBeLessThan(REACH_MS);
    await expect(plan.textContent()).resolves.toMatch(/17:30[\s\S]*鈴木 一郎/);

    // 確認 on the tablet: still flagged there, and 確認済 on the parent's card.
    await plan.click();
    await childRow(tablet, 'c002').locator(byTestId(PICKUP_TEST_IDS.tabletConfirm)).click();
    await childRow(tablet, 'c002')
      .locator(`${byTestId(PICKUP_TEST_IDS.tabletPlan)}[data-someone-else="true"][data-status="read"]`)
      .waitFor({ timeout: SCREEN_MS });
    const pickupConfirmedAt = Date.now();
    await page
      .locator(`${byTestId(PICKUP_TEST_IDS.childPlan)}[data-pickup-status="read"]`)
      .waitFor({ timeout: REACH_MS });
    expect(Date.now() - pickupConfirmedAt).toBeLessThan(REACH_MS);

    // The director publishes a notice to the class; the parent confirms reading it.
    await addDirector(ps.hubData);
    const cookie = await adminSessionCookie(hubBase, DIRECTOR.id, DIRECTOR.pin);
    const admin = (path: string, body?: unknown) =>
      fetch(`${hubBase}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          cookie,
          origin: hubBase,
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    const published = await admin('/api/admin/facility-notices', {
      title: '遠足のお知らせ',
      body: '12月10日は遠足です。\nお弁当をお願いします。',
      classIds: ['k1'],
    });
    expect(published.status).toBe(200);
    const { id } = FacilityNoticeSchema.parse(await published.json());
    const adminRow = async () =>
      AdminFacilityNoticesSchema.parse(
        await (await admin('/api/admin/facility-notices')).json(),
      ).notices.find((n) => n.notice.id === id);
    // Parents open the list when the push arrives: by then the hub has relayed the notice.
    await until(async () => (await adminRow())?.relayed === true, 'the notice relayed to the cloud', {
      timeoutMs: REACH_MS,
      intervalMs: 200,
    });
    await page.locator(byTestId('facility-notices-open')).click();
    const item = page.locator(`${byTestId(FACILITY_NOTICE_TEST_IDS.parentNotice)}[data-notice-id="${id}"]`);
    await item.waitFor({ timeout: REACH_MS });
    await item.locator(byTestId(FACILITY_NOTICE_TEST_IDS.parentRead)).click();
    await page
      .locator(`${byTestId(FACILITY_NOTICE_TEST_IDS.parentNotice)}[data-notice-id="${id}"][data-read="true"]`)
      .waitFor({ timeout: SCREEN_MS });
    await until(
      async () => {
        const list = AdminFacilityNoticesSchema.parse(
          await (await admin('/api/admin/facility-notices')).json(),
        );
        const row = list.notices.find((n) => n.notice.id === id);
        return row?.read.some((r) => r.guardianId === 'g002') === true;
      },
      'the admin to see g002 read the notice',
      { timeoutMs: REACH_MS, intervalMs: 200 },
    );
    for (const log of [ps.cloud.stderr, ps.hub.stderr]) {
      expect(log).not.toContain('鈴木');
      expect(log).not.toContain('遠足');
    }
  });
});
