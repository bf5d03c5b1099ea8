import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PARENT_TEST_IDS } from '../protocol/parents.ts';
import { requireChromium } from './support/browser.ts';
import {
  childCards,
  openPhone,
  parentShots,
  REACH_MS,
  registerWithInvitation,
  SCREEN_MS,
} from './support/parent-phone.ts';
import { startParentSite, twoFamilies, type ParentSite } from './support/parent-site.ts';
import { genkanJson } from './support/process.ts';

const haveChromium = requireChromium();
const byTestId = (id: string): string => `[data-testid="${id}"]`;

/**
 * Issue 17, slice 1, across real processes: the director invites a guardian with the CLI, the hub relays
 * the invitation to the cloud, the parent registers a passkey in Chromium (virtual authenticator) and sees
 * only their own children, a kiosk tap shows there within 10 s, a second family sees only theirs, sign-out
 * and sign-in with the passkey work, and revoking the parent signs the open page out within 10 s.
 */
describe.runIf(haveChromium)('parent app: passkeys and own children in Chromium', () => {
  let ps: ParentSite;

  beforeAll(async () => {
    ps = await startParentSite({ prefix: 'genkan-parent-', kiosks: 1, roster: twoFamilies() });
  });

  afterEach((ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    ps.printLogs();
  });

  afterAll(async () => {
    await ps.close();
  });

  it('invites, registers a passkey, shows only own children live, signs in again, and signs out a revoked parent', async () => {
    // The first family: the link from the CLI, opened on the parent's phone.
    const first = await ps.invite('g001');
    expect(first.guardianId).toBe('g001');
    expect(first.url.startsWith(`${ps.parentUrl}/parent/#invite=`)).toBe(true);
    const mari = await openPhone(ps.browser);
    await mari.page.goto(first.url);
    await mari.page.locator(byTestId(PARENT_TEST_IDS.passkeyRegister)).waitFor({ timeout: SCREEN_MS });
    await parentShots(mari.page, 'parent-invite');
    await mari.page.locator(byTestId(PARENT_TEST_IDS.passkeyRegister)).click();
    await mari.page.locator(byTestId(PARENT_TEST_IDS.child)).first().waitFor({ timeout: SCREEN_MS });
    // The token left the address bar once used.
    expect(mari.page.url()).not.toContain('invite=');
    expect(await childCards(mari.page)).toEqual([
      ['c001', 'not_arrived'],
      ['c002', 'not_arrived'],
    ]);

    // A kiosk tap reaches the open page by itself.
    await ps.tap('check_in', 'c001', 'g001');
    await mari.page
      .locator(`${byTestId(PARENT_TEST_IDS.child)}[data-child-id="c001"][data-status="present"]`)
      .waitFor({ timeout: REACH_MS });
    await parentShots(mari.page, 'parent-home');

    // The second family, on a phone of its own, sees only its child; the first sees only its own.
    const satoshi = await openPhone(ps.browser);
    await registerWithInvitation(satoshi.page, (await ps.invite('g002')).url);
    expect(await childCards(satoshi.page)).toEqual([['c003', 'not_arrived']]);
    await ps.tap('check_in', 'c003', 'g002');
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
    await parentShots(mari.page, 'parent-signed-out');
    await mari.page.locator(byTestId(PARENT_TEST_IDS.passkeySignIn)).click();
    await mari.page
      .locator(`${byTestId(PARENT_TEST_IDS.child)}[data-child-id="c001"][data-status="present"]`)
      .waitFor({ timeout: SCREEN_MS });

    // The director revokes the first parent: their open page signs out; the other family stays in.
    const revoked = await genkanJson(['guardian', 'revoke-parent', 'g001', '--data', ps.hubData]);
    expect(revoked).toEqual({ guardianId: 'g001', revoked: true });
    await mari.page.locator(byTestId(PARENT_TEST_IDS.signedOut)).waitFor({ timeout: REACH_MS });
    // Nor does the passkey sign in again.
    await mari.page.locator(byTestId(PARENT_TEST_IDS.passkeySignIn)).click();
    await mari.page.locator(byTestId(PARENT_TEST_IDS.error)).waitFor({ timeout: SCREEN_MS });
    expect(await mari.page.locator(byTestId(PARENT_TEST_IDS.child)).count()).toBe(0);
    const again = await satoshi.context.newPage();
    await again.goto(`${ps.parentUrl}/parent/`);
    await again.locator(byTestId(PARENT_TEST_IDS.child)).first().waitFor({ timeout: SCREEN_MS });
    expect(await childCards(again)).toEqual([['c003', 'present']]);

    // No token, and no parent's name, in either service's log.
    const token = new URL(first.url).hash.replace('#invite=', '');
    for (const log of [ps.cloud.stderr, ps.hub.stderr]) {
      expect(log).not.toContain(token);
      expect(log).not.toContain('小林 真理');
    }
    await mari.context.close();
    await satoshi.context.close();
  });
});
