import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newEventId } from '../common/ids.ts';
import { ROSTER_HEADER } from '../edge-hub/facility/roster.ts';
import type { AttendanceEvent } from '../protocol/index.ts';
import { PARENT_TEST_IDS, ParentInviteResultSchema, type ParentInviteResult } from '../protocol/parents.ts';
import { launchChromium, requireChromium } from './support/browser.ts';
import { cloudReady } from './support/cloud-process.ts';
import { publishAsKiosk } from './support/kiosk-publish.ts';
import { childCards, openPhone, parentAccessRelayed, REACH_MS } from './support/parent-phone.ts';
import { genkanJson, ROOT, tempDir, type GenkanProcess } from './support/process.ts';
import { provisionSite, startCloud, startHub, type Site } from './support/site.ts';
import { until } from './support/wait.ts';

const haveChromium = requireChromium();
const SCREEN_MS = 15_000;
const byTestId = (id: string): string => `[data-testid="${id}"]`;

/** Two families: 小林 真理 (g001) with two children in two classes, 中村 聡 (g002) with one. */
const CARD = { kobayashi: '0101000000000021', nakamura: '0101000000000022' };
const ROSTER = [
  ROSTER_HEADER,
  `k1,ひよこ組,c001,小林 一花,こばやし いちか,g001,小林 真理,${CARD.kobayashi}`,
  `k2,りす組,c002,小林 二葉,こばやし ふたば,g001,小林 真理,`,
  `k1,ひよこ組,c003,中村 陸,なかむら りく,g002,中村 聡,${CARD.nakamura}`,
].join('\n');

const SHOTS_DIR = join(ROOT, 'test-results/screens');
const COMMITTED_DIR = join(ROOT, 'docs/screens');

/** The page in Japanese and English (test-results/screens; docs/screens too with UPDATE_SCREENSHOTS=1). */
async function shots(page: Page, name: string): Promise<void> {
  await mkdir(SHOTS_DIR, { recursive: true });
  const update = process.env['UPDATE_SCREENSHOTS'] === '1';
  if (update) await mkdir(COMMITTED_DIR, { recursive: true });
  for (const locale of ['ja', 'en'] as const) {
    const app = page.locator(byTestId('parent-app'));
    if ((await app.getAttribute('data-locale')) !== locale)
      await page.locator(byTestId('lang-toggle')).click();
    await page.locator(`${byTestId('parent-app')}[data-locale="${locale}"]`).waitFor({ timeout: SCREEN_MS });
    const file = `${name}-${locale}.png`;
    await page.screenshot({ path: join(SHOTS_DIR, file), animations: 'disabled' });
    if (update) await copyFile(join(SHOTS_DIR, file), join(COMMITTED_DIR, file));
  }
  await page.locator(byTestId('lang-toggle')).click();
  await page.locator(`${byTestId('parent-app')}[data-locale="ja"]`).waitFor({ timeout: SCREEN_MS });
}

/**
 * Issue 17, slice 1, across real processes: the director invites a guardian with the CLI, the hub relays
 * the invitation to the cloud, the parent registers a passkey in Chromium (virtual authenticator) and sees
 * only their own children, a kiosk tap shows there within 10 s, a second family sees only theirs, sign-out
 * and sign-in with the passkey work, and revoking the parent signs the open page out within 10 s.
 */
