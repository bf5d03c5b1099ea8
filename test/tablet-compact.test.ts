import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROSTER_HEADER } from '../edge-hub/facility/roster.ts';
import { TABLET_TEST_IDS } from '../protocol/tablet.ts';
import { launchChromium, requireChromium } from './support/browser.ts';
import { misfits } from './support/fit.ts';
import { tapLine } from './support/kiosk-page.ts';
import { tempDir, type GenkanProcess, type JsonLine } from './support/process.ts';
import { addStaff, provisionSite, startHub, startKiosk, type Site } from './support/site.ts';
import {
  byTestId,
  childRow as row,
  openSignedInTablet,
  PHONE_VIEWPORT as PHONE,
  rollcallRoot,
  TABLET_VIEWPORT as TABLET,
  tabletPairing,
} from './support/tablet.ts';

const haveChromium = requireChromium();

const FACILITY_NAME = 'ひまわり保育園';
const FAMILIES = [
  ['山田', 'やまだ'],
  ['佐藤', 'さとう'],
  ['鈴木', 'すずき'],
  ['高橋', 'たかはし'],
  ['田中', 'たなか'],
  ['伊藤', 'いとう'],
  ['渡辺', 'わたなべ'],
  ['中村', 'なかむら'],
  ['小林', 'こばやし'],
  ['加藤', 'かとう'],
] as const;
const GIVEN = [
  ['太郎', 'たろう'],
  ['さくら', 'さくら'],
] as const;

/** Class k1 has twenty children (c001–c020), class k2 two more; one guardian and card per child. */
function roster(): { csv: string; cards: string[] } {
  const rows = [ROSTER_HEADER];
  const cards: string[] = [];
  for (let i = 1; i <= 22; i++) {
    const n = String(i).padStart(3, '0');
    const [family, familyKana] = FAMILIES[(i - 1) % FAMILIES.length] ?? ['', ''];
    const [given, givenKana] = GIVEN[Math.floor((i - 1) / FAMILIES.length) % GIVEN.length] ?? ['', ''];
    const card = `0101${String(i).padStart(12, '0')}`;
    cards.push(card);
    const cls = i <= 20 ? 'k1,ひよこ組' : 'k2,りす組';
    rows.push(
      `${cls},c${n},${family} ${given},${familyKana} ${givenKana},g${n},${family} 保護者${n},${card}`,
    );
  }
  return { csv: `${rows.join('\n')}\n`, cards };
}

const STAFF = { id: 's1', name: '保育 花子', pin: '1234' };
const SCREEN_MS = 15_000;
const HUB_MS = 30_000;

const rows = (page: Page) => page.locator(byTestId(TABLET_TEST_IDS.childRow));
interface RowBox {
  id: string | null;
  top: number;
  bottom: number;
  left: number;
  right: number;
  height: number;
  /** The tile's content is wider than the tile (it would wrap or be cut). */
  overflows: boolean;
}

/** Browser code as text: the test project's TypeScript has no DOM types (the apps' configs do). */
const ROW_BOXES = `[...document.querySelectorAll('[data-testid="${TABLET_TEST_IDS.childRow}"]')].map((el) => {
  const r = el.getBoundingClientRect();
  const b = el.querySelector('button');
  return {
    id: el.getAttribute('data-child-id'),
    top: r.top,
    bottom: r.bottom,
    left: r.left,
    right: r.right,
    height: r.height,
    overflows: b === null || b.scrollWidth > b.clientWidth + 1,
  };
})`;

/** Every child row's box in the viewport (at the current scroll). */
async function rowBoxes(page: Page): Promise<RowBox[]> {
  return page.evaluate<RowBox[]>(ROW_BOXES);
}

/**
 * The compact class view, the counts, the staff-entry labels and the stale state, in a real Chromium
 * against a real hub (issue 14, points 5, 6 and 8 on the tablet).
 */
