import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROSTER_HEADER } from '../edge-hub/facility/roster.ts';
import { PICKUP_TEST_IDS } from '../protocol/parent-pickups.ts';
import {
  backToIdle,
  launchChromium,
  requireChromium,
  resultScreen,
  screenshotBoth,
  setLocale,
} from './support/browser.ts';
import {
  eventsOf,
  SCREEN_MS,
  showKiosksIfFailed,
  startBrowserKiosk,
  tapLine,
  type BrowserKiosk,
} from './support/kiosk-page.ts';
import { misfits } from './support/fit.ts';
import { seedTodaysPickups, type TodaysPlan } from './support/hub-pickups.ts';
import { eventually, tempDir, type GenkanProcess } from './support/process.ts';
import { provisionSite, startHub, type Site } from './support/site.ts';

const haveChromium = requireChromium();

const TZ = 'Asia/Tokyo';
const PLAN = `[data-testid="${PICKUP_TEST_IDS.kioskPlan}"]`;
const CARD = { family: '0101000000000021', single: '0101000000000022', four: '0101000000000023' };
const ROSTER = [
  ROSTER_HEADER,
  `k1,ひよこ組,c001,山田 はると,やまだ はると,g001,山田 太郎,${CARD.family}`,
  `k2,りす組,c002,山田 さくら,やまだ さくら,g001,山田 太郎,`,
  `k1,ひよこ組,c003,中村 陸,なかむら りく,g002,中村 聡,${CARD.single}`,
  `k1,ひよこ組,c011,長谷川 ひまわり,はせがわ ひまわり,g003,長谷川 彩,${CARD.four}`,
  `k2,りす組,c012,長谷川 あおい,はせがわ あおい,g003,長谷川 彩,`,
  `k3,くま組,c013,長谷川 みなと,はせがわ みなと,g003,長谷川 彩,`,
  `k3,くま組,c014,長谷川 こはる,はせがわ こはる,g003,長谷川 彩,`,
].join('\n');
/** The elements that scroll (overflow auto or scroll with more content than room), by class. */
const SCROLLING_SCRIPT = `(() => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const s = getComputedStyle(el);
    const y = (s.overflowY === 'auto' || s.overflowY === 'scroll') && el.scrollHeight > el.clientHeight + 1;
    if (y) out.push(el.tagName.toLowerCase() + '.' + el.className);
  }
  return out;
})()`;

/** The sizes the kiosk screen must fit (docs/kiosk.md, "Screen sizes"). */
const SIZES = [
  { width: 1280, height: 800 },
  { width: 1024, height: 600 },
  { width: 1920, height: 1080 },
  { width: 800, height: 1280 },
];

/**
 * Today's pickup plans on the kiosk in Chromium (issue 17): the hub publishes the plans it holds on its
 * retained pickups topic at start; when the guardian taps, the result screen shows each child's plan
 * (someone not on the child's list: the facility will check). A child without a plan shows none.
 */
