import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROSTER_HEADER } from '../edge-hub/facility/roster.ts';
import { ADMIN_TEST_IDS } from '../protocol/admin.ts';
import {
  addDirector,
  adminShots,
  logAdminFailure,
  closeAdminTest,
  startSignedInAdmin,
} from './support/admin.ts';
import { requireChromium } from './support/browser.ts';
import { runGenkan, tempDir, type GenkanProcess } from './support/process.ts';
import { provisionSite, type Site } from './support/site.ts';

const haveChromium = requireChromium();
const SCREEN_MS = 15_000;
const byTestId = (id: string): string => `[data-testid="${id}"]`;

/** The roster in force: five children in two classes, a guardian each. */
const BEFORE = [
  `${ROSTER_HEADER},care_type`,
  'k1,ひよこ組,c1,山田 一,やまだ いち,g1,山田 親,,standard',
  'k1,ひよこ組,c2,佐藤 二,さとう に,g2,佐藤 親,,standard',
  'k2,りす組,c3,鈴木 三,すずき さん,g3,鈴木 親,,standard',
  'k2,りす組,c4,田中 四,たなか よん,g4,田中 親,,standard',
  'k2,りす組,c5,高橋 五,たかはし ご,g5,高橋 親,,standard',
].join('\n');

/** c2 moves to りす組, c3 is renamed, c4 goes on short hours, c5 (and g5) leave, c6 joins with g6. */
const AFTER = [
  `${ROSTER_HEADER},care_type`,
  'k1,ひよこ組,c1,山田 一,やまだ いち,g1,山田 親,,standard',
  'k2,りす組,c2,佐藤 二,さとう に,g2,佐藤 親,,standard',
  'k2,りす組,c3,鈴木 参,すずき さん,g3,鈴木 親,,standard',
  'k2,りす組,c4,田中 四,たなか よん,g4,田中 親,,short',
  'k1,ひよこ組,c6,伊藤 六,いとう ろく,g6,伊藤 親,,standard',
].join('\n');

/** One mistake a line: an empty child name (line 3), a bad id, a child in two classes, a bad care type. */
const BAD = [
  `${ROSTER_HEADER},care_type`,
  'k1,ひよこ組,c1,山田 一,やまだ いち,g1,山田 親,,',
  'k1,ひよこ組,c2,,さとう に,g2,佐藤 親,,',
  'k1,ひよこ組,c 3,鈴木 三,すずき さん,g3,鈴木 親,,',
  'k2,りす組,c1,山田 一,やまだ いち,g1,山田 親,,',
  'k2,りす組,c5,高橋 五,たかはし ご,g5,高橋 親,,long',
].join('\n');

/**
 * Issue 16's messages in the director's app, in a real Chromium against a real hub: a roster's problems
 * and a refused setting worded in Japanese from the hub's codes and params, and an import preview that
 * names the children added, moving class, renamed, changing care type and leaving, and the guardians.
 */