describe.runIf(haveChromium)('tablet: the class at a glance, and a silent hub', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let site: Site;
  let hub: GenkanProcess;
  let kiosk: GenkanProcess;
  let browser: Browser;
  let httpPort = 0;
  let page: Page;
  let hubStopped = false;
  const contexts: BrowserContext[] = [];

  const openTablet = async (deviceId: string, viewport: { width: number; height: number }): Promise<Page> => {
    const { url } = await tabletPairing(join(site.dir, 'hub'), `http://127.0.0.1:${httpPort}`, deviceId);
    const p = await openSignedInTablet(browser, url, viewport, STAFF);
    contexts.push(p.context());
    return p;
  };

  const toCompact = async (p: Page): Promise<void> => {
    await p.locator(byTestId(TABLET_TEST_IDS.viewCompact)).click();
    await rollcallRoot(p, '[data-view="compact"]').waitFor({ timeout: SCREEN_MS });
  };

  const selectClass = async (p: Page, classId: string): Promise<void> => {
    const filter = p.locator(`${byTestId(TABLET_TEST_IDS.classFilter)}[data-class-id="${classId}"]`);
    await filter.click();
    await p
      .locator(`${byTestId(TABLET_TEST_IDS.classFilter)}[data-class-id="${classId}"][aria-pressed="true"]`)
      .waitFor({ timeout: SCREEN_MS });
  };

  const count = async (p: Page, key: string): Promise<number> =>
    Number(await p.locator(`${byTestId('counts')} [data-count="${key}"] dd`).textContent());

  /** A staff action from the compact view: the tile, then the child's sheet, then the dialog. */
  const act = async (p: Page, childId: string, action: string): Promise<void> => {
    await row(p, childId).locator(byTestId('tile-open')).click();
    const sheet = p.locator(`${byTestId('child-sheet')}[data-child-id="${childId}"]`);
    await sheet.waitFor({ timeout: SCREEN_MS });
    await sheet.locator(byTestId(`action-${action}`)).click();
    const dialog = p.locator(byTestId('action-dialog'));
    await dialog.waitFor({ timeout: SCREEN_MS });
    await dialog.locator(byTestId('action-confirm')).click();
    await dialog.waitFor({ state: 'detached', timeout: SCREEN_MS });
  };

  const tap = (card: string): Promise<JsonLine> => tapLine(kiosk, `card:${card}`, HUB_MS);

  beforeAll(async () => {
    dir = await tempDir();
    site = await provisionSite(dir.path, { kiosks: 1, children: 0, roster: roster() });
    await addStaff(join(site.dir, 'hub'), STAFF);
    hub = startHub(site, { facilityName: FACILITY_NAME });
    const ready = await hub.ready();
    httpPort = Number(ready['http']);
    kiosk = startKiosk(site, 0, Number(ready['mqtt']), { ui: 'none' });
    await kiosk.ready();
    browser = await launchChromium();
  });

  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail') return;
    console.log('hub log (tail):', hub.stderr.slice(-3000));
    console.log('screen:', (await page.content().catch(String)).slice(0, 4000));
  });

  afterAll(async () => {
    const pid = hub.child.pid;
    if (hubStopped && pid !== undefined) process.kill(pid, 'SIGCONT');
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    await browser.close().catch(() => undefined);
    await Promise.all([kiosk.stop('SIGKILL'), hub.stop('SIGKILL')]);
    await dir.remove();
  });

  it("shows the facility's name in the header, not its id", async () => {
    page = await openTablet('tab-1', TABLET);
    await expect(page.locator(byTestId('facility-name')).textContent()).resolves.toBe(FACILITY_NAME);
  });

  it('fits a class of twenty on one 1180×820 screen in the compact view, and remembers the view', async () => {
    const tapped = await tap(site.cards[0] ?? '');
    expect(tapped['result']).toBe('ok');
    await toCompact(page);
    await selectClass(page, 'k1');
    await expect(rows(page).count()).resolves.toBe(20);
    await row(page, 'c001').and(page.locator('[data-status="present"]')).waitFor({ timeout: HUB_MS });

    const boxes = await rowBoxes(page);
    expect(Number(await page.evaluate('window.scrollY'))).toBe(0);
    expect(boxes).toHaveLength(20);
    const outside = boxes.filter(
      (b) => b.top < 0 || b.left < 0 || b.bottom > TABLET.height || b.right > TABLET.width,
    );
    expect(outside).toEqual([]);
    console.log(`compact view at 1180×820: last row ends at ${Math.max(...boxes.map((b) => b.bottom))} px`);
    expect(await misfits(page, { vertical: false })).toEqual([]);

    // The view is the tablet's: it survives a reload.
    await page.reload();
    await rollcallRoot(page, '[data-view="compact"][data-stale="false"]').waitFor({ timeout: SCREEN_MS });
    await expect(
      page.locator(byTestId(TABLET_TEST_IDS.viewCompact)).getAttribute('aria-pressed'),
    ).resolves.toBe('true');
  });

  it('keeps 在籍 as enrolment and counts present, absent and not arrived apart', async () => {
    await selectClass(page, 'k1');
    await act(page, 'c002', 'absent');
    await row(page, 'c002').and(page.locator('[data-status="absent"]')).waitFor({ timeout: HUB_MS });
    await expect.poll(() => count(page, 'absent'), { timeout: SCREEN_MS }).toBe(1);
    expect(await count(page, 'enrolled')).toBe(20);
    expect(await count(page, 'present')).toBe(1);
    expect(await count(page, 'notArrived')).toBe(18);
    expect(await count(page, 'left')).toBe(0);
    await expect(page.locator(byTestId('counts')).textContent()).resolves.toContain('在籍');
    await selectClass(page, 'all');
    expect(await count(page, 'enrolled')).toBe(22);
  });

  it('labels a staff entry as a staff entry, never as who brought the child', async () => {
    await selectClass(page, 'k1');
    await act(page, 'c003', 'check_in');
    await row(page, 'c003').and(page.locator('[data-status="present"]')).waitFor({ timeout: HUB_MS });
    await row(page, 'c003').locator(byTestId('tile-open')).click();
    const sheet = page.locator(`${byTestId('child-sheet')}[data-child-id="c003"]`);
    const by = sheet.locator(byTestId('brought-by'));
    await by.waitFor({ timeout: SCREEN_MS });
    await expect(by.getAttribute('data-staff-entry')).resolves.toBe('true');
    await expect(by.textContent()).resolves.toBe('職員入力：保育 花子');
    await expect(sheet.textContent()).resolves.not.toContain('送り');
    await sheet.locator(byTestId('sheet-close')).click();
    await sheet.waitFor({ state: 'detached', timeout: SCREEN_MS });

    // A guardian's tap still names the guardian as the one who brought the child.
    await row(page, 'c001').locator(byTestId('tile-open')).click();
    const tapped = page.locator(`${byTestId('child-sheet')}[data-child-id="c001"]`);
    await expect(tapped.locator(byTestId('brought-by')).textContent()).resolves.toBe('送り：山田 保護者001');
    await tapped.locator(byTestId('sheet-close')).click();
    await tapped.waitFor({ state: 'detached', timeout: SCREEN_MS });

    // And so does the full view.
    await page.locator(byTestId(TABLET_TEST_IDS.viewCompact)).click();
    await rollcallRoot(page, '[data-view="full"]').waitFor({ timeout: SCREEN_MS });
    await expect(row(page, 'c003').locator(byTestId('brought-by')).textContent()).resolves.toBe(
      '職員入力：保育 花子',
    );
    await toCompact(page);
  });

  it('shows one line per child on a phone', async () => {
    const phone = await openTablet('tab-2', PHONE);
    await toCompact(phone);
    await selectClass(phone, 'k1');
    await expect(rows(phone).count()).resolves.toBe(20);
    const sizes = await rowBoxes(phone);
    expect(sizes).toHaveLength(20);
    // One line: the height of a touch target (44–56 px), the full width of the phone, nothing cut off.
    expect(sizes.filter((s) => s.height > 56 || s.right > PHONE.width || s.overflows)).toEqual([]);
    expect(await misfits(phone, { vertical: false })).toEqual([]);
  });

  it('shows stale within 5 s of a hub that stops answering, and recovers when it resumes', async () => {
    const pid = hub.child.pid;
    if (pid === undefined) throw new Error('no hub pid');
    await rollcallRoot(page, '[data-stale="false"]').waitFor({ timeout: SCREEN_MS });
    const stoppedAt = Date.now();
    process.kill(pid, 'SIGSTOP');
    hubStopped = true;
    await rollcallRoot(page, '[data-stale="true"]').waitFor({ timeout: 10_000 });
    const staleAfter = Date.now() - stoppedAt;
    console.log(`tablet stale ${staleAfter} ms after SIGSTOP of the hub`);
    expect(staleAfter).toBeLessThan(5000);
    const banner = page.locator(byTestId(TABLET_TEST_IDS.staleBanner));
    await expect(banner.textContent()).resolves.toMatch(/最終更新 \d{2}:\d{2}:\d{2}/);
    const box = await banner.boundingBox();
    expect(box?.width).toBeGreaterThanOrEqual(TABLET.width - 1);

    const resumedAt = Date.now();
    process.kill(pid, 'SIGCONT');
    hubStopped = false;
    await rollcallRoot(page, '[data-stale="false"]').waitFor({ timeout: HUB_MS });
    console.log(`tablet current again ${Date.now() - resumedAt} ms after SIGCONT`);
    await expect(banner.count()).resolves.toBe(0);
  });
});