describe.runIf(haveChromium)('kiosk: today’s pickup plan after a tap', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let site: Site;
  let browser: Browser;
  let kiosk: BrowserKiosk | undefined;
  const procs: GenkanProcess[] = [];

  /** Two plans of g001's, as the hub's message fetcher stores them. */
  function seed(hubDir: string): void {
    seedTodaysPickups(hubDir, TZ, (pickups) => {
      const granny = pickups.addPerson({
        childId: 'c001',
        name: '山田 花子',
        relation: '祖母',
        photo: null,
      });
      const plans: TodaysPlan[] = [
        {
          id: randomUUID(),
          guardianId: 'g001',
          childIds: ['c001'],
          time: '17:30',
          person: { id: granny.id, kind: 'person', name: '山田 花子', relation: '祖母' },
        },
        {
          id: randomUUID(),
          guardianId: 'g001',
          childIds: ['c002'],
          time: '17:30',
          person: { id: null, kind: 'other', name: '鈴木 一郎', relation: '' },
        },
      ];
      // Four siblings, each fetched by someone with a long name: the cards must still fit every size.
      for (const childId of ['c011', 'c012', 'c013', 'c014']) {
        plans.push({
          id: randomUUID(),
          guardianId: 'g003',
          childIds: [childId],
          time: '18:15',
          person: { id: null, kind: 'other', name: '小笠原 左衛門三郎', relation: '大叔父' },
        });
      }
      return plans;
    });
  }

  beforeAll(async () => {
    dir = await tempDir();
    site = await provisionSite(dir.path, {
      kiosks: 1,
      children: 0,
      roster: { csv: `${ROSTER}\n`, cards: Object.values(CARD) },
    });
    seed(join(site.dir, 'hub'));
    const hub = startHub(site);
    procs.push(hub);
    const mqttPort = Number((await hub.ready())['mqtt']);
    browser = await launchChromium();
    // Logs at info: the test waits for the kiosk's "pickup plans received" (a count, no names).
    kiosk = await startBrowserKiosk(site, 0, mqttPort, {
      browser,
      extra: ['--debounce-ms', '0'],
      env: { GENKAN_LOG_LEVEL: 'info' },
    });
    procs.push(kiosk.proc);
  });

  afterEach(({ task }) => showKiosksIfFailed(task, kiosk === undefined ? [] : [kiosk]));

  afterAll(async () => {
    await browser.close().catch(() => undefined);
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await dir.remove();
  });

  it('shows each child’s plan of today on the tap result; someone else: the facility will check', async () => {
    if (kiosk === undefined) throw new Error('no kiosk');
    const { proc, page } = kiosk;
    // The retained plans reach the kiosk once it subscribes for its facility.
    await eventually(
      () => Promise.resolve(proc.stderr.includes('pickup plans received') || undefined),
      SCREEN_MS,
      'pickup plans at the kiosk',
    );
    const tap = await tapLine(proc, `card:${CARD.family}`);
    expect(eventsOf(tap).map((e) => [e.childId, e.type])).toEqual([
      ['c001', 'check_in'],
      ['c002', 'check_in'],
    ]);
    const screen = resultScreen(page, 'ok', 'c002');
    await screen.waitFor({ timeout: SCREEN_MS });
    const planOf = (childId: string) => screen.locator(`[data-child-id="${childId}"] ${PLAN}`);
    await expect(planOf('c001').getAttribute('data-someone-else')).resolves.toBe('false');
    await expect(planOf('c001').innerText()).resolves.toMatch(/本日のお迎え\s*17:30 祖母 山田 花子/);
    await expect(planOf('c002').getAttribute('data-someone-else')).resolves.toBe('true');
    await expect(planOf('c002').innerText()).resolves.toMatch(
      /本日のお迎え\s*17:30 その他の方 鈴木 一郎（園が確認します）/,
    );
    await screenshotBoth(page, 'kiosk-pickup');
    await setLocale(page, 'en');
    await expect(planOf('c002').innerText()).resolves.toContain('someone else: 鈴木 一郎 (staff will check)');
    await setLocale(page, 'ja');
    await backToIdle(page);

    // A child without a plan today: none shown.
    await tapLine(proc, `card:${CARD.single}`);
    const single = resultScreen(page, 'ok', 'c003');
    await single.waitFor({ timeout: SCREEN_MS });
    await expect(single.locator(PLAN).count()).resolves.toBe(0);
    await backToIdle(page);

    // Four siblings with a plan each: every control fits at every size, and nothing scrolls.
    await tapLine(proc, `card:${CARD.four}`);
    const four = resultScreen(page, 'ok', 'c014');
    await four.waitFor({ timeout: SCREEN_MS });
    await expect(four.locator(PLAN).count()).resolves.toBe(4);
    for (const size of SIZES) {
      await page.setViewportSize(size);
      const at = `${String(size.width)}×${String(size.height)}`;
      expect.soft(await misfits(page, { vertical: true }), at).toEqual([]);
      expect.soft(await page.evaluate(SCROLLING_SCRIPT), at).toEqual([]);
    }
    await page.setViewportSize(SIZES[0] ?? { width: 1280, height: 800 });
    await backToIdle(page);
  });
});
