import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROSTER_HEADER } from '../edge-hub/facility/roster.ts';
import { HubStore } from '../edge-hub/store/hub-store.ts';
import { FACILITY_NOTICE_TEST_IDS as T } from '../protocol/facility-notices.ts';
import type { ParentMessagesPage } from '../protocol/parent-notices.ts';
import {
  addDirector,
  adminShots,
  closeAdminTest,
  logAdminFailure,
  openAdminBrowser,
  signInAdmin,
} from './support/admin.ts';
import { requireChromium } from './support/browser.ts';
import { acceptAll, FakeCloud, json } from './support/fake-cloud.ts';
import { tempDir, type GenkanProcess } from './support/process.ts';
import { provisionSite, startHub } from './support/site.ts';

const haveChromium = requireChromium();
const SCREEN_MS = 15_000;
const byTestId = (id: string): string => `[data-testid="${id}"]`;

/** Two classes; g001 and g002 have children in さくら組, g003 in ひまわり組. */
const ROSTER = [
  ROSTER_HEADER,
  'k1,さくら組,c001,青木 ひなた,あおき ひなた,g001,青木 美咲,',
  'k1,さくら組,c002,井上 蓮,いのうえ れん,g002,井上 直樹,',
  'k2,ひまわり組,c003,上田 結菜,うえだ ゆいな,g003,上田 彩,',
].join('\n');

/**
 * The facility's notices in the admin app in a real Chromium against a real hub (issue 17): the director
 * sends a notice to one class; its row says 0 of the class's guardians with the parent app have read it;
 * a parent's read reaches the hub through its fetch of parent messages (a stand-in cloud serves it) and
 * the unread list shrinks; the director withdraws the notice.
 */
describe.runIf(haveChromium)('admin app: facility notices in Chromium', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let hub: GenkanProcess;
  let browser: Browser;
  let page: Page;
  let base = '';
  /** The stand-in cloud: takes every upload; serves `messages` to the hub's fetch. */
  let cloud: FakeCloud;
  let messages: ParentMessagesPage['messages'] = [];

  beforeAll(async () => {
    dir = await tempDir();
    const site = await provisionSite(dir.path, {
      kiosks: 0,
      children: 0,
      roster: { csv: ROSTER, cards: [] },
    });
    const data = join(site.dir, 'hub');
    await addDirector(data);
    const store = HubStore.open(data);
    try {
      for (const [id, name, childIds] of [
        ['g001', '青木 美咲', ['c001']],
        ['g002', '井上 直樹', ['c002']],
        ['g003', '上田 彩', ['c003']],
      ] as const) {
        store.parentAccess.put(id, { name, childIds: [...childIds], invitation: null, revoked: false });
      }
    } finally {
      store.close();
    }
    cloud = new FakeCloud((req, res, body) => {
      if (req.method === 'GET' && req.url?.startsWith('/v1/hub/parent-messages?') === true) {
        const after = Number(new URL(req.url, 'http://cloud').searchParams.get('after') ?? 0);
        const due = messages.filter((m) => m.seq > after);
        json(200, { messages: due, cursor: due.at(-1)?.seq ?? after })(req, res, body);
      } else if (req.method === 'GET') {
        json(404, { error: { code: 'not_found', message: 'no' } })(req, res, body);
      } else {
        acceptAll(req, res, body);
      }
    });
    hub = startHub(site, { cloudUrl: await cloud.listen(), facilityName: 'ひまわり保育園' });
    const ready = await hub.ready();
    base = `http://127.0.0.1:${String(ready['http'])}`;
    ({ browser, page } = await openAdminBrowser());
  });

  afterEach(async ({ task }) => {
    await logAdminFailure(task, hub, page);
  });

  afterAll(() => closeAdminTest(browser, hub, dir, () => cloud.close()));

  const row = (): Locator => page.locator(byTestId(T.adminRow)).first();
  const uploaded = () => cloud.received.filter((r) => r.url.startsWith('/v1/hub/facility-notices/'));

  it('sends a notice to one class: 0 of its 2 guardians have read it', async () => {
    await page.goto(`${base}/admin/#notices`);
    await signInAdmin(page);
    await page.locator(byTestId(T.adminForm)).waitFor({ timeout: SCREEN_MS });
    await page.locator(byTestId(T.adminTitle)).fill('遠足のお知らせ');
    await page
      .locator(byTestId(T.adminBody))
      .fill('6月20日（金）は遠足です。\nお弁当・水筒・帽子を持たせてください。雨天の場合は通常保育です。');
    await page.locator(`${byTestId(T.adminClasses)} input[value="k1"]`).check();
    await page.locator(byTestId(T.adminPublish)).click();
    await row().waitFor({ timeout: SCREEN_MS });
    await expect(row().getAttribute('data-read-count')).resolves.toBe('0');
    await expect(row().getAttribute('data-unread-count')).resolves.toBe('2');
    await expect(row().textContent()).resolves.toContain('既読 0 / 2');
    await expect(row().textContent()).resolves.toContain('送り先：さくら組');
  });

  it("shows a parent's read as the hub fetches it, and who has not read it", async () => {
    await expect.poll(() => uploaded().length, { timeout: SCREEN_MS }).toBeGreaterThan(0);
    const noticeId = await row().getAttribute('data-notice-id');
    expect(uploaded()[0]?.url).toBe(`/v1/hub/facility-notices/${String(noticeId)}`);
    expect(uploaded()[0]?.body['guardianIds']).toEqual(['g001', 'g002']);

    const fetchedBefore = cloud.received.length;
    messages = [
      {
        seq: 1,
        type: 'facility_notice_read',
        read: { noticeId: String(noticeId), guardianId: 'g001', readAt: new Date().toISOString() },
      },
    ];
    // Applied once the hub asks after it (its cursor moved past the read).
    await expect
      .poll(
        () =>
          cloud.received
            .slice(fetchedBefore)
            .some((r) => r.url.startsWith('/v1/hub/parent-messages?after=1&')),
        { timeout: SCREEN_MS },
      )
      .toBe(true);
    await page.reload();
    await page.locator(`${byTestId(T.adminRow)}[data-read-count="1"]`).waitFor({ timeout: SCREEN_MS });
    await expect(row().getAttribute('data-unread-count')).resolves.toBe('1');
    await row().getByRole('button', { name: '未読・既読の保護者を見る' }).click();
    const unread = row().locator(byTestId(T.adminUnread));
    await expect(unread.locator('li').allTextContents()).resolves.toEqual(['井上 直樹（井上 蓮）']);
    await expect(row().locator('[data-role="read"] li').textContent()).resolves.toContain('青木 美咲');
    await adminShots(page, 'facility-notices');
  });

  it('withdraws the notice once confirmed', async () => {
    page.once('dialog', (dialog) => {
      void dialog.accept();
    });
    await row().locator(byTestId(T.adminWithdraw)).click();
    await page.locator(`${byTestId(T.adminRow)}[data-withdrawn="true"]`).waitFor({ timeout: SCREEN_MS });
    await expect(row().locator(byTestId(T.adminWithdraw)).count()).resolves.toBe(0);
  });
});
