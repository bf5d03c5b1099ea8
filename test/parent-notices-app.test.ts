import { createECDH, randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localDate } from '../common/time.ts';
import { bundleWebApp, WEB_APPS } from '../common/web-bundle.ts';
import { errorText } from '../protocol/error-catalogue.ts';
import {
  NOTICE_TEST_IDS,
  ParentMessagesPageSchema,
  type ParentNoticeReads,
  type ParentSettingsUpload,
} from '../protocol/parent-notices.ts';
import { PARENT_TEST_IDS } from '../protocol/parents.ts';
import { launchChromium, requireChromium } from './support/browser.ts';
import { apiCall, parentInvitation, type ApiReply } from './support/parent-api.ts';
import { openPhone, parentShot, parentShots, REACH_MS, SCREEN_MS } from './support/parent-phone.ts';
import { startParentCloud, type ParentTestCloud } from './support/parent-test-cloud.ts';
import { until } from './support/wait.ts';

const haveChromium = requireChromium();
const byTestId = (id: string): string => `[data-testid="${id}"]`;
const card = (childId: string): string => `${byTestId(PARENT_TEST_IDS.child)}[data-child-id="${childId}"]`;

/**
 * A browser's push subscription without a push service (headless Chromium has none to reach here): the
 * page's PushManager answers with a subscription of these keys, so that the app's toggle, its requests
 * and the cloud's answers are the real ones. Delivery to the service worker is tested through CDP.
 */
function fakePushManager(keys: { p256dh: string; auth: string }): string {
  return `(() => {
    const keys = ${JSON.stringify(keys)};
    let current = null;
    PushManager.prototype.getSubscription = async function () { return current; };
    PushManager.prototype.subscribe = async function (options) {
      const key = options.applicationServerKey;
      current = {
        endpoint: 'https://push.example.test/send/' + crypto.randomUUID(),
        expirationTime: null,
        options: { userVisibleOnly: true, applicationServerKey: key.buffer.slice(key.byteOffset, key.byteOffset + key.byteLength) },
        toJSON() { return { endpoint: this.endpoint, expirationTime: null, keys }; },
        async unsubscribe() { current = null; return true; },
      };
      return current;
    };
  })();`;
}

/**
 * The parent app's notices and notifications in Chromium (issue 17, slice 2), against an in-process cloud
 * that the test feeds as the hub would (guardian upload, snapshot, settings, reads): a parent registers a
 * passkey, sends an absence for tomorrow with 発熱 38.2℃ through the form's public hooks and sees it sent
 * on the child's card; the hub's read shows as read within 10 s; a send whose answer was lost is sent
 * again and stored once; a notice after the cut-off is refused in Japanese; the notification toggle
 * registers and removes the subscription, and the service worker shows a pushed message.
 */
