import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROSTER_HEADER } from '../edge-hub/facility/roster.ts';
import { TABLET_TEST_IDS } from '../protocol/tablet.ts';
import { launchChromium, requireChromium } from './support/browser.ts';
import { misfits, type Misfit } from './support/fit.ts';
import { genkanJson, tempDir, type GenkanProcess } from './support/process.ts';
import { addStaff, provisionSite, startHub, type Site } from './support/site.ts';
import {
  byTestId,
  childRow,
  openPairedTablet,
  PHONE_VIEWPORT as PHONE,
  rollcallChild,
  rollcallRoot,
  setTabletLocale,
  signInAs,
  tabletApi,
  tabletPairing,
  tabletShot,
  tabletShots,
  TABLET_VIEWPORT as TABLET,
  type TabletApi,
} from './support/tablet.ts';

const haveChromium = requireChromium();

const SCREEN_MS = 15_000;
const HUB_MS = 30_000;
/** The issue's two sizes, and the 10" tablet's other screens (1280×800 landscape, 800×1280 portrait). */
const SIZES = [
  ['1180×820', TABLET],
  ['390×844', PHONE],
  ['1280×800', { width: 1280, height: 800 }],
  ['800×1280', { width: 800, height: 1280 }],
] as const;

const STAFF = { id: 's1', name: '保育 花子', pin: '1234' };
const FACILITY_NAME = '社会福祉法人ひまわり会 ひまわり第二保育園';

/** Twenty long-ish names for one class: the roll-call of a real class, not of 山田 太郎 and 佐藤 一郎. */
const NAMES = [
  ['長谷川 ひまわり', 'はせがわ ひまわり'],
  ['小笠原 さくらこ', 'おがさわら さくらこ'],
  ['五十嵐 みなみ', 'いがらし みなみ'],
  ['勅使河原 ことは', 'てしがわら ことは'],
  ['佐々木 ゆうたろう', 'ささき ゆうたろう'],
  ['宇佐美 あおい', 'うさみ あおい'],
  ['東海林 りんたろう', 'しょうじ りんたろう'],
  ['久保田 はるか', 'くぼた はるか'],
  ['大和田 そうすけ', 'おおわだ そうすけ'],
  ['西園寺 かのん', 'さいおんじ かのん'],
  ['小野寺 ゆいな', 'おのでら ゆいな'],
  ['長谷部 こうたろう', 'はせべ こうたろう'],
  ['御手洗 まひろ', 'みたらい まひろ'],
  ['竹之内 いちか', 'たけのうち いちか'],
  ['阿部川 しんのすけ', 'あべかわ しんのすけ'],
  ['中嶋 みつき', 'なかじま みつき'],
  ['鈴木 さくら', 'すずき さくら'],
  ['田中 太郎', 'たなか たろう'],
  ['山本 ひなた', 'やまもと ひなた'],
  ['石川 ゆずき', 'いしかわ ゆずき'],
  ['高橋 ゆい', 'たかはし ゆい'],
  ['渡辺 そら', 'わたなべ そら'],
  ['伊藤 けんたろう', 'いとう けんたろう'],
  ['加藤 めい', 'かとう めい'],
  ['松本 りく', 'まつもと りく'],
  ['井上 あかり', 'いのうえ あかり'],
  ['木村 はると', 'きむら はると'],
] as const;

/** k1 has twenty children (c001–c020), k2 four, k3 three; one guardian per child, no cards. */
function roster(): string {
  const rows: string[] = [ROSTER_HEADER];
  NAMES.forEach(([name, kana], i) => {
    const n = String(i + 1).padStart(3, '0');
    const cls = i < 20 ? 'k1,ひよこ組（0・1歳）' : i < 24 ? 'k2,りす組（2歳）' : 'k3,きりん組（年長）';
    const family = name.split(' ')[0] ?? '';
    rows.push(`${cls},c${n},${name},${kana},g${n},${family} 保護者,`);
  });
  return `${rows.join('\n')}\n`;
}

/** One row of the report: a state at a size, and what did not fit there. */
interface Checked {
  state: string;
  size: string;
  found: Misfit[];
}

