import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './browser.ts';
import { tempDir, type GenkanProcess } from './process.ts';
import { addStaff, provisionSite, startHub, type Site } from './site.ts';
import { openSignedInTablet, TABLET_VIEWPORT, tabletApi, tabletPairing, type TabletApi } from './tablet.ts';

/** A hub with a roster and one staff member, its tablet API signed in, and a signed-in tablet in Chromium. */
export interface RosterTablet {
  site: Site;
  hub: GenkanProcess;
  api: TabletApi;
  browser: Browser;
  page: Page;
  /** After a failed test: the hub's log tail and the start of the screen. */
  logFailure(task: { result?: { state?: string } }): Promise<void>;
  close(): Promise<void>;
}

export interface RosterTabletOptions {
  /** The roster CSV, header included (no cards). */
  roster: string;
  staff: { id: string; name: string; pin: string };
  /** Writes to the hub's data directory before the hub starts (its store is free then). */
  seed(hubDir: string): void;
  /** Children the API checks in once the hub runs, before the tablet opens. */
  checkIns: readonly string[];
}

/** Provisions a site without kiosks from `roster`, seeds its hub, starts it and opens the tablet. */
export async function startRosterTablet(options: RosterTabletOptions): Promise<RosterTablet> {
  const dir = await tempDir();
  let hub: GenkanProcess | undefined;
  let browser: Browser | undefined;
  try {
    const site = await provisionSite(dir.path, {
      kiosks: 0,
      children: 0,
      roster: { csv: `${options.roster}\n`, cards: [] },
    });
    const hubDir = join(site.dir, 'hub');
    await addStaff(hubDir, options.staff);
    options.seed(hubDir);
    const started = startHub(site);
    hub = started;
    const base = `http://127.0.0.1:${String((await started.ready())['http'])}`;
    const api = await tabletApi(hubDir, base, 'tab-api', options.staff);
    for (const childId of options.checkIns) await api.act({ op: 'check_in', childId });
    const chromium = await launchChromium();
    browser = chromium;
    const { url } = await tabletPairing(hubDir, base, 'tab-1');
    const page = await openSignedInTablet(chromium, url, TABLET_VIEWPORT, options.staff);
    return {
      site,
      hub: started,
      api,
      browser: chromium,
      page,
      async logFailure(task) {
        if (task.result?.state !== 'fail') return;
        console.log('hub log (tail):', started.stderr.slice(-3000));
        console.log('screen:', (await page.content().catch(String)).slice(0, 6000));
      },
      async close() {
        await page
          .context()
          .close()
          .catch(() => undefined);
        await chromium.close().catch(() => undefined);
        await started.stop('SIGKILL');
        await dir.remove();
      },
    };
  } catch (err) {
    // A set-up that failed half-way leaves no process or directory behind.
    await browser?.close().catch(() => undefined);
    await hub?.stop('SIGKILL');
    await dir.remove();
    throw err;
  }
}
