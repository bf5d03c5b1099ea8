import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localDate } from '../common/time.ts';
import { ROSTER_HEADER } from '../edge-hub/facility/roster.ts';
import { fiscalYearOf } from '../edge-hub/staffing/ages.ts';
import { TABLET_TEST_IDS } from '../protocol/tablet.ts';
import { launchChromium, requireChromium } from './support/browser.ts';
import { tempDir, type GenkanProcess } from './support/process.ts';
import { addStaff, provisionSite, startHub, type Site } from './support/site.ts';
import {
  byTestId,
  openSignedInTablet,
  TABLET_VIEWPORT,
  tabletApi,
  tabletPairing,
  tabletShots,
  type TabletApi,
} from './support/tablet.ts';

const haveChromium = requireChromium();

const STAFF = { id: 's1', name: '保育 花子', pin: '1234' };
const SCREEN_MS = 15_000;

/**
 * Birth dates relative to the fiscal year of today (Tokyo): born on April 1 of year Y, a child is Y0 − Y
 * years old at the start of fiscal year Y0. k0: four 0歳 and one without a birth date; k4: one 4歳.
 */
function roster(): { csv: string; cards: string[] } {
  const fy = fiscalYearOf(localDate(new Date(), 'Asia/Tokyo'));
  const born = (age: number) => `${String(fy - age)}-04-01`;
  const rows = [`${ROSTER_HEADER},birth_date`];
  for (let i = 1; i <= 4; i++)
    rows.push(
      `k0,ひよこ組,c00${String(i)},赤ちゃん ${String(i)},あかちゃん,g00${String(i)},保護者,,${born(0)}`,
    );
  rows.push('k0,ひよこ組,c005,不明 さん,ふめい,g005,保護者,,');
  rows.push(`k4,きりん組,c006,年中 さん,ねんちゅう,g006,保護者,,${born(4)}`);
  return { csv: `${rows.join('\n')}\n`, cards: [] };
}

/**
 * Staffing by age on the tablet in a real Chromium against a real hub (issue 16, point 4): each class card
 * shows the required staff from the ages present and is flagged while fewer are on duty; the facility's
 * line shows its total and minimum; children without a birth date are counted apart.
 */
describe.runIf(haveChromium)('tablet: required staff by age, and the flag when short', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let site: Site;
  let hub: GenkanProcess;
  let browser: Browser;
  let api: TabletApi;
  let base = '';
  let page: Page;
  const contexts: BrowserContext[] = [];

  const card = (classId: string): Locator =>
    page.locator(`${byTestId('class-card')}[data-class-id="${classId}"]`);

  beforeAll(async () => {
    dir = await tempDir();
    site = await provisionSite(dir.path, { kiosks: 0, children: 0, roster: roster() });
    await addStaff(join(site.dir, 'hub'), STAFF);
    hub = startHub(site);
    base = `http://127.0.0.1:${String((await hub.ready())['http'])}`;
    api = await tabletApi(join(site.dir, 'hub'), base, 'tab-api', STAFF);
    for (let i = 1; i <= 6; i++) await api.act({ op: 'check_in', childId: `c00${String(i)}` });
    await api.staffOnDuty('k0', 1);
    await api.staffOnDuty('k4', 1);
    browser = await launchChromium();
    const { url } = await tabletPairing(join(site.dir, 'hub'), base, 'tab-1');
    page = await openSignedInTablet(browser, url, TABLET_VIEWPORT, STAFF);
    contexts.push(page.context());
  });

  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail') return;
    console.log('hub log (tail):', hub.stderr.slice(-3000));
    console.log('screen:', (await page.content().catch(String)).slice(0, 4000));
  });

  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    await browser.close().catch(() => undefined);
    await hub.stop('SIGKILL');
    await dir.remove();
  });

  it('shows the staff four 0歳 need (2) against the one on duty, flagged, and the child of unknown age', async () => {
    const k0 = card('k0');
    await k0
      .and(page.locator('[data-required-staff="2"][data-staff-on-duty="1"]'))
      .waitFor({ timeout: SCREEN_MS });
    await expect(k0.getAttribute('data-understaffed')).resolves.toBe('true');
    await expect(k0.locator(byTestId('over-ratio')).textContent()).resolves.toBe(
      '保育者不足：配置1人／必要2人',
    );
    await expect(k0.locator(byTestId('required-staff')).textContent()).resolves.toBe('必要 2人0歳 4');
    const unknown = k0.locator(byTestId(TABLET_TEST_IDS.ageUnknown));
    await expect(unknown.getAttribute('data-count')).resolves.toBe('1');
    await expect(unknown.textContent()).resolves.toContain('年齢不明 1人');
    // k4: one 4歳 needs one, and has one.
    await expect(card('k4').getAttribute('data-required-staff')).resolves.toBe('1');
    await expect(card('k4').getAttribute('data-understaffed')).resolves.toBe('false');
    // The facility: 4/3 + 1/25 → 2, its minimum 2; 1 + 1 on duty.
    const facility = page.locator(byTestId(TABLET_TEST_IDS.facilityStaffing));
    await expect(facility.getAttribute('data-required-staff')).resolves.toBe('2');
    await expect(facility.getAttribute('data-staff-on-duty')).resolves.toBe('2');
    await expect(facility.getAttribute('data-understaffed')).resolves.toBe('false');
    await expect(facility.textContent()).resolves.toContain('施設 必要2人（最低2人）・配置2人');
    await tabletShots(page, 'tablet-staffing');
  });

  it('clears the flag once a second staff member is entered, and keeps the dated record', async () => {
    const k0 = card('k0');
    await k0.getByRole('button', { name: '保育者を1人増やす' }).click();
    await k0
      .and(page.locator('[data-staff-on-duty="2"][data-understaffed="false"]'))
      .waitFor({ timeout: SCREEN_MS });
    await expect(k0.locator(byTestId('over-ratio')).count()).resolves.toBe(0);
    const rc = await api.rollcall();
    expect(rc.classes.find((c) => c.id === 'k0')?.staffing).toMatchObject({
      required: 2,
      understaffed: false,
    });
    expect(rc.staffing).toMatchObject({ required: 2, staffOnDuty: 3, understaffed: false });
  });
});