/**
 * Issue 14, point 7 on the tablet: every screen state the staff meet, at 1180×820 (a 10" tablet) and at
 * 390×844 (a phone), and at 1280×800 and 800×1280, in a real Chromium against a real hub. No control is
 * outside the viewport, clipped by its container or covered, none is smaller than a 44 px touch target,
 * and the page never scrolls sideways (support/fit.ts). The roll-call scrolls vertically on purpose
 * (controls below the fold are fine); dialogs and the sign-in form must fit entirely. Each state is
 * reached once and checked at every size; the matrix is printed at the end.
 */
describe.runIf(haveChromium)('tablet: every state fits at every screen size', () => {
  let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
  let site: Site;
  let hub: GenkanProcess;
  let browser: Browser | undefined;
  let base = '';
  let api: TabletApi;
  let page: Page;
  let hubStopped = false;
  const checked: Checked[] = [];
  const hubDir = () => join(site.dir, 'hub');

  /**
   * The state's misfits at every size (back at 1180×820 after). A dialog must fit entirely: one that would
   * scroll inside itself counts as a misfit too (misfits() takes a scrolling box's hidden controls as
   * reachable).
   */
  const fits = async (state: string, vertical: boolean): Promise<void> => {
    for (const [size, viewport] of SIZES) {
      await page.setViewportSize(viewport);
      const found = [
        ...(await misfits(page, { vertical })),
        ...(await dialogScrolls()),
        ...(await smallTargets()),
      ];
      checked.push({ state, size, found });
      expect.soft(found, `${state} at ${size}`).toEqual([]);
    }
    await page.setViewportSize(TABLET);
  };

  /** An open modal dialog whose content is taller than the dialog (it scrolls inside itself). */
  const dialogScrolls = async (): Promise<Misfit[]> => {
    const heights = await page.evaluate<[number, number] | null>(
      `(() => { const d = document.querySelector('dialog:modal'); return d === null ? null : [d.scrollHeight, d.clientHeight]; })()`,
    );
    if (heights === null || heights[0] <= heights[1] + 1) return [];
    return [{ control: 'dialog', problem: `scrolls inside itself (${heights[0]} > ${heights[1]})` }];
  };

  /** Visible buttons and fields smaller than a 44 px touch target (the ones a modal dialog leaves usable). */
  const smallTargets = async (): Promise<Misfit[]> =>
    page.evaluate<Misfit[]>(`(() => {
      const root = document.querySelector('dialog:modal') || document;
      return [...root.querySelectorAll('button, input, textarea, select, summary')]
        .map((el) => [el, el.getBoundingClientRect()])
        .filter(([, r]) => r.width > 0 && r.height > 0 && (r.width < 44 || r.height < 44))
        .map(([el, r]) => ({
          control: el.tagName.toLowerCase() + ' "' + (el.textContent || '').trim().slice(0, 30) + '"',
          problem: 'smaller than 44 px (' + Math.round(r.width) + '×' + Math.round(r.height) + ')',
        }));
    })()`);

  const selectClass = async (classId: string): Promise<void> => {
    const filter = `${byTestId(TABLET_TEST_IDS.classFilter)}[data-class-id="${classId}"]`;
    await page.locator(filter).click();
    await page.locator(`${filter}[aria-pressed="true"]`).waitFor({ timeout: SCREEN_MS });
  };

  const toView = async (view: 'full' | 'compact'): Promise<void> => {
    if ((await rollcallRoot(page).getAttribute('data-view')) !== view) {
      await page.locator(byTestId(TABLET_TEST_IDS.viewCompact)).click();
    }
    await rollcallRoot(page, `[data-view="${view}"]`).waitFor({ timeout: SCREEN_MS });
  };

  const dialog = (action?: string) =>
    page.locator(`${byTestId('action-dialog')}${action === undefined ? '' : `[data-action="${action}"]`}`);

  /** Opens a row's action dialog in the full view. */
  const openAction = async (childId: string, action: string): Promise<void> => {
    await childRow(page, childId)
      .locator(byTestId(`action-${action}`))
      .click();
    await dialog(action).waitFor({ timeout: SCREEN_MS });
  };

  const cancel = async (): Promise<void> => {
    await dialog().locator(byTestId('action-cancel')).click();
    await dialog().waitFor({ state: 'detached', timeout: SCREEN_MS });
  };

  /** One touch on a tile opens the child's sheet (compact view). */
  const openSheet = async (childId: string) => {
    await childRow(page, childId).locator(byTestId('tile-open')).click();
    const sheet = page.locator(`${byTestId('child-sheet')}[data-child-id="${childId}"]`);
    await sheet.waitFor({ timeout: SCREEN_MS });
    return sheet;
  };

  beforeAll(async () => {
    dir = await tempDir('genkan-tablet-sizes-');
    site = await provisionSite(dir.path, { kiosks: 0, children: 0, roster: { csv: roster(), cards: [] } });
    await addStaff(hubDir(), STAFF);
    // Every child not yet here is to be found now (cut-off at midnight), whatever the time of the run, and
    // class k1 is short of staff: the screens at their fullest.
    await genkanJson([
      'settings',
      'set',
      `facilityName=${FACILITY_NAME}`,
      'classes.k1.cutoff=00:00',
      'classes.k1.maxChildrenPerStaff=3',
      '--data',
      hubDir(),
    ]);
    hub = startHub(site);
    base = `http://127.0.0.1:${String((await hub.ready())['http'])}`;
    api = await tabletApi(hubDir(), base, 'tab-api', STAFF);
    browser = await launchChromium();

    // The day so far in k1: eight present, three gone home, three absent (each reason), one check-in
    // voided; the rest not arrived. k2: one present, one absent. k3: nobody yet.
    const date = (await api.rollcall()).date;
    for (let i = 1; i <= 11; i++) {
      const note = i % 3 === 0 ? { note: 'カードを忘れたため職員が入力しました' } : {};
      await api.act({ op: 'check_in', childId: `c${String(i).padStart(3, '0')}`, ...note });
    }
    for (const id of ['c009', 'c010', 'c011']) await api.act({ op: 'check_out', childId: id });
    const reasons = ['sick', 'family', 'other'] as const;
    for (const [k, reason] of reasons.entries()) {
      await api.act({
        op: 'absent',
        childId: `c01${String(k + 2)}`,
        date,
        reason,
        note: '発熱のため、今週は様子を見てお休みします',
      });
    }
    await api.act({ op: 'check_in', childId: 'c015' });
    const c015 = rollcallChild(await api.rollcall(), 'c015').checkInEventId;
    if (c015 == null) throw new Error('no check-in of c015');
    await api.act({ op: 'void', eventId: c015, reason: '別の園児と間違えたため取り消します' });
    await api.act({ op: 'check_in', childId: 'c021' });
    await api.act({ op: 'absent', childId: 'c022', date, reason: 'family' });
    await api.staffOnDuty('k1', 1);
  });

  afterEach(({ task }) => {
    if (task.result?.state !== 'fail') return;
    console.log('hub log (tail):', hub.stderr.slice(-3000));
  });

  afterAll(async () => {
    const pid = hub.child.pid;
    if (hubStopped && pid !== undefined) process.kill(pid, 'SIGCONT');
    // The matrix, for the record: each state at each size, and how many controls did not fit.
    const lines = checked.map(
      (c) =>
        `${c.state.padEnd(44)} ${c.size.padEnd(9)} ${c.found.length === 0 ? 'ok' : c.found.map((f) => `${f.control}: ${f.problem}`).join('; ')}`,
    );
    console.log(`tablet size matrix:\n${lines.join('\n')}`);
    await browser?.close().catch(() => undefined);
    await hub.stop('SIGKILL');
    await dir?.remove();
  });

  it('set-up screen and sign-in form (with an error) fit entirely', async () => {
    if (!browser) throw new Error('no browser');
    page = await openPairedTablet(browser, (await tabletPairing(hubDir(), base, 'tab-1')).url, TABLET);
    await fits('set-up', true);
    await signInAs(page, STAFF.id, '9999');
    await page.locator(byTestId(TABLET_TEST_IDS.signInError)).waitFor({ timeout: SCREEN_MS });
    await fits('sign-in, wrong PIN', true);
    await signInAs(page, STAFF.id, STAFF.pin);
    await rollcallRoot(page, '[data-stale="false"]').waitFor({ timeout: SCREEN_MS });
  });

  it('full view: all classes, one class, and its dialogs', async () => {
    await toView('full');
    await childRow(page, 'c001').and(page.locator('[data-status="present"]')).waitFor({ timeout: HUB_MS });
    await fits('full, all classes', false);
    await selectClass('k1');
    await fits('full, class k1', false);

    await openAction('c016', 'check_in');
    await fits('full, check-in dialog', true);
    await cancel();
    await openAction('c016', 'absent');
    await dialog().locator(byTestId('reason-other')).click();
    await fits('full, absent dialog', true);
    await cancel();
    await openAction('c001', 'void_check_in');
    await fits('full, correction dialog (void check-in)', true);
    await cancel();
    await openAction('c012', 'void_absent');
    await fits('full, correction dialog (void absence)', true);
    await cancel();
  });

  it('compact view: all classes, the class of twenty, a child and its action', async () => {
    await toView('compact');
    await selectClass('all');
    await fits('compact, all classes', false);
    await selectClass('k1');
    await expect(page.locator(byTestId(TABLET_TEST_IDS.childRow)).count()).resolves.toBe(20);
    await fits('compact, class k1 (20)', false);
    await tabletShots(page, 'tablet-compact');
    await page.setViewportSize(PHONE);
    await tabletShots(page, 'tablet-compact-phone');
    await page.setViewportSize(TABLET);

    const sheet = await openSheet('c001');
    await fits('compact, child sheet', true);
    await sheet.locator(byTestId('action-check_out')).click();
    await dialog('check_out').waitFor({ timeout: SCREEN_MS });
    await fits('compact, check-out dialog', true);
    await cancel();

    // The phone's action dialog, in both languages (the language button is behind the modal dialog).
    await page.setViewportSize(PHONE);
    for (const locale of ['en', 'ja'] as const) {
      await setTabletLocale(page, locale);
      await (await openSheet('c016')).locator(byTestId('action-check_in')).click();
      await dialog('check_in').waitFor({ timeout: SCREEN_MS });
      await tabletShot(page, `tablet-action-phone-${locale}`);
      await cancel();
    }
    await page.setViewportSize(TABLET);
  });

  it('stale: unmistakable, with the time of the last update, at every size', async () => {
    const pid = hub.child.pid;
    if (pid === undefined) throw new Error('no hub pid');
    process.kill(pid, 'SIGSTOP');
    hubStopped = true;
    await rollcallRoot(page, '[data-stale="true"]').waitFor({ timeout: 10_000 });
    const banner = page.locator(byTestId(TABLET_TEST_IDS.staleBanner));
    await expect(banner.textContent()).resolves.toMatch(/最終更新 \d{2}:\d{2}:\d{2}/);
    await fits('compact, class k1, stale', false);
    for (const [size, viewport] of SIZES) {
      await page.setViewportSize(viewport);
      const box = await banner.boundingBox();
      // Across the whole width, and on screen without scrolling.
      expect(box?.width, `stale banner width at ${size}`).toBeGreaterThanOrEqual(viewport.width - 1);
      expect((box?.y ?? -1) >= 0 && (box?.y ?? 0) + (box?.height ?? 0) <= viewport.height, size).toBe(true);
      // Scrolled down the list, it stays on screen right under the header, covering none of its buttons.
      await page.evaluate('window.scrollTo(0, 600)');
      const header = await page.locator('header.top').boundingBox();
      const scrolled = await banner.boundingBox();
      expect(scrolled?.y, `stale banner under the header, scrolled, at ${size}`).toBeCloseTo(
        (header?.y ?? 0) + (header?.height ?? 0),
        0,
      );
      await page.evaluate('window.scrollTo(0, 0)');
    }
    await page.setViewportSize(TABLET);
    await tabletShots(page, 'tablet-stale');
    await toView('full');
    await fits('full, class k1, stale', false);

    process.kill(pid, 'SIGCONT');
    hubStopped = false;
    await rollcallRoot(page, '[data-stale="false"]').waitFor({ timeout: HUB_MS });
  });
});
