import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatRfc3339, localDate } from '../common/time.ts';
import { PARENT_DEVICE_ID } from '../edge-hub/access/devices.ts';
import { ROSTER_HEADER } from '../edge-hub/facility/roster.ts';
import { parentAbsenceEvent } from '../edge-hub/parents/notice-events.ts';
import { HubStore } from '../edge-hub/store/hub-store.ts';
import { NOTICE_TEST_IDS, type ParentNotice } from '../protocol/parent-notices.ts';
import { TABLET_TEST_IDS } from '../protocol/tablet.ts';
import { requireChromium } from './support/browser.ts';
import { misfits } from './support/fit.ts';
import { startRosterTablet, type RosterTablet } from './support/roster-tablet.ts';
import type { Site } from './support/site.ts';
import {
  byTestId,
  childRow,
  PHONE_VIEWPORT,
  rollcallChild,
  rollcallRoot,
  setTabletLocale,
  TABLET_VIEWPORT,
  tabletShots,
  type TabletApi,
} from './support/tablet.ts';

const haveChromium = requireChromium();

const TZ = 'Asia/Tokyo';
const STAFF = { id: 's1', name: '保育 花子', pin: '1234' };
const SCREEN_MS = 15_000;

/** Three classes; c004 and c005 are siblings (guardian g004). */
const ROSTER = [
  ROSTER_HEADER,
  'k1,さくら組,c001,青木 ひなた,あおき ひなた,g001,青木 美咲,',
  'k1,さくら組,c002,井上 蓮,いのうえ れん,g002,井上 直樹,',
  'k2,ひまわり組,c003,上田 結菜,うえだ ゆいな,g003,上田 彩,',
  'k2,ひまわり組,c004,遠藤 陽太,えんどう ようた,g004,遠藤 由美,',
  'k3,すみれ組,c005,遠藤 葵,えんどう あおい,g004,遠藤 由美,',
  'k3,すみれ組,c006,大野 湊,おおの みなと,g006,大野 健,',
  'k3,すみれ組,c007,加藤 芽依,かとう めい,g007,加藤 恵,',
].join('\n');

const DAY_MS = 86_400_000;
const addDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
/** 6月14日(土), as the tablet writes a day other than yesterday, today and tomorrow. */
const jaDay = (date: string): string => {
  const d = new Date(`${date}T12:00:00Z`);
  return `${String(d.getUTCMonth() + 1)}月${String(d.getUTCDate())}日(${'日月火水木金土'.charAt(d.getUTCDay())})`;
};

/**
 * Parents' notices on the staff tablet in a real Chromium against a real hub (issue 17): the notices the
 * hub fetched (stored here through the hub's own store, with the absent events its fetcher records) show
 * in a panel at the top and as badges on the children's rows; a staff member confirms one (確認) and every
 * screen shows it confirmed, by whom.
 */
