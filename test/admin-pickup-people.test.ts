import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PICKUP_TEST_IDS as T } from '../protocol/parent-pickups.ts';
import { addDirector, closeAdminTest, logAdminFailure, startSignedInAdmin } from './support/admin.ts';
import { requireChromium } from './support/browser.ts';
import { tempDir, type GenkanProcess } from './support/process.ts';
import { provisionSite, type Site } from './support/site.ts';

const haveChromium = requireChromium();
const SCREEN_MS = 15_000;
const byTestId = (id: string): string => `[data-testid="${id}"]`;

/**
 * A child's pickup people in the admin app, in a real Chromium against a real hub process: the dialog
 * lists the guardian, a person added with a large PNG goes up scaled to a JPEG of at most 640 px and shows
 * its thumbnail, and removing takes them off the list.
 */
describe.runIf(haveChromium)('admin app: pickup people in Chromium', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let site: Site;
  let hub: GenkanProcess;
  let browser: Browser;
  let page: Page;
  let photoFile = '';

  beforeAll(async () => {
    dir = await tempDir();
    site = await provisionSite(dir.path, { kiosks: 0, children: 2 });
    await addDirector(join(site.dir, 'hub'));
    // A 1200×800 PNG: the browser scales it before it goes up.
    const png = new PNG({ width: 1200, height: 800 });
    png.data.fill(180);
    photoFile = join(dir.path, 'grandma.png');
    await writeFile(photoFile, PNG.sync.write(png));
    ({ hub, browser, page } = await startSignedInAdmin(site));
  });

  afterEach(async ({ task }) => {
    await logAdminFailure(task, hub, page);
  });

  afterAll(() => closeAdminTest(browser, hub, dir));

  it('adds a person with a scaled photo, shows the thumbnail, and removes them', async () => {
    await page.locator(byTestId('nav-roster')).click();
    await page.locator(`${byTestId(T.adminOpen)}[data-child-id="c001"]`).click();
    const dialog = page.locator(byTestId(T.adminDialog));
    await dialog.waitFor({ timeout: SCREEN_MS });
    expect(await dialog.getAttribute('data-child-id')).toBe('c001');
    const rows = dialog.locator(byTestId(T.adminRow));
    await rows.first().waitFor({ timeout: SCREEN_MS });
    expect(await rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-kind')).toBe('guardian');

    await dialog.locator(byTestId(T.adminName)).fill('山田 梅子');
    await dialog.locator(byTestId(T.adminRelation)).fill('祖母');
    await dialog.locator(byTestId(T.adminPhoto)).setInputFiles(photoFile);
    const added = page.waitForResponse(
      (r) => r.url().endsWith('/api/admin/children/c001/pickup-people') && r.request().method() === 'POST',
    );
    // The photo is scaled in the browser after the file is chosen: added once it is ready.
    await dialog.locator('form[data-photo="ready"]').waitFor({ timeout: SCREEN_MS });
    await dialog.locator(byTestId(T.adminAdd)).click();
    const answer = (await (await added).json()) as { id: string; hasPhoto: boolean };
    expect(answer.hasPhoto).toBe(true);

    const person = dialog.locator(`${byTestId(T.adminRow)}[data-person-id="${answer.id}"]`);
    await person.waitFor({ timeout: SCREEN_MS });
    expect(await person.textContent()).toContain('祖母');
    const img = person.locator('img');
    await expect
      .poll(() => img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth), {
        timeout: SCREEN_MS,
      })
      .toBe(640);
    const stored = await page.evaluate(async (id) => {
      const res = await fetch(`/api/admin/pickup-people/${id}/photo`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      return { type: res.headers.get('content-type'), size: bytes.length, head: [...bytes.slice(0, 3)] };
    }, answer.id);
    expect(stored.type).toBe('image/jpeg');
    expect(stored.head).toEqual([0xff, 0xd8, 0xff]);
    expect(stored.size).toBeLessThanOrEqual(300 * 1024);

    page.once('dialog', (d) => {
      void d.accept();
    });
    await person.locator(byTestId(T.adminRemove)).click();
    await person.waitFor({ state: 'detached', timeout: SCREEN_MS });
    expect(await rows.count()).toBe(1);
  });
});