describe.runIf(haveChromium)('parent app: passkeys and own children in Chromium', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let site: Site;
  let cloud: GenkanProcess;
  let hub: GenkanProcess;
  let browser: Browser;
  let hubData = '';
  let mqttPort = 0;
  /** The cloud as parents reach it: `localhost`, since WebAuthn takes a domain as its RP ID, never an IP. */
  let parentUrl = '';
  let seq = 0;

  const invite = async (guardianId: string): Promise<ParentInviteResult> => {
    const answer = ParentInviteResultSchema.parse(
      await genkanJson(['guardian', 'invite', guardianId, '--data', hubData, '--parent-url', parentUrl]),
    );
    await until(() => parentAccessRelayed(hubData, guardianId), `the invitation of ${guardianId} relayed`, {
      timeoutMs: REACH_MS,
      intervalMs: 100,
    });
    return answer;
  };

  const tap = async (type: AttendanceEvent['type'], childId: string, actor: string): Promise<void> => {
    const event: AttendanceEvent = {
      id: newEventId(),
      type,
      childId,
      occurredAt: new Date().toISOString(),
      deviceId: 'kiosk-1',
      seq: ++seq,
      method: 'card',
      actor,
    };
    const ack = await publishAsKiosk(site, mqttPort, 'kiosk-1', [event]);
    expect(ack.rejected).toEqual([]);
  };

  beforeAll(async () => {
    dir = await tempDir('genkan-parent-');
    site = await provisionSite(dir.path, {
      kiosks: 1,
      children: 3,
      roster: { csv: `${ROSTER}\n`, cards: [CARD.kobayashi, CARD.nakamura] },
    });
    hubData = join(dir.path, 'hub');
    cloud = startCloud(site);
    const { ready } = await cloudReady(cloud);
    parentUrl = `http://localhost:${String(ready['http'])}`;
    hub = startHub(site, {
      cloudUrl: `http://127.0.0.1:${String(ready['http'])}`,
      facilityName: 'ひまわり保育園',
    });
    mqttPort = Number((await hub.ready())['mqtt']);
    browser = await launchChromium();
  });

  afterEach((ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    console.log('cloud log (tail):', cloud.stderr.slice(-3000));
    console.log('hub log (tail):', hub.stderr.slice(-3000));
  });

  afterAll(async () => {
    await browser.close();
    await hub.stop();
    await cloud.stop();
    await dir.remove();
  });

  it('invites, registers a passkey, shows only own children live, signs in again, and signs out a revoked parent', async () => {
    // The first family: the link from the CLI, opened on the parent's phone.
    const first = await invite('g001');
    expect(first.guardianId).toBe('g001');
    expect(first.url.startsWith(`${parentUrl}/parent/#invite=`)).toBe(true);
    const mari = await openPhone(browser);
    await mari.page.goto(first.url);
    await mari.page.locator(byTestId(PARENT_TEST_IDS.passkeyRegister)).waitFor({ timeout: SCREEN_MS });
    await shots(mari.page, 'parent-invite');
    await mari.page.locator(byTestId(PARENT_TEST_IDS.passkeyRegister)).click();
    await mari.page.locator(byTestId(PARENT_TEST_IDS.child)).first().waitFor({ timeout: SCREEN_MS });
    // The token left the address bar once used.
    expect(mari.page.url()).not.toContain('invite=');
    expect(await childCards(mari.page)).toEqual([
      ['c001', 'not_arrived'],
      ['c002', 'not_arrived'],
    ]);

    // A kiosk tap reaches the open page by itself.
    await tap('check_in', 'c001', 'g001');
    await mari.page
      .locator(`${byTestId(PARENT_TEST_IDS.child)}[data-child-id="c001"][data-status="present"]`)
      .waitFor({ timeout: REACH_MS });
    await shots(mari.page, 'parent-home');

    // The second family, on a phone of its own, sees only its child; the first sees only its own.
    const satoshi = await openPhone(browser);
    await satoshi.page.goto((await invite('g002')).url);
    await satoshi.page.locator(byTestId(PARENT_TEST_IDS.passkeyRegister)).click();
    await satoshi.page.locator(byTestId(PARENT_TEST_IDS.child)).first().waitFor({ timeout: SCREEN_MS });
    expect(await childCards(satoshi.page)).toEqual([['c003', 'not_arrived']]);
    await tap('check_in', 'c003', 'g002');
    await satoshi.page
      .locator(`${byTestId(PARENT_TEST_IDS.child)}[data-child-id="c003"][data-status="present"]`)
      .waitFor({ timeout: REACH_MS });
    expect(await childCards(mari.page)).toEqual([
      ['c001', 'present'],
      ['c002', 'not_arrived'],
    ]);
    await expect(mari.page.content()).resolves.not.toContain('中村');

    // Sign-out, then sign-in again with the passkey on the phone (a discoverable credential: no name).
    await mari.page.locator(byTestId(PARENT_TEST_IDS.signOut)).click();
    await mari.page.locator(byTestId(PARENT_TEST_IDS.signedOut)).waitFor({ timeout: SCREEN_MS });
    await shots(mari.page, 'parent-signed-out');
    await mari.page.locator(byTestId(PARENT_TEST_IDS.passkeySignIn)).click();
    await mari.page
      .locator(`${byTestId(PARENT_TEST_IDS.child)}[data-child-id="c001"][data-status="present"]`)
      .waitFor({ timeout: SCREEN_MS });

    // The director revokes the first parent: their open page signs out; the other family stays in.
    const revoked = await genkanJson(['guardian', 'revoke-parent', 'g001', '--data', hubData]);
    expect(revoked).toEqual({ guardianId: 'g001', revoked: true });
    await mari.page.locator(byTestId(PARENT_TEST_IDS.signedOut)).waitFor({ timeout: REACH_MS });
    // Nor does the passkey sign in again.
    await mari.page.locator(byTestId(PARENT_TEST_IDS.passkeySignIn)).click();
    await mari.page.locator(byTestId(PARENT_TEST_IDS.error)).waitFor({ timeout: SCREEN_MS });
    expect(await mari.page.locator(byTestId(PARENT_TEST_IDS.child)).count()).toBe(0);
    const again = await satoshi.context.newPage();
    await again.goto(`${parentUrl}/parent/`);
    await again.locator(byTestId(PARENT_TEST_IDS.child)).first().waitFor({ timeout: SCREEN_MS });
    expect(await childCards(again)).toEqual([['c003', 'present']]);

    // No token, and no parent's name, in either service's log.
    const token = new URL(first.url).hash.replace('#invite=', '');
    for (const log of [cloud.stderr, hub.stderr]) {
      expect(log).not.toContain(token);
      expect(log).not.toContain('小林 真理');
    }
    await mari.context.close();
    await satoshi.context.close();
  });
});