describe.runIf(haveChromium)('parent app: notices and notifications in Chromium', () => {
  let cloud: ParentTestCloud;
  let browser: Browser;
  /** The parent's phone, registered by the first test and used by the others. */
  let phone: { context: BrowserContext; page: Page } | undefined;
  const thePhone = (): { context: BrowserContext; page: Page } => {
    if (phone === undefined) throw new Error('no phone: the first test did not get as far');
    return phone;
  };
  /** The cloud as the parent reaches it: `localhost`, since WebAuthn takes a domain as its RP ID. */
  let base = '';

  const hubCall = (method: string, path: string, body: unknown): Promise<ApiReply> =>
    apiCall(cloud.base, method, path, { body, token: cloud.hub });

  /** The facility's notices as the hub fetches them (every message after seq 0). */
  /** The notices (absence, lateness) the hub would fetch; this test sends nothing else. */
  const hubMessages = async () => {
    const res = await apiCall(cloud.base, 'GET', '/v1/hub/parent-messages?after=0&wait=0', {
      token: cloud.hub,
    });
    expect(res.status).toBe(200);
    return ParentMessagesPageSchema.parse(res.json).messages.flatMap((m) => (m.type === 'notice' ? [m] : []));
  };

  beforeAll(async () => {
    const app = await bundleWebApp(WEB_APPS.parent);
    // 山田 花子 (c-001, ひよこ組) and 佐藤 一郎 (c-002, うさぎ組), in effect since long before today.
    cloud = await startParentCloud({ parentApp: () => Promise.resolve(app) });
    base = cloud.base.replace('127.0.0.1', 'localhost');
    browser = await launchChromium();
  });

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && phone !== undefined)
      console.log('parent page:', (await phone.page.content().catch(String)).slice(0, 4000));
  });

  afterAll(async () => {
    await browser.close();
    await cloud.close();
  });

  it('sends an absence for tomorrow with 発熱 38.2℃, shows it sent, then read once the hub confirms it', async () => {
    // The hub's upload of the guardian with an invitation, as `genkan guardian invite` makes it.
    const { token, upload } = parentInvitation(1, ['c-001', 'c-002']);
    expect((await hubCall('PUT', '/v1/hub/parents/g001', upload)).status).toBe(200);

    phone = await openPhone(browser);
    const { page } = phone;
    await page.goto(`${base}/parent/#invite=${token}`);
    await page.locator(byTestId(PARENT_TEST_IDS.passkeyRegister)).click();
    await page.locator(card('c-001')).waitFor({ timeout: SCREEN_MS });
    // No notice yet: the card has no notice status at all.
    expect(await page.locator(card('c-001')).getAttribute('data-notice-status')).toBeNull();

    const tomorrow = new Date(Date.parse(`${localDate(new Date(), 'Asia/Tokyo')}T00:00:00Z`) + 86_400_000)
      .toISOString()
      .slice(0, 10);
    await page.locator(byTestId('notice-open')).click();
    // Two children: checkboxes, the first chosen.
    await expect(page.locator('[data-testid="notice-child"][value="c-001"]').isChecked()).resolves.toBe(true);
    await expect(page.locator('[data-testid="notice-child"][value="c-002"]').isChecked()).resolves.toBe(
      false,
    );
    await page.locator(byTestId(NOTICE_TEST_IDS.kind)).selectOption('absence');
    await page.locator(byTestId(NOTICE_TEST_IDS.date)).fill(tomorrow);
    await page.locator(byTestId(NOTICE_TEST_IDS.reason)).selectOption('sick');
    await page.locator('[data-testid="notice-symptom"][value="fever"]').check();
    await page.locator(byTestId(NOTICE_TEST_IDS.temperature)).fill('38.2');
    await page.locator(byTestId(NOTICE_TEST_IDS.note)).fill('昨夜から熱があります。病院に行きます。');
    await parentShots(page, 'parent-notice-form', true);
    await page.locator(byTestId(NOTICE_TEST_IDS.submit)).click();

    // Home again, the child's card and the list say sent.
    const sent = page.locator(`${card('c-001')}[data-notice-status="sent"]`);
    await sent.waitFor({ timeout: SCREEN_MS });
    await expect(sent.locator(byTestId('child-notice')).textContent()).resolves.toMatch(
      /^欠席連絡 明日 病欠\s*送信済$/,
    );
    expect(await page.locator(card('c-002')).getAttribute('data-notice-status')).toBeNull();
    const item = page.locator(`${byTestId('notice-item')}[data-notice-status="sent"]`);
    await expect(item.textContent()).resolves.toMatch(/欠席連絡 明日[\s\S]*山田 花子[\s\S]*病欠 発熱 38\.2℃/);

    // The notice as the hub fetches it.
    const messages = await hubMessages();
    expect(messages).toHaveLength(1);
    const notice = messages[0]?.notice;
    expect(notice).toMatchObject({
      guardianId: 'g001',
      kind: 'absence',
      childIds: ['c-001'],
      date: tomorrow,
      until: tomorrow,
      reason: 'sick',
      symptoms: ['fever'],
      temperature: 38.2,
      status: 'sent',
    });

    // Staff confirmed it (確認) and the hub relays the read: the open page shows it within 10 s.
    const reads: ParentNoticeReads = { reads: [{ id: notice?.id ?? '', readAt: new Date().toISOString() }] };
    expect((await hubCall('POST', '/v1/hub/parent-notices/read', reads)).status).toBe(200);
    const readAt = Date.now();
    await page.locator(`${card('c-001')}[data-notice-status="read"]`).waitFor({ timeout: REACH_MS });
    expect(Date.now() - readAt).toBeLessThan(REACH_MS);
    await page
      .locator(`${byTestId('notice-item')}[data-notice-status="read"]`)
      .waitFor({ timeout: REACH_MS });
    await parentShot(page, 'parent-home-notice-ja', true);
  });

  it('sends again after a lost answer with the same request id, stored once', async () => {
    const { page } = thePhone();
    const dayAfter = new Date(Date.parse(`${localDate(new Date(), 'Asia/Tokyo')}T00:00:00Z`) + 2 * 86_400_000)
      .toISOString()
      .slice(0, 10);
    const posted: string[] = [];
    let lose = true;
    // The first send reaches the cloud, but its answer never reaches the phone (a tunnel, a dead zone).
    const lostAnswer = async (route: Route) => {
      if (route.request().method() !== 'POST') {
        await route.fallback();
        return;
      }
      posted.push(route.request().postData() ?? '');
      if (lose) {
        lose = false;
        await route.fetch();
        await route.abort('internetdisconnected');
        return;
      }
      await route.fallback();
    };
    await page.route('**/parent/api/notices', lostAnswer);

    await page.locator('[data-testid="notice-open-child"]').nth(1).click();
    await expect(page.locator('[data-testid="notice-child"][value="c-002"]').isChecked()).resolves.toBe(true);
    await expect(page.locator('[data-testid="notice-child"][value="c-001"]').isChecked()).resolves.toBe(
      false,
    );
    await page.locator(byTestId(NOTICE_TEST_IDS.date)).fill(dayAfter);
    await page.locator(byTestId(NOTICE_TEST_IDS.reason)).selectOption('family');
    await page.locator(byTestId(NOTICE_TEST_IDS.submit)).click();
    const error = page.locator(byTestId(PARENT_TEST_IDS.error));
    await error.waitFor({ timeout: SCREEN_MS });
    await expect(error.textContent()).resolves.toContain('同じ連絡が二重に届くことはありません');
    // Stored already, though the phone does not know.
    expect(await hubMessages()).toHaveLength(2);

    await page.locator(byTestId(NOTICE_TEST_IDS.submit)).click();
    await page.locator(`${card('c-002')}[data-notice-status="sent"]`).waitFor({ timeout: SCREEN_MS });
    await page.unroute('**/parent/api/notices', lostAnswer);

    expect(posted).toHaveLength(2);
    const ids = posted.map((body) => (JSON.parse(body) as { id: string }).id);
    expect(ids[0]).toBe(ids[1]);
    const messages = await hubMessages();
    expect(messages.map((m) => m.notice.id).filter((id) => id === ids[0])).toHaveLength(1);
    expect(messages).toHaveLength(2);
    expect(messages[1]?.notice).toMatchObject({ childIds: ['c-002'], date: dayAfter, reason: 'family' });
    expect(messages[1]?.notice.symptoms).toBeUndefined();
    await expect(page.locator(byTestId('notice-item')).count()).resolves.toBe(2);
  });

  it('shows the cut-off refusal in Japanese', async () => {
    const { page } = thePhone();
    // The hub's settings: every class's notices for today close at midnight, so now is always after.
    const settings: ParentSettingsUpload = { version: 1, defaultCutoff: '00:00', classCutoffs: {} };
    expect((await hubCall('PUT', '/v1/hub/parent-settings', settings)).status).toBe(200);

    await page.locator(byTestId('notice-open')).click();
    // Today is the form's first date.
    await expect(page.locator(byTestId(NOTICE_TEST_IDS.date)).inputValue()).resolves.toBe(
      localDate(new Date(), 'Asia/Tokyo'),
    );
    await page.locator(byTestId(NOTICE_TEST_IDS.kind)).selectOption('late');
    await page.locator(byTestId(NOTICE_TEST_IDS.arriveAt)).fill('10:30');
    await page.locator(byTestId(NOTICE_TEST_IDS.submit)).click();
    const error = page.locator(byTestId(PARENT_TEST_IDS.error));
    await error.waitFor({ timeout: SCREEN_MS });
    const expected = errorText('ja', 'notice_after_cutoff', { cutoff: '00:00' });
    expect(expected).toBeDefined();
    await expect(error.textContent()).resolves.toBe(expected);
    expect(await hubMessages()).toHaveLength(2);
    await page.locator(byTestId('notice-cancel')).click();
    await page.locator(byTestId(PARENT_TEST_IDS.child)).first().waitFor({ timeout: SCREEN_MS });
  });

  it('registers and removes this device for notifications, and the service worker shows a push', async () => {
    // A fresh page of the same phone with a push manager that needs no push service.
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const keys = {
      p256dh: ecdh.getPublicKey().toString('base64url'),
      auth: randomBytes(16).toString('base64url'),
    };
    const { context } = thePhone();
    await context.grantPermissions(['notifications'], { origin: base });
    const page = await context.newPage();
    await page.addInitScript({ content: fakePushManager(keys) });
    await page.goto(`${base}/parent/`);
    const toggle = page.locator(byTestId('push-toggle'));
    await page.locator(`${byTestId('push-toggle')}[data-state="off"]`).waitFor({ timeout: SCREEN_MS });

    const subscribed = page.waitForResponse(
      (r) => r.url().endsWith('/parent/api/push/subscriptions') && r.request().method() === 'POST',
    );
    await toggle.click();
    const posted = await subscribed;
    expect(posted.status()).toBe(204);
    const body = JSON.parse(posted.request().postData() ?? '{}') as { endpoint?: string; keys?: unknown };
    expect(body.keys).toEqual(keys);
    expect(body.endpoint).toMatch(/^https:\/\/push\.example\.test\/send\//);
    await page.locator(`${byTestId('push-toggle')}[data-state="on"]`).waitFor({ timeout: SCREEN_MS });

    const removed = page.waitForResponse(
      (r) => r.url().endsWith('/parent/api/push/subscriptions') && r.request().method() === 'DELETE',
    );
    await toggle.click();
    const deleted = await removed;
    expect(deleted.status()).toBe(204);
    expect(JSON.parse(deleted.request().postData() ?? '{}')).toEqual({ endpoint: body.endpoint });
    await page.locator(`${byTestId('push-toggle')}[data-state="off"]`).waitFor({ timeout: SCREEN_MS });

    // The service worker shows what the cloud pushes (delivered through DevTools' push).
    const cdp = await context.newCDPSession(page);
    const registrationId = new Promise<string>((resolve) => {
      cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
        const ours = registrations.find((r) => r.scopeURL === `${base}/parent/` && !r.isDeleted);
        if (ours !== undefined) resolve(ours.registrationId);
      });
    });
    await cdp.send('ServiceWorker.enable');
    const payload = {
      title: 'ひまわり保育園',
      body: '山田 花子さんが登園しました 8:05',
      url: '/parent/',
      tag: 'c-001',
    };
    // A push delivered before the worker is active is dropped: wait for it (ready resolves then).
    await page.evaluate('navigator.serviceWorker.ready.then(() => true)');
    const deliver = async () =>
      cdp.send('ServiceWorker.deliverPushMessage', {
        origin: base,
        registrationId: await registrationId,
        data: JSON.stringify(payload),
      });
    await deliver();
    const shown = () =>
      page.evaluate<{ title: string; body: string; tag: string }[]>(`(async () => {
        const reg = await navigator.serviceWorker.ready;
        return (await reg.getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag }));
      })()`);
    // Delivered again each second until shown, in case the first one raced the worker's start; the
    // tag makes a repeat replace the first, so one notification is shown either way.
    let polls = 0;
    await until(
      async () => {
        if ((await shown()).length > 0) return true;
        if (++polls % 10 === 0) await deliver();
        return false;
      },
      'the pushed notification shown',
      { timeoutMs: SCREEN_MS, intervalMs: 100 },
    );
    expect(await shown()).toEqual([{ title: payload.title, body: payload.body, tag: payload.tag }]);
    await page.close();
  });
});
