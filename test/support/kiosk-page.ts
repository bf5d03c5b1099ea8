import type { Browser, Page } from 'playwright-core';
import { expect, type TestContext } from 'vitest';
import { UI_TEST_IDS } from '../../kiosk/common/ui-api.ts';
import type { AttendanceEvent } from '../../protocol/index.ts';
import { byTestId, openKioskPage } from './browser.ts';
import { eventually, type GenkanProcess, type JsonLine } from './process.ts';
import { hubEvents, startKiosk, testDates, type KioskLaunch, type Site } from './site.ts';

// Generous for a loaded 2-core CI machine; each wait ends as soon as the screen or the hub shows its state.
export const SCREEN_MS = 15_000;
export const HUB_MS = 30_000;

/** A kiosk process with its screen open in Chromium. */
export interface BrowserKiosk {
  proc: GenkanProcess;
  page: Page;
  /** The kiosk's ready line (its screen address, outbox, roster version). */
  ready: JsonLine;
}

/**
 * Starts a kiosk with its screen in `browser` (ui browser) and waits for the idle screen. The kiosk is
 * killed if its screen never gets there, so a failing start leaves no process behind.
 */
export async function startBrowserKiosk(
  site: Site,
  index: number,
  mqttPort: number,
  launch: Omit<KioskLaunch, 'ui'> & { browser: Browser; reducedMotion?: boolean },
): Promise<BrowserKiosk> {
  const { browser, reducedMotion = false, ...kioskLaunch } = launch;
  const proc = startKiosk(site, index, mqttPort, { ...kioskLaunch, ui: 'browser' });
  try {
    const ready = await proc.ready();
    const page = await openKioskPage(browser, String(ready['ui']), { reducedMotion });
    await page.locator(byTestId(UI_TEST_IDS.idle)).waitFor({ timeout: SCREEN_MS * 2 });
    return { proc, page, ready };
  } catch (err) {
    await proc.stop('SIGKILL');
    throw err;
  }
}

/** The tap lines a kiosk has printed so far. */
export function tapLines(kiosk: GenkanProcess): JsonLine[] {
  return kiosk.lines.filter((l) => l['type'] === 'tap');
}

/**
 * Types `input` (`card:UID`, `qr:PAYLOAD`) into the kiosk's stdin reader and returns the tap line the
 * kiosk prints for it.
 */
export async function tapLine(kiosk: GenkanProcess, input: string, timeoutMs = HUB_MS): Promise<JsonLine> {
  const before = tapLines(kiosk).length;
  kiosk.write(`${input}\n`);
  const kind = input.split(':')[0] ?? '';
  await kiosk.waitFor(() => tapLines(kiosk).length > before, timeoutMs, `tap line for ${kind}`);
  const out = tapLines(kiosk)[before];
  if (!out) throw new Error('no tap line');
  return out;
}

/** The ids of the events the recorded (`ok`) tap lines made. */
export function okEventIds(lines: JsonLine[]): string[] {
  return lines
    .filter((l) => l['result'] === 'ok')
    .flatMap((l) => (l['events'] as { id: string }[]).map((e) => e.id));
}

/** `card:UID` reader lines for `n` of the site's cards from `from` on (wrapping round). */
export function cardInputs(site: Site, n: number, from = 0): string[] {
  return Array.from({ length: n }, (_, i) => `card:${site.cards[(from + i) % site.cards.length] ?? ''}`);
}

/**
 * Types several reader lines at once; every tap must be recorded (`ok`). Returns the ids of the events
 * they made.
 */
export async function tapAllOk(
  kiosk: GenkanProcess,
  inputs: string[],
  timeoutMs = HUB_MS,
): Promise<string[]> {
  const before = tapLines(kiosk).length;
  kiosk.write(`${inputs.join('\n')}\n`);
  await kiosk.waitFor(() => tapLines(kiosk).length >= before + inputs.length, timeoutMs, 'tap lines');
  const lines = tapLines(kiosk).slice(before);
  expect(lines.map((l) => l['result'])).toEqual(inputs.map(() => 'ok'));
  return okEventIds(lines);
}

/** An event as a tap or amend line names it. */
export interface EventLine {
  id: string;
  childId: string;
  type: string;
  voids?: string;
}

/** The events of a tap or amend line (none for a line without). */
export function eventsOf(line: JsonLine | undefined): EventLine[] {
  return (line?.['events'] ?? []) as EventLine[];
}

/** Where a test reads what the hub stores: the site, the hub's HTTP port, and when the test began. */
export interface HubAt {
  site: Site;
  httpPort: number;
  startedAt: Date;
}

/** Waits until the hub holds every event in `ids`; returns all it holds for the test's business days. */
export function hubHolds(hub: HubAt, ids: readonly string[], what: string): Promise<AttendanceEvent[]> {
  return eventually(
    async () => {
      const events = await hubEvents(hub.site, hub.httpPort, testDates(hub.startedAt));
      const held = new Set(events.map((e) => e.id));
      return ids.every((id) => held.has(id)) ? events : undefined;
    },
    HUB_MS,
    what,
  );
}

/** After a failing step: what each kiosk printed and logged last, and what its screen showed. */
export async function showKiosksIfFailed(
  task: TestContext['task'],
  kiosks: readonly { proc: GenkanProcess; page: Page }[],
): Promise<void> {
  if (task.result?.state !== 'fail') return;
  for (const { proc, page } of kiosks) {
    console.log(`${proc.label} lines (last 10):`, proc.lines.slice(-10));
    console.log(`${proc.label} log (tail):`, proc.stderr.slice(-3000));
    console.log('screen:', (await page.content().catch(String)).slice(0, 4000));
  }
}