describe.runIf(haveChromium)('admin app messages in Chromium', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let site: Site;
  let hub: GenkanProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    dir = await tempDir();
    site = await provisionSite(dir.path, { kiosks: 0, children: 0, roster: { csv: BEFORE, cards: [] } });
    await addDirector(join(site.dir, 'hub'));
    await writeFile(join(dir.path, 'bad.csv'), BAD);
    await writeFile(join(dir.path, 'after.csv'), AFTER);
    ({ hub, browser, page } = await startSignedInAdmin(site));
  });

  afterEach(async ({ task }) => {
    await logAdminFailure(task, hub, page);
  });

  afterAll(() => closeAdminTest(browser, hub, dir));

  it("words a roster's problems in Japanese, by line", async () => {
    await page.locator(byTestId('nav-roster')).click();
    await page.locator(byTestId(ADMIN_TEST_IDS.rosterFile)).setInputFiles(join(dir.path, 'bad.csv'));
    await page.locator(byTestId(ADMIN_TEST_IDS.rosterDryRun)).click();
    const row = (line: number) =>
      page.locator(`${byTestId(ADMIN_TEST_IDS.rosterProblems)} tr[data-line="${String(line)}"]`);
    await row(3).waitFor({ timeout: SCREEN_MS });
    await expect(row(3).textContent()).resolves.toContain('園児名（child_name）が空です。');
    await expect(row(3).locator('td[data-code]').getAttribute('data-code')).resolves.toBe('empty_field');
    await expect(row(4).textContent()).resolves.toContain('園児ID（child_id）「c 3」はIDに使えません');
    await expect(row(5).textContent()).resolves.toContain(
      '園児 c1 のクラス k2 が、2行目のクラス k1 と違います。',
    );
    await expect(row(6).textContent()).resolves.toContain('保育時間区分（care_type）「long」は使えません');
    // No English reason reaches the Japanese page.
    await expect(page.locator(byTestId(ADMIN_TEST_IDS.rosterProblems)).textContent()).resolves.not.toMatch(
      /is empty|not a valid id/,
    );
    await adminShots(page, 'roster-import-problems', byTestId(ADMIN_TEST_IDS.rosterProblems));
  });

  it('names who is added, moves, is renamed, changes care type or leaves, and the guardians', async () => {
    await page.locator(byTestId(ADMIN_TEST_IDS.rosterFile)).setInputFiles(join(dir.path, 'after.csv'));
    await page.locator(byTestId(ADMIN_TEST_IDS.rosterDryRun)).click();
    const preview = page.locator(byTestId(ADMIN_TEST_IDS.rosterPreview));
    await preview.waitFor({ timeout: SCREEN_MS });
    const item = (list: string, attr: string, id: string) =>
      preview.locator(`[data-preview="${list}"] li[${attr}="${id}"]`).textContent();
    await expect(item('added', 'data-child-id', 'c6')).resolves.toBe('伊藤 六（ひよこ組）');
    await expect(item('moved', 'data-child-id', 'c2')).resolves.toBe('佐藤 二：ひよこ組 → りす組');
    await expect(item('renamed', 'data-child-id', 'c3')).resolves.toBe('鈴木 三 → 鈴木 参');
    await expect(item('care-type', 'data-child-id', 'c4')).resolves.toBe('田中 四：標準時間 → 短時間');
    await expect(item('leaving', 'data-child-id', 'c5')).resolves.toBe('高橋 五');
    await expect(item('guardians-added', 'data-guardian-id', 'g6')).resolves.toBe('伊藤 親');
    await expect(item('guardians-removed', 'data-guardian-id', 'g5')).resolves.toBe('高橋 親');
    for (const list of ['added', 'moved', 'renamed', 'care-type', 'leaving']) {
      await expect(preview.locator(`[data-preview="${list}"]`).getAttribute('data-count')).resolves.toBe('1');
    }
    await adminShots(page, 'roster-import-preview', byTestId(ADMIN_TEST_IDS.rosterPreview));
  });

  it('refuses a bad setting in Japanese next to its field', async () => {
    await page.locator(byTestId('nav-settings')).click();
    const undo = page.locator('input[name="undoWindowMinutes"]');
    await undo.waitFor({ timeout: SCREEN_MS });
    await undo.fill('99');
    await page.locator(byTestId(ADMIN_TEST_IDS.settingsSave)).click();
    const error = page.locator(`[data-field="undoWindowMinutes"] ${byTestId(ADMIN_TEST_IDS.fieldError)}`);
    await error.waitFor({ timeout: SCREEN_MS });
    await expect(error.textContent()).resolves.toBe('60以下にしてください');
    await adminShots(page, 'settings-refused', 'label[data-field="undoWindowMinutes"]');
    await undo.fill('10');
    const closing = page.locator('input[name="closingTime"]');
    await closing.fill('25:00');
    await page.locator(byTestId(ADMIN_TEST_IDS.settingsSave)).click();
    const timeError = page.locator(`[data-field="closingTime"] ${byTestId(ADMIN_TEST_IDS.fieldError)}`);
    await timeError.waitFor({ timeout: SCREEN_MS });
    await expect(timeError.textContent()).resolves.toBe('時刻は HH:MM（00:00〜23:59）で入力してください');
  });

  it('prints the Japanese line too at `genkan roster import` when LANG is Japanese', async () => {
    const data = join(site.dir, 'hub');
    const ja = await runGenkan(['roster', 'import', join(dir.path, 'bad.csv'), '--data', data, '--dry-run'], {
      LANG: 'ja_JP.UTF-8',
    });
    expect(ja.code).toBe(1);
    expect(ja.stderr).toContain('line 3: child_name is empty');
    expect(ja.stderr).toContain('3行目: 園児名（child_name）が空です。');
    const en = await runGenkan(['roster', 'import', join(dir.path, 'bad.csv'), '--data', data, '--dry-run'], {
      LANG: 'C.UTF-8',
    });
    expect(en.stderr).toContain('line 3: child_name is empty');
    expect(en.stderr).not.toContain('行目');
  });
});
