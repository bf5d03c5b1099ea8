import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UI_TEST_IDS } from '../kiosk/common/ui-api.ts';
import type { AttendanceEvent } from '../protocol/index.ts';
import { byTestId, launchChromium, requireChromium, resultScreen } from './support/browser.ts';
import { HUB_MS, SCREEN_MS, startBrowserKiosk } from './support/kiosk-page.ts';
import { eventually, tempDir, type GenkanProcess } from './support/process.ts';
import { hubEvents, provisionSite, startHub, testDates, type Site } from './support/site.ts';

const haveChromium = requireChromium();

const TAPS = 5;
/** From this tap on the hub is down: the event exists only in the kiosk's outbox when it is killed. */
const HUB_DOWN_FROM = 3;

/**
 * "Done" on the screen means committed: a kiosk SIGKILLed the moment its screen shows a recorded tap
 * still delivers that event, exactly once, after it restarts on the same data folder, also when the hub
 * was down and the event lived only in the kiosk's outbox.
 */
describe.runIf(haveChromium)('kiosk killed right after the screen said done', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let site: Site;
  let browser: Browser;
  const procs: GenkanProcess[] = [];
  const startedAt = new Date();

  beforeAll(async () => {
    dir = await tempDir();
    site = await provisionSite(dir.path, { kiosks: 1, children: TAPS });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser.close().catch(() => undefined);
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await dir.remove();
  });

  it(`${TAPS} taps, each followed at once by SIGKILL of the kiosk: every event at the hub exactly once`, async () => {
    let hub = startHub(site);
    procs.push(hub);
    const hubReady = await hub.ready();
    const mqttPort = Number(hubReady['mqtt']);
    const httpPort = Number(hubReady['http']);

    /** A kiosk process with its screen open, idle and ready for a tap. */
    const startScreenKiosk = async (): Promise<{ kiosk: GenkanProcess; page: Page; outbox: number }> => {
      const { proc: kiosk, page, ready } = await startBrowserKiosk(site, 0, mqttPort, { browser });
      procs.push(kiosk);
      return { kiosk, page, outbox: Number(ready['outbox']) };
    };

    let current = await startScreenKiosk();
    const kiosks = [current.kiosk];
    for (let i = 0; i < TAPS; i++) {
      if (i === HUB_DOWN_FROM) await hub.stop('SIGKILL');
      const childId = `c${String(i + 1).padStart(3, '0')}`;
      current.kiosk.write(`card:${site.cards[i] ?? ''}\n`);
      await resultScreen(current.page, 'ok', childId).waitFor({ timeout: SCREEN_MS });
      // The screen said done: the power goes now.
      await current.kiosk.stop('SIGKILL');
      await current.page.close();
      console.log(
        `tap ${i + 1}: kiosk killed after the screen said done${i >= HUB_DOWN_FROM ? ' (hub down)' : ''}`,
      );
      current = await startScreenKiosk();
      kiosks.push(current.kiosk);
      // With the hub down, the restarted kiosk still holds every event since the hub went away.
      if (i >= HUB_DOWN_FROM) expect(current.outbox, `outbox after tap ${i + 1}`).toBe(i + 1 - HUB_DOWN_FROM);
    }

    hub = startHub(site, { mqtt: mqttPort, http: httpPort });
    procs.push(hub);
    await hub.ready();
    // The restarted kiosk reconnects (its banner goes away) and drains its outbox.
    await current.page
      .locator(byTestId(UI_TEST_IDS.offlineBanner))
      .waitFor({ state: 'detached', timeout: HUB_MS });
    const events = await eventually(
      async () => {
        const atHub = await hubEvents(site, httpPort, testDates(startedAt));
        return atHub.length >= TAPS ? atHub : undefined;
      },
      HUB_MS,
      `${TAPS} events at the hub`,
    );

    // Exactly once, by event id and by child: one check-in for each tapped child, nothing else.
    const ids = events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    const byChild = new Map<string, AttendanceEvent[]>();
    for (const e of events) byChild.set(e.childId, [...(byChild.get(e.childId) ?? []), e]);
    expect([...byChild.keys()].sort()).toEqual(
      Array.from({ length: TAPS }, (_, i) => `c${String(i + 1).padStart(3, '0')}`),
    );
    for (const [childId, list] of byChild) {
      expect(
        list.map((e) => e.type),
        childId,
      ).toEqual(['check_in']);
    }
    // Every tap line a killed kiosk managed to print names an event the hub holds.
    const printed = kiosks
      .flatMap((k) => k.lines)
      .filter((l) => l['type'] === 'tap' && l['result'] === 'ok')
      .flatMap((l) => (l['events'] as { id: string }[]).map((e) => e.id));
    for (const id of printed) expect(ids).toContain(id);
    // Seq runs 1..TAPS: the restarted kiosks continued the sequence, no event made twice.
    expect(events.map((e) => e.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: TAPS }, (_, i) => i + 1),
    );
  });
});
