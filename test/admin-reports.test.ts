import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localDate } from '../common/time.ts';
import { ROSTER_HEADER } from '../edge-hub/facility/roster.ts';
import { STAFFING_AGES, type FacilitySettings } from '../protocol/settings.ts';
import { DailyStaffingReportSchema, type StaffingRow } from '../protocol/staffing.ts';
import {
  addDirector,
  adminShots,
  logAdminFailure,
  openAdminBrowser,
  closeAdminTest,
  kioskEvent,
  signInAdmin,
} from './support/admin.ts';
import { requireChromium } from './support/browser.ts';
import { publishAsKiosk } from './support/kiosk-publish.ts';
import { tempDir, type GenkanProcess } from './support/process.ts';
import { provisionSite, startHub, type Site } from './support/site.ts';

const haveChromium = requireChromium();
const SCREEN_MS = 15_000;
const TZ = 'Asia/Tokyo';
const byTestId = (id: string): string => `[data-testid="${id}"]`;

/** Born in May `yearsBack + 1` years ago: always in the past, ages 0 to 4+ across the rows. */
const born = (yearsBack: number): string => `${String(new Date().getFullYear() - 1 - yearsBack)}-05-01`;

/** Two classes with birth dates (one child without), a card each. */
const CHILDREN = [
  ['k1', 'ひよこ組', 'c001', born(0)],
  ['k1', 'ひよこ組', 'c002', born(1)],
  ['k1', 'ひよこ組', 'c003', ''],
  ['k2', 'きりん組', 'c004', born(3)],
  ['k2', 'きりん組', 'c005', born(4)],
] as const;
const card = (i: number): string => `0303${String(i).padStart(12, '0')}`;
const ROSTER = {
  csv: [
    `${ROSTER_HEADER},birth_date`,
    ...CHILDREN.map(
      ([k, cls, c, birth], i) =>
        `${k},${cls},${c},園児 ${c},えんじ,g${c.slice(1)},保護者 ${c},${card(i)},${birth}`,
    ),
  ].join('\n'),
  cards: CHILDREN.map((_, i) => card(i)),
};

/**
 * The director's report settings and reports in a real Chromium against a real hub: the ledger, the
 * extended-care report and the staffing sections of the settings page each save and keep a change (the
 * API agrees), the staffing report of a day shows what its JSON says for the children tapped in, and the
 * extended-care report and the monthly ledger download as XLSX under their Japanese file names.
 */
