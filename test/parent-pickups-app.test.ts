import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localDate } from '../common/time.ts';
import { bundleWebApp, WEB_APPS } from '../common/web-bundle.ts';
import { FACILITY_NOTICE_TEST_IDS, type FacilityNoticeUpload } from '../protocol/facility-notices.ts';
import { ParentMessagesPageSchema } from '../protocol/parent-notices.ts';
import { PICKUP_TEST_IDS, type PickupPeopleUpload } from '../protocol/parent-pickups.ts';
import { PARENT_TEST_IDS } from '../protocol/parents.ts';
import { launchChromium, requireChromium } from './support/browser.ts';
import { sqliteBackend, startTestCloud, type TestCloud } from './support/cloud.ts';
import { sampleVersion } from './contract/cloud-store.ts';
import { parentInvitation } from './support/parent-api.ts';
import { openPhone, parentShot, registerWithInvitation, SCREEN_MS } from './support/parent-phone.ts';

const haveChromium = requireChromium();
const byTestId = (id: string): string => `[data-testid="${id}"]`;
const card = (childId: string): string => `${byTestId(PARENT_TEST_IDS.child)}[data-child-id="${childId}"]`;

/** The children's pickup people as the hub uploads them (the guardian listed by the hub, kind guardian). */
const FATHER = { id: 'g001', kind: 'guardian', name: '山田 太郎', relation: '', hasPhoto: false } as const;
const GRANDMA = { id: 'pp-1', kind: 'person', name: '山田 和子', relation: '祖母', hasPhoto: true } as const;

/**
 * The parent app's pickup plans and the facility's notices in Chromium (issue 17, slice 3), against an
 * in-process cloud that the test feeds as the hub would (guardian, snapshot, pickup people, a notice):
 * the parent sends today's pickup with a listed person and with someone else, sees each on the child's
 * card, and the hub's fetch carries both (the second as kind `other` with the name); the parent opens
 * the notices at the push's address, confirms one, and the hub's fetch carries the read.
 */
