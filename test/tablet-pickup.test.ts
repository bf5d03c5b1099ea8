import { randomUUID } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROSTER_HEADER } from '../edge-hub/facility/roster.ts';
import { PICKUP_TEST_IDS } from '../protocol/parent-pickups.ts';
import { TABLET_TEST_IDS } from '../protocol/tablet.ts';
import { requireChromium } from './support/browser.ts';
import { misfits } from './support/fit.ts';
import { seedTodaysPickups } from './support/hub-pickups.ts';
import { startRosterTablet, type RosterTablet } from './support/roster-tablet.ts';
import {
  byTestId,
  childRow,
  PHONE_VIEWPORT,
  rollcallChild,
  rollcallRoot,
  setTabletLocale,
  TABLET_VIEWPORT,
  tabletShots,
  type TabletApi,
} from './support/tablet.ts';

const haveChromium = requireChromium();

const TZ = 'Asia/Tokyo';
const STAFF = { id: 's1', name: '保育 花子', pin: '1234' };
const SCREEN_MS = 15_000;

const ROSTER = [
  ROSTER_HEADER,
  'k1,さくら組,c001,青木 ひなた,あおき ひなた,g001,青木 美咲,',
  'k1,さくら組,c002,井上 蓮,いのうえ れん,g002,井上 直樹,',
  'k1,さくら組,c003,上田 結菜,うえだ ゆいな,g003,上田 彩,',
].join('\n');