describe.runIf(haveChromium)('admin app: report settings and reports in Chromium', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let site: Site;
  let hub: GenkanProcess;
  let browser: Browser;
  let page: Page;
  let base = '';
  // The staffing report is of yesterday: a whole day whatever the time of the run (just after midnight
  // today has no half hour of the grid yet). A hub's first roster holds for all of its past.
  const yesterday = localDate(new Date(Date.now() - 24 * 3_600_000), TZ);
  const at = (hhmm: string) => `${yesterday}T${hhmm}:00+09:00`;

  const api = async (path: string): Promise<unknown> => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${site.adminToken}` } });
    expect(res.status).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    dir = await tempDir();
    site = await provisionSite(dir.path, { kiosks: 1, children: 0, roster: ROSTER });
    await addDirector(`${site.dir}/hub`);
    hub = startHub(site, { facilityName: 'ひまわり保育園' });
    const ready = await hub.ready();
    base = `http://127.0.0.1:${String(ready['http'])}`;
    // In yesterday at 10:00: c001, c002, c003 (no birth date) and c004, never checked out (counted until
    // closing); c005 came then and left a minute later.
    const tap = kioskEvent;
    const ack = await publishAsKiosk(site, Number(ready['mqtt']), 'kiosk-1', [
      ...['c001', 'c002', 'c003', 'c004', 'c005'].map((c, i) => tap(i + 1, 'check_in', c, at('10:00'))),
      tap(6, 'check_out', 'c005', at('10:01')),
    ]);
    expect(ack.rejected).toEqual([]);
    ({ browser, page } = await openAdminBrowser({ acceptDownloads: true, timezoneId: TZ }));
    await page.goto(`${base}/admin/`);
    await signInAdmin(page);
    await page.locator(byTestId('nav-settings')).waitFor({ timeout: SCREEN_MS });
  });

  afterEach(async ({ task }) => {
    await logAdminFailure(task, hub, page);
  });

  afterAll(() => closeAdminTest(browser, hub, dir));

  const saveSection = async (save: string, saved: string) => {
    await page.locator(byTestId(save)).click();
    await page.locator(byTestId(saved)).waitFor({ timeout: SCREEN_MS });
  };
  const staffingInput = (path: string) =>
    page.locator(`${byTestId('staffing-section')} input[name="${path}"]`);
  const firstBandLabel = () => page.locator(`${byTestId('extended-report-band')} input`).first();
  const firstTime = () => page.locator(`${byTestId('extended-report-time')} input`).first();

  it('saves a change in each report section, and keeps it over a reload', async () => {
    await page.locator(byTestId('nav-settings')).click();
    await page.locator(byTestId('ledger-settings-section')).waitFor({ timeout: SCREEN_MS });
    await page.locator(byTestId('extended-report-section')).waitFor({ timeout: SCREEN_MS });
    await page.locator(byTestId('staffing-section')).waitFor({ timeout: SCREEN_MS });

    await page.locator(byTestId('ledger-settings-era')).uncheck();
    await page.locator(byTestId('ledger-settings-dates')).fill('12-29\n2026-08-14');
    await saveSection('ledger-settings-save', 'ledger-settings-saved');

    await firstBandLabel().fill('30分利用');
    await firstTime().fill('18:30');
    await saveSection('extended-report-save', 'extended-report-saved');

    await staffingInput('staffing.childrenPerStaff.age0').fill('2');
    await staffingInput('staffing.minimumStaff').fill('3');
    await saveSection('staffing-save', 'staffing-saved');

    await page.reload();
    await page.locator(byTestId('staffing-section')).waitFor({ timeout: SCREEN_MS });
    await page.locator(byTestId('extended-report-section')).waitFor({ timeout: SCREEN_MS });
    await page.locator(byTestId('ledger-settings-section')).waitFor({ timeout: SCREEN_MS });
    await expect(page.locator(byTestId('ledger-settings-era')).isChecked()).resolves.toBe(false);
    await expect(page.locator(byTestId('ledger-settings-dates')).inputValue()).resolves.toBe(
      '12-29\n2026-08-14',
    );
    await expect(firstBandLabel().inputValue()).resolves.toBe('30分利用');
    await expect(firstTime().inputValue()).resolves.toBe('18:30');
    await expect(staffingInput('staffing.childrenPerStaff.age0').inputValue()).resolves.toBe('2');
    await expect(staffingInput('staffing.minimumStaff').inputValue()).resolves.toBe('3');

    const settings = (await api('/api/settings')) as FacilitySettings;
    expect(settings.ledger).toMatchObject({ japaneseEra: false, closedDates: ['12-29', '2026-08-14'] });
    expect(settings.extendedReport.bands[0]?.label).toBe('30分利用');
    expect(settings.extendedReport.presentAt[0]).toBe('18:30');
    expect(settings.staffing.childrenPerStaff.age0).toBe(2);
    expect(settings.staffing.minimumStaff).toBe(3);

    await adminShots(page, 'settings-staffing', byTestId('staffing-section'));
    await adminShots(page, 'settings-extended', byTestId('extended-report-section'));
    await adminShots(page, 'settings-ledger', byTestId('ledger-settings-section'));
  });

  it("shows a day's staffing report as its JSON counts it", async () => {
    await page.locator(byTestId('nav-staffing')).click();
    await page.locator(byTestId('staffing-date')).fill(yesterday);
    const facility = page.locator(`${byTestId('staffing-report')} section[data-class-id="facility"]`);
    await facility.locator('tr[data-time]').first().waitFor({ timeout: SCREEN_MS });
    const report = DailyStaffingReportSchema.parse(
      await api(`/api/staffing/daily?date=${yesterday}&format=json`),
    );
    expect(report.standard.minimumStaff).toBe(3);
    // The standard line says the settings' ratios, as saved above.
    await expect(page.locator(byTestId('staffing-report')).textContent()).resolves.toContain('0歳 2:1');
    const groups = [...STAFFING_AGES, 'unknown'] as const;
    /** The cells the page shows for a row: the children by age, present, required. */
    const cells = (r: StaffingRow) => [
      ...groups.map((g) => String(r.present[g])),
      String(r.presentTotal),
      String(r.required),
    ];
    const sections = [
      ...report.classes.map((c) => ({ id: c.classId, rows: c.rows })),
      { id: 'facility', rows: report.facility.rows },
    ];
    for (const { id, rows } of sections) {
      const shown = page.locator(
        `${byTestId('staffing-report')} section[data-class-id="${id}"] tr[data-time]`,
      );
      await expect(shown.count(), id).resolves.toBe(rows.length);
      for (const [i, r] of rows.entries()) {
        const tr = shown.nth(i);
        await expect(tr.getAttribute('data-time')).resolves.toBe(r.time);
        const tds = await tr.locator('td').allTextContents();
        expect(tds.slice(1, 1 + cells(r).length), `${id} ${r.time}`).toEqual(cells(r));
      }
    }
    // The taps are in it: from 10:00, and at closing four present (c005 left), one without a birth date.
    expect(report.facility.rows[0]?.time).toBe('10:00');
    expect(report.facility.rows.at(-1)?.presentTotal).toBe(4);
    expect(report.ageUnknown.map((c) => c.childId)).toEqual(['c003']);
    await adminShots(page, 'staffing-report', byTestId('staffing-report'));
  });

  it('downloads the extended-care report and the monthly ledger as XLSX under their Japanese names', async () => {
    await page.locator(byTestId('nav-ledger')).click();
    const download = async (testId: string) => {
      const link = page.locator(byTestId(testId));
      await link.waitFor({ timeout: SCREEN_MS });
      const [file] = await Promise.all([page.waitForEvent('download', { timeout: SCREEN_MS }), link.click()]);
      const bytes = await readFile(await file.path());
      // An XLSX is a zip.
      expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
      return file.suggestedFilename();
    };
    const month = localDate(new Date(), TZ).slice(0, 7);
    await expect(download('ledger-extended-xlsx')).resolves.toBe(`延長保育_ひまわり保育園_${month}.xlsx`);
    await expect(download('ledger-monthly-xlsx')).resolves.toBe(`出席簿_ひまわり保育園_${month}.xlsx`);
    await expect(page.locator(byTestId('ledger-extended-csv-days')).getAttribute('href')).resolves.toBe(
      `/api/ledger/extended?month=${month}&format=csv&table=days`,
    );
  });
});