describe.runIf(haveChromium)('tablet: parents’ notices, and 確認', () => {
  let tablet: RosterTablet | undefined;
  let site: Site;
  let api: TabletApi;
  let page: Page;
  const today = localDate(new Date(), TZ);
  const N = { sick: randomUUID(), late: randomUUID(), family: randomUUID(), done: randomUUID() };

  const notice = (id: string): Locator =>
    page.locator(`${byTestId(NOTICE_TEST_IDS.tabletNotice)}[data-notice-id="${id}"]`);
  const panel = (): Locator => page.locator(byTestId(NOTICE_TEST_IDS.tabletPanel));

  /** The notices as the hub's fetcher stores them: each notice, and one absent event per child and day. */
  function seed(hubDir: string): void {
    const now = new Date();
    const at = (d: Date) => formatRfc3339(d, TZ);
    const yesterdayEvening = new Date(Date.parse(`${addDays(today, -1)}T20:15:00+09:00`));
    const base = { status: 'sent', readAt: null } as const;
    const notices: ParentNotice[] = [
      {
        ...base,
        id: N.sick,
        guardianId: 'g001',
        kind: 'absence',
        childIds: ['c001'],
        date: today,
        until: today,
        reason: 'sick',
        symptoms: ['fever', 'cough'],
        temperature: 38.2,
        note: '昨夜から熱があります。病院に行ってからまた連絡します。',
        sentAt: at(new Date(now.getTime() - 60_000)),
      },
      {
        ...base,
        id: N.late,
        guardianId: 'g003',
        kind: 'late',
        childIds: ['c003'],
        date: today,
        until: today,
        reason: 'family',
        arriveAt: '10:30',
        note: '通院のため',
        sentAt: at(new Date(now.getTime() - 30_000)),
      },
      {
        ...base,
        id: N.family,
        guardianId: 'g004',
        kind: 'absence',
        childIds: ['c004', 'c005'],
        date: addDays(today, 1),
        until: addDays(today, 3),
        reason: 'family',
        note: '祖父母の家に帰省します',
        sentAt: at(yesterdayEvening),
      },
      {
        ...base,
        id: N.done,
        guardianId: 'g006',
        kind: 'absence',
        childIds: ['c006'],
        date: today,
        until: today,
        reason: 'other',
        sentAt: at(yesterdayEvening),
      },
    ];
    const store = HubStore.open(hubDir);
    try {
      store.transaction(() => {
        const events = notices.flatMap((n) => {
          if (n.kind !== 'absence') return [];
          const days: string[] = [];
          for (let d = n.date; d <= n.until; d = addDays(d, 1)) days.push(d);
          return n.childIds.flatMap((childId) =>
            days.map((date) =>
              parentAbsenceEvent(n, childId, date, {
                now,
                timeZone: TZ,
                seq: store.events.nextDeviceSeq(PARENT_DEVICE_ID),
              }),
            ),
          );
        });
        store.events.insertInTransaction(events, now.toISOString());
        for (const n of notices) store.parentNotices.insert(n);
      });
      // One confirmed before this test's staff member came: it shows confirmed, by whom.
      store.parentNotices.markRead(N.done, STAFF.id);
    } finally {
      store.close();
    }
  }

  beforeAll(async () => {
    tablet = await startRosterTablet({ roster: ROSTER, staff: STAFF, seed, checkIns: ['c002', 'c007'] });
    ({ site, api, page } = tablet);
  });

  afterEach(async ({ task }) => {
    await tablet?.logFailure(task);
  });

  afterAll(async () => {
    await tablet?.close();
  });

  it('lists the notices at the top, unconfirmed first, with what the parents wrote', async () => {
    await panel().and(page.locator('[data-count="4"][data-unread="3"]')).waitFor({ timeout: SCREEN_MS });
    const cards = await page.locator(byTestId(NOTICE_TEST_IDS.tabletNotice)).all();
    const ids = await Promise.all(cards.map((c) => c.getAttribute('data-notice-id')));
    expect(ids.slice(0, 3).sort()).toEqual([N.sick, N.late, N.family].sort());
    expect(ids[3]).toBe(N.done);

    const sick = notice(N.sick);
    await expect(sick.getAttribute('data-status')).resolves.toBe('sent');
    const sickText = await sick.textContent();
    for (const part of [
      '欠席連絡',
      '今日',
      '青木 ひなた',
      'さくら組',
      '体調不良',
      '発熱、咳',
      '38.2℃',
      '昨夜から熱があります。',
      '青木 美咲さんより',
    ]) {
      expect(sickText).toContain(part);
    }
    await expect(sick.locator(byTestId(NOTICE_TEST_IDS.tabletConfirm)).textContent()).resolves.toBe('確認');

    const late = await notice(N.late).textContent();
    for (const part of ['遅刻連絡', '10:30 登園予定', '家庭の都合', '通院のため', '上田 彩さんより']) {
      expect(late).toContain(part);
    }
    const family = await notice(N.family).textContent();
    expect(family).toContain(`明日〜${jaDay(addDays(today, 3))}`);
    expect(family).toContain('遠藤 陽太');
    expect(family).toContain('遠藤 葵');
    expect(family).toContain('遠藤 由美さんより 昨日 20:15');

    const done = notice(N.done);
    await expect(done.getAttribute('data-status')).resolves.toBe('read');
    await expect(done.locator(byTestId(NOTICE_TEST_IDS.tabletConfirm)).count()).resolves.toBe(0);
    await expect(done.locator(byTestId('notice-confirmed')).textContent()).resolves.toContain(
      '確認済（保育 花子',
    );
  });

  it('marks the children’s rows: a parent’s absence reads as absent, from the parent; lateness with its time', async () => {
    const sickRow = childRow(page, 'c001');
    await expect(sickRow.getAttribute('data-status')).resolves.toBe('absent');
    const badge = sickRow.locator(byTestId('notice-badge'));
    await expect(badge.getAttribute('data-notice-status')).resolves.toBe('sent');
    await expect(badge.textContent()).resolves.toContain('欠席連絡（体調不良）');
    await expect(badge.textContent()).resolves.toContain('未確認');
    const fact = sickRow.locator(byTestId('absence-fact'));
    await expect(fact.getAttribute('data-from-parent')).resolves.toBe('true');
    await expect(fact.textContent()).resolves.toBe('体調不良保護者から');

    const lateRow = childRow(page, 'c003');
    await expect(lateRow.getAttribute('data-status')).resolves.toBe('not_arrived');
    await expect(lateRow.locator(byTestId('notice-badge')).textContent()).resolves.toContain(
      '遅刻連絡 10:30',
    );

    const doneBadge = childRow(page, 'c006').locator(byTestId('notice-badge'));
    await expect(doneBadge.getAttribute('data-notice-status')).resolves.toBe('read');
    await expect(doneBadge.textContent()).resolves.not.toContain('未確認');
    // Tomorrow's absence is no badge today.
    await expect(childRow(page, 'c004').locator(byTestId('notice-badge')).count()).resolves.toBe(0);

    const rc = await api.rollcall();
    expect(rc.counts.absent).toBe(2);
    expect(rollcallChild(rc, 'c001')).toMatchObject({ status: 'absent', absence: { reason: 'sick' } });

    await setTabletLocale(page, 'en');
    await expect(badge.textContent()).resolves.toContain('Absence notice (Sick)');
    await expect(notice(N.late).textContent()).resolves.toContain('arriving 10:30');
    await expect(fact.textContent()).resolves.toBe('SickFrom the parent');
    await setTabletLocale(page, 'ja');

    // The compact view's tile carries the notice in short.
    const toggle = page.locator(byTestId(TABLET_TEST_IDS.viewCompact));
    await toggle.click();
    await rollcallRoot(page, '[data-view="compact"]').waitFor({ timeout: SCREEN_MS });
    const tileBadge = childRow(page, 'c003').locator(byTestId('notice-badge'));
    await expect(tileBadge.textContent()).resolves.toBe('✉10:30');
    await expect(tileBadge.getAttribute('title')).resolves.toBe('遅刻連絡 10:30・未確認');
    await toggle.click();
    await rollcallRoot(page, '[data-view="full"]').waitFor({ timeout: SCREEN_MS });

    // Every control fits on a phone too (the 確認 buttons go full width under their notices).
    await page.setViewportSize(PHONE_VIEWPORT);
    expect(await misfits(page, { vertical: false })).toEqual([]);

    // Taller than the tablet's screen, so that the shot has the panel and the rows under it.
    await page.setViewportSize({ width: TABLET_VIEWPORT.width, height: 1500 });
    await page.evaluate('window.scrollTo(0, 0)');
    await tabletShots(page, 'tablet-parent-notices');
    await page.setViewportSize(TABLET_VIEWPORT);
  });

  it('confirms a notice with 確認: 確認済 with the staff member’s name, on the panel, the row and the hub', async () => {
    const sick = notice(N.sick);
    await sick.locator(byTestId(NOTICE_TEST_IDS.tabletConfirm)).click();
    await sick.and(page.locator('[data-status="read"]')).waitFor({ timeout: SCREEN_MS });
    await expect(sick.locator(byTestId('notice-confirmed')).textContent()).resolves.toContain(
      '確認済（保育 花子',
    );
    await expect(sick.locator(byTestId(NOTICE_TEST_IDS.tabletConfirm)).count()).resolves.toBe(0);
    await childRow(page, 'c001')
      .locator(`${byTestId('notice-badge')}[data-notice-status="read"]`)
      .waitFor({ timeout: SCREEN_MS });
    await panel().and(page.locator('[data-unread="2"]')).waitFor({ timeout: SCREEN_MS });
    // It stays where it was (first), so that the next notice does not slide under the finger.
    await expect(
      page.locator(byTestId(NOTICE_TEST_IDS.tabletNotice)).first().getAttribute('data-notice-id'),
    ).resolves.toBe(N.sick);

    const rc = await api.rollcall();
    const stored = rc.parentNotices.find((n) => n.notice.id === N.sick);
    expect(stored).toMatchObject({ readBy: STAFF.name, notice: { status: 'read' } });
    expect(stored?.notice.readAt).not.toBeNull();
    expect(rollcallChild(rc, 'c001').parentNotice?.status).toBe('read');
  });

  it('says so when the hub no longer has the notice (404), and keeps the button for another try', async () => {
    // Gone from the hub behind the tablet's back (as retention would remove it): the tablet still shows it.
    const store = HubStore.open(join(site.dir, 'hub'));
    try {
      store.db.prepare('DELETE FROM parent_notices WHERE id = ?').run(N.late);
    } finally {
      store.close();
    }
    const late = notice(N.late);
    await late.locator(byTestId(NOTICE_TEST_IDS.tabletConfirm)).click();
    const error = late.locator(byTestId('notice-error'));
    await error.waitFor({ timeout: SCREEN_MS });
    await expect(error.textContent()).resolves.toContain('見つかりません');
    await expect(late.getAttribute('data-status')).resolves.toBe('sent');
    await expect(late.locator(byTestId(NOTICE_TEST_IDS.tabletConfirm)).isEnabled()).resolves.toBe(true);
  });
});