describe.runIf(haveChromium)('parent app: pickup plans and facility notices in Chromium', () => {
  let cloud: TestCloud & { hub: string };
  let browser: Browser;
  let page: Page | undefined;
  const thePage = (): Page => {
    if (page === undefined) throw new Error('no phone: the first test did not get as far');
    return page;
  };
  /** The cloud as the parent reaches it: `localhost`, since WebAuthn takes a domain as its RP ID. */
  let base = '';

  const hubCall = async (method: string, path: string, body: unknown): Promise<Response> =>
    fetch(`${cloud.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${cloud.hub}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  /** Every message from parents as the hub fetches it (after seq 0). */
  const hubMessages = async () => {
    const res = await fetch(`${cloud.base}/v1/hub/parent-messages?after=0&wait=0`, {
      headers: { authorization: `Bearer ${cloud.hub}` },
    });
    expect(res.status).toBe(200);
    return ParentMessagesPageSchema.parse(await res.json()).messages;
  };
  const hubPickups = async () =>
    (await hubMessages()).flatMap((m) => (m.type === 'pickup' ? [m.pickup] : []));

  beforeAll(async () => {
    const app = await bundleWebApp(WEB_APPS.parent);
    cloud = await startTestCloud(
      await sqliteBackend(),
      { hubRateLimit: null, parentRateLimit: null, parentApp: () => Promise.resolve(app) },
      async (store) => {
        await store.addOrganisation('city-a', '市A');
        await store.addFacility('fac-a', 'city-a');
        const hub = await store.addHub('hub-a', 'fac-a');
        // 山田 花子 (c-001, ひよこ組) and 佐藤 一郎 (c-002, うさぎ組), in effect since long before today.
        await store.putSnapshotVersion('fac-a', 'hub-a', sampleVersion(1, '2026-01-01'));
        return { hub };
      },
    );
    base = cloud.base.replace('127.0.0.1', 'localhost');
    browser = await launchChromium();
  });

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && page !== undefined)
      console.log('parent page:', (await page.content().catch(String)).slice(0, 4000));
  });

  afterAll(async () => {
    await browser.close();
    await cloud.close();
  });

  it("sends today's pickup with a listed person and with someone else, shown on the cards and fetched by the hub", async () => {
    const invitation = parentInvitation(1, ['c-001', 'c-002']);
    expect((await hubCall('PUT', '/v1/hub/parents/g001', invitation.upload)).status).toBe(200);
    const people: Record<string, PickupPeopleUpload> = {
      'c-001': { version: 1, people: [FATHER, GRANDMA] },
      'c-002': { version: 1, people: [FATHER] },
    };
    for (const [childId, upload] of Object.entries(people)) {
      const res = await hubCall('PUT', `/v1/hub/pickup-people/${childId}`, upload);
      expect(res.status, await res.text()).toBe(200);
    }

    const phone = await openPhone(browser);
    page = phone.page;
    await registerWithInvitation(page, `${base}/parent/#invite=${invitation.token}`);
    await expect(
      page.locator(`${card('c-001')} ${byTestId(PICKUP_TEST_IDS.childPlan)}`).count(),
    ).resolves.toBe(0);

    // A listed person: 祖母 for 山田 花子, the first child (chosen when the form opens).
    await page.locator(byTestId(PICKUP_TEST_IDS.open)).click();
    await expect(page.locator('[data-testid="pickup-child"][value="c-001"]').isChecked()).resolves.toBe(true);
    await expect(page.locator('[data-testid="pickup-child"][value="c-002"]').isChecked()).resolves.toBe(
      false,
    );
    const person = page.locator(byTestId(PICKUP_TEST_IDS.person));
    await page
      .locator(`${byTestId(PICKUP_TEST_IDS.person)}[data-ready="true"]`)
      .waitFor({ timeout: SCREEN_MS });
    // The parent who writes comes first to mind: chosen until changed.
    await expect(person.inputValue()).resolves.toBe('g001');
    await expect(person.locator('option').allTextContents()).resolves.toEqual([
      '選んでください',
      '保護者 山田 太郎',
      '祖母 山田 和子',
      'その他の方',
    ]);
    await page.locator(byTestId(PICKUP_TEST_IDS.time)).fill('17:30');
    await person.selectOption(GRANDMA.id);
    await page.locator(byTestId(PICKUP_TEST_IDS.submit)).click();
    const plan1 = page.locator(`${card('c-001')} ${byTestId(PICKUP_TEST_IDS.childPlan)}`);
    await plan1.waitFor({ timeout: SCREEN_MS });
    await page.locator(byTestId('pickup-sent')).waitFor({ timeout: SCREEN_MS });
    await expect(plan1.textContent()).resolves.toMatch(/^お迎え 17:30 祖母 山田 和子\s*送信済$/);
    expect(await plan1.getAttribute('data-someone-else')).toBe('false');

    // Someone else for 佐藤 一郎, from the child's own button: a name, flagged to staff.
    await page.locator(byTestId('pickup-open-child')).nth(1).click();
    await expect(page.locator('[data-testid="pickup-child"][value="c-002"]').isChecked()).resolves.toBe(true);
    await page
      .locator(`${byTestId(PICKUP_TEST_IDS.person)}[data-ready="true"]`)
      .waitFor({ timeout: SCREEN_MS });
    await page.locator(byTestId(PICKUP_TEST_IDS.time)).fill('18:00');
    await person.selectOption('other');
    await page.locator(byTestId('pickup-other-warning')).waitFor({ timeout: SCREEN_MS });
    await page.locator(byTestId(PICKUP_TEST_IDS.otherName)).fill('鈴木 次郎');
    await page.locator(byTestId(PICKUP_TEST_IDS.otherRelation)).fill('おじ');
    await page.locator(byTestId('pickup-note')).fill('18時を過ぎるかもしれません。');
    await parentShot(page, 'parent-pickup-form-ja', true);
    await page.locator(byTestId(PICKUP_TEST_IDS.submit)).click();
    const plan2 = page.locator(`${card('c-002')} ${byTestId(PICKUP_TEST_IDS.childPlan)}`);
    await plan2.waitFor({ timeout: SCREEN_MS });
    await expect(plan2.textContent()).resolves.toMatch(/^お迎え 18:00 おじ 鈴木 次郎\s*送信済$/);
    expect(await plan2.getAttribute('data-someone-else')).toBe('true');
    // The first child's plan is unchanged.
    await expect(plan1.textContent()).resolves.toMatch(/^お迎え 17:30 祖母 山田 和子/);

    // Both as the hub fetches them.
    const pickups = await hubPickups();
    expect(pickups).toHaveLength(2);
    expect(pickups[0]).toMatchObject({
      guardianId: 'g001',
      childIds: ['c-001'],
      time: '17:30',
      person: { id: GRANDMA.id, kind: 'person', name: GRANDMA.name, relation: '祖母' },
      status: 'sent',
    });
    expect(pickups[1]).toMatchObject({
      guardianId: 'g001',
      childIds: ['c-002'],
      time: '18:00',
      person: { id: null, kind: 'other', name: '鈴木 次郎', relation: 'おじ' },
      note: '18時を過ぎるかもしれません。',
    });
    expect(pickups[0]?.date).toBe(localDate(new Date(), 'Asia/Tokyo'));
    expect(pickups[1]?.date).toBe(pickups[0]?.date);
    await parentShot(page, 'parent-home-pickup-ja', true);
  });

  it('counts unread notices, opens them at the push address, keeps the text as written, and the hub fetches the read', async () => {
    const p = thePage();
    const today = localDate(new Date(), 'Asia/Tokyo');
    const body = '10月10日に運動会を行います。\n持ち物：水筒、帽子\n<b>雨天のときは翌日</b>';
    const upload = (
      noticeId: string,
      title: string,
      text: string,
      time: string,
      guardianIds: string[],
    ): FacilityNoticeUpload => ({
      version: 1,
      notice: {
        id: noticeId,
        title,
        body: text,
        classIds: null,
        // As the hub sends it: the facility's offset.
        publishedAt: `${today}T${time}:00+09:00`,
        withdrawn: false,
      },
      guardianIds,
    });
    const menu = randomUUID();
    const sports = randomUUID();
    const other = randomUUID();
    for (const u of [
      upload(menu, '12月の献立表', '12月の献立表を玄関に掲示しました。', '08:00', ['g001', 'g002']),
      upload(sports, '運動会のお知らせ', body, '09:30', ['g001']),
      // Another guardian's notice never shows here.
      upload(other, '別のお知らせ', '別の方へ', '09:45', ['g002']),
    ]) {
      const res = await hubCall('PUT', `/v1/hub/facility-notices/${u.notice.id}`, u);
      expect(res.status, await res.text()).toBe(200);
    }

    // The home page counts the unread ones on its news button.
    await p.goto(`${base}/parent/`);
    const badge = p.locator(`${byTestId('facility-notices-open')} ${byTestId('facility-notices-unread')}`);
    await badge.waitFor({ timeout: SCREEN_MS });
    expect(await badge.getAttribute('data-count')).toBe('2');

    // Where the notice's push leads, with the app open: the list, newest first.
    await p.goto(`${base}/parent/#notices`);
    const notices = p.locator(byTestId(FACILITY_NOTICE_TEST_IDS.parentNotice));
    await notices.first().waitFor({ timeout: SCREEN_MS });
    const order = await Promise.all((await notices.all()).map((n) => n.getAttribute('data-notice-id')));
    expect(order).toEqual([sports, menu]);
    const item = p.locator(`${byTestId(FACILITY_NOTICE_TEST_IDS.parentNotice)}[data-notice-id="${sports}"]`);
    expect(await item.getAttribute('data-read')).toBe('false');
    await expect(item.locator('.title').textContent()).resolves.toBe('運動会のお知らせ');
    await expect(item.locator('.when').textContent()).resolves.toContain('09:30');
    // Plain text: the markup shows as typed, the line breaks as lines.
    await expect(item.locator('.body').textContent()).resolves.toBe(body);
    await expect(item.locator('.body b').count()).resolves.toBe(0);
    expect((await item.locator('.body').innerText()).split('\n')).toHaveLength(3);

    await item.locator(byTestId(FACILITY_NOTICE_TEST_IDS.parentRead)).click();
    await p
      .locator(
        `${byTestId(FACILITY_NOTICE_TEST_IDS.parentNotice)}[data-notice-id="${sports}"][data-read="true"]`,
      )
      .waitFor({ timeout: SCREEN_MS });
    await expect(item.locator(byTestId(FACILITY_NOTICE_TEST_IDS.parentRead)).count()).resolves.toBe(0);
    await expect(p.locator(byTestId('facility-notices-unread')).getAttribute('data-count')).resolves.toBe(
      '1',
    );
    await parentShot(p, 'parent-facility-notices-ja', true);

    const reads = (await hubMessages()).flatMap((m) => (m.type === 'facility_notice_read' ? [m.read] : []));
    expect(reads).toEqual([{ noticeId: sports, guardianId: 'g001', readAt: expect.any(String) as string }]);

    // Back home: one unread left on the news button.
    await p.locator(byTestId('facility-notices-back')).click();
    await p.locator(`${byTestId('facility-notices-unread')}[data-count="1"]`).waitFor({ timeout: SCREEN_MS });

    // A notice's push tapped with the app closed: it opens on the list.
    await p.goto('about:blank');
    await p.goto(`${base}/parent/#notices`);
    await p
      .locator(
        `${byTestId(FACILITY_NOTICE_TEST_IDS.parentNotice)}[data-notice-id="${menu}"][data-read="false"]`,
      )
      .waitFor({ timeout: SCREEN_MS });
    // The address is the app's own again: the next tap opens the list afresh.
    expect(new URL(p.url()).hash).toBe('');
  });
});