/** A small RGB PNG (a soft gradient), as an admin's photo upload would store it. */
function gradientPng(size: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows: number[] = [];
  for (let y = 0; y < size; y++) {
    rows.push(0);
    for (let x = 0; x < size; x++) rows.push(200 - y, 150 + (x >> 1), 120 + (y >> 1));
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * Today's pickup plans on the staff tablet in a real Chromium against a real hub (issue 17): the plans the
 * hub got from parents (stored here through the hub's own store, as its message fetcher stores them) show
 * on the children's rows; one naming someone not on the child's list is flagged; a touch shows the
 * person's photo from the hub, the parent's note and who sent it; staff's 確認 marks the plan read.
 */
describe.runIf(haveChromium)('tablet: today’s pickup plans', () => {
  let tablet: RosterTablet | undefined;
  let api: TabletApi;
  let page: Page;
  const P = { granny: randomUUID(), other: randomUUID() };

  function seed(hubDir: string): void {
    seedTodaysPickups(hubDir, TZ, (pickups) => {
      const granny = pickups.addPerson({
        childId: 'c001',
        name: '山田 花子',
        relation: '祖母',
        photo: { data: gradientPng(96), type: 'image/png' },
      });
      return [
        {
          id: P.granny,
          guardianId: 'g001',
          childIds: ['c001'],
          time: '17:30',
          person: { id: granny.id, kind: 'person', name: '山田 花子', relation: '祖母' },
          note: '祖母が迎えに行きます。よろしくお願いします。',
        },
        {
          id: P.other,
          guardianId: 'g002',
          childIds: ['c002'],
          time: '18:00',
          person: { id: null, kind: 'other', name: '鈴木 一郎', relation: 'おじ' },
        },
      ];
    });
  }

  beforeAll(async () => {
    tablet = await startRosterTablet({ roster: ROSTER, staff: STAFF, seed, checkIns: ['c001'] });
    ({ api, page } = tablet);
  });

  afterEach(async ({ task }) => {
    await tablet?.logFailure(task);
  });

  afterAll(async () => {
    await tablet?.close();
  });

  const plan = (childId: string) => childRow(page, childId).locator(byTestId(PICKUP_TEST_IDS.tabletPlan));

  it('shows the plan on the child’s row; someone not on the list is flagged', async () => {
    const rc = await api.rollcall();
    expect(rollcallChild(rc, 'c001').pickupPlan).toMatchObject({
      id: P.granny,
      time: '17:30',
      personName: '山田 花子',
      relation: '祖母',
      someoneElse: false,
      hasPhoto: true,
      guardianName: '青木 美咲',
    });
    expect(rollcallChild(rc, 'c003').pickupPlan).toBeNull();

    const granny = plan('c001');
    await granny.waitFor({ timeout: SCREEN_MS });
    await expect(granny.getAttribute('data-someone-else')).resolves.toBe('false');
    await expect(granny.textContent()).resolves.toContain('お迎え 17:30祖母 山田 花子');
    await expect(granny.getAttribute('aria-label')).resolves.toBe('お迎え 17:30 祖母 山田 花子');

    const other = plan('c002');
    await expect(other.getAttribute('data-someone-else')).resolves.toBe('true');
    await expect(other.textContent()).resolves.toContain('お迎え 18:00おじ 鈴木 一郎');
    await expect(other.locator(byTestId('pickup-flag')).textContent()).resolves.toContain(
      '指定外のお迎え：要確認',
    );
    await expect(plan('c003').count()).resolves.toBe(0);
  });

  it('opens the details on a touch: the photo from the hub, the note and who sent it', async () => {
    const granny = plan('c001');
    await granny.click();
    await expect(granny.getAttribute('aria-expanded')).resolves.toBe('true');
    const row = childRow(page, 'c001');
    const photo = row.locator(byTestId('pickup-photo'));
    await photo.waitFor({ timeout: SCREEN_MS });
    await expect(photo.getAttribute('alt')).resolves.toBe('祖母 山田 花子さんの写真');
    // Loaded from the hub's staff-only route (a broken image has no natural size).
    await expect
      .poll(() => photo.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), {
        timeout: SCREEN_MS,
      })
      .toBe(96);
    await expect(row.locator(byTestId('pickup-note')).textContent()).resolves.toContain(
      '祖母が迎えに行きます。',
    );
    await expect(row.locator(byTestId('pickup-from')).textContent()).resolves.toBe('青木 美咲さんより');

    // Someone else has no photo: the note line and the sender only.
    const other = plan('c002');
    await other.click();
    const otherRow = childRow(page, 'c002');
    await otherRow.locator(byTestId('pickup-details')).waitFor({ timeout: SCREEN_MS });
    await expect(otherRow.locator(byTestId('pickup-photo')).count()).resolves.toBe(0);
    await expect(otherRow.locator(byTestId('pickup-from')).textContent()).resolves.toBe('井上 直樹さんより');

    await setTabletLocale(page, 'en');
    await expect(otherRow.locator(byTestId('pickup-flag')).textContent()).resolves.toContain(
      'Not on the pickup list: check',
    );
    await expect(granny.textContent()).resolves.toContain('Pickup 17:30');
    await expect(photo.getAttribute('alt')).resolves.toBe('Photo of 祖母 山田 花子');
    await setTabletLocale(page, 'ja');

    await page.setViewportSize(PHONE_VIEWPORT);
    await page.evaluate('window.scrollTo(0, 0)');
    expect(await misfits(page, { vertical: false })).toEqual([]);
    // Taller than the tablet's screen, so that the shot has the rows with the plans.
    await page.setViewportSize({ width: TABLET_VIEWPORT.width, height: 1300 });
    await page.evaluate('window.scrollTo(0, 0)');
    await tabletShots(page, 'tablet-pickup');
    await page.setViewportSize(TABLET_VIEWPORT);
  });

  it('marks the compact tile, and the child’s sheet shows the plan in full', async () => {
    const toggle = page.locator(byTestId(TABLET_TEST_IDS.viewCompact));
    await toggle.click();
    await rollcallRoot(page, '[data-view="compact"]').waitFor({ timeout: SCREEN_MS });
    const marker = childRow(page, 'c002').locator(byTestId('pickup-marker'));
    await expect(marker.getAttribute('data-someone-else')).resolves.toBe('true');
    await expect(marker.getAttribute('title')).resolves.toBe(
      'お迎え 18:00 おじ 鈴木 一郎・指定外のお迎え：要確認',
    );
    await expect(childRow(page, 'c003').locator(byTestId('pickup-marker')).count()).resolves.toBe(0);

    await childRow(page, 'c001').locator(byTestId('tile-open')).click();
    const sheet = page.locator(byTestId('child-sheet'));
    await sheet.waitFor({ timeout: SCREEN_MS });
    await expect(
      sheet.locator(byTestId(PICKUP_TEST_IDS.tabletPlan)).getAttribute('aria-expanded'),
    ).resolves.toBe('true');
    await sheet.locator(byTestId('pickup-photo')).waitFor({ timeout: SCREEN_MS });
    await sheet.locator(byTestId('sheet-close')).click();
    await toggle.click();
    await rollcallRoot(page, '[data-view="full"]').waitFor({ timeout: SCREEN_MS });
  });

  it('confirms (確認) a plan: 確認済 with who and when, someone else still flagged, and the hub says read', async () => {
    const row = childRow(page, 'c002');
    const other = plan('c002');
    if ((await other.getAttribute('aria-expanded')) !== 'true') await other.click();
    const confirm = row.locator(byTestId(PICKUP_TEST_IDS.tabletConfirm));
    await confirm.waitFor({ timeout: SCREEN_MS });
    await expect(confirm.textContent()).resolves.toBe('確認');
    await expect(confirm.getAttribute('aria-label')).resolves.toBe('おじ 鈴木 一郎さんのお迎え予定を確認');
    await page.setViewportSize(PHONE_VIEWPORT);
    expect(await misfits(page, { vertical: false })).toEqual([]);
    await page.setViewportSize(TABLET_VIEWPORT);

    await confirm.click();
    await row
      .locator(`${byTestId(PICKUP_TEST_IDS.tabletPlan)}[data-status="read"]`)
      .waitFor({ timeout: SCREEN_MS });
    await expect(other.getAttribute('data-someone-else')).resolves.toBe('true');
    await expect(row.locator(byTestId('pickup-flag')).textContent()).resolves.toContain(
      '指定外のお迎え：確認済',
    );
    await expect(row.locator(byTestId('pickup-confirmed')).textContent()).resolves.toMatch(
      /確認済（保育 花子 \d\d:\d\d）/,
    );
    await expect(confirm.count()).resolves.toBe(0);

    const rc = await api.rollcall();
    expect(rollcallChild(rc, 'c002').pickupPlan).toMatchObject({
      id: P.other,
      status: 'read',
      readBy: '保育 花子',
    });
    expect(rollcallChild(rc, 'c001').pickupPlan?.status).toBe('sent');
    await page.setViewportSize({ width: TABLET_VIEWPORT.width, height: 1300 });
    await page.evaluate('window.scrollTo(0, 0)');
    await tabletShots(page, 'tablet-pickup-confirmed');
    await page.setViewportSize(TABLET_VIEWPORT);

    // The compact tile reads the hub's pushed roll-call: confirmed there too.
    const toggle = page.locator(byTestId(TABLET_TEST_IDS.viewCompact));
    await toggle.click();
    await rollcallRoot(page, '[data-view="compact"]').waitFor({ timeout: SCREEN_MS });
    const marker = childRow(page, 'c002').locator(`${byTestId('pickup-marker')}[data-status="read"]`);
    await marker.waitFor({ timeout: SCREEN_MS });
    await expect(marker.getAttribute('title')).resolves.toBe(
      'お迎え 18:00 おじ 鈴木 一郎・指定外のお迎え：確認済',
    );
    await toggle.click();
    await rollcallRoot(page, '[data-view="full"]').waitFor({ timeout: SCREEN_MS });
  });
});
