import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localDate, localTime } from '../common/time.ts';
import { ROSTER_HEADER } from '../edge-hub/facility/roster.ts';
import type { AttendanceEvent } from '../protocol/index.ts';
import { TABLET_TEST_IDS } from '../protocol/tablet.ts';
import { launchChromium, requireChromium } from './support/browser.ts';
import { tapLine } from './support/kiosk-page.ts';
import { eventually, tempDir, type GenkanProcess } from './support/process.ts';
import {
  addStaff,
  cloudEvents,
  hubEvents,
  provisionSite,
  startCloud,
  startHub,
  startKiosk,
  testDates,
  type Site,
} from './support/site.ts';
import {
  byTestId,
  openSignedInTablet,
  rollcallChild as childOf,
  tabletApi,
  tabletPairing,
  type TabletApi,
} from './support/tablet.ts';

const haveChromium = requireChromium();

/** A (c001) comes by card; B (c002) stays home sick; C (c003) forgot her card. */
const A = 'c001';
const B = 'c002';
const C = 'c003';
const CARD_A = '0101000000000001';
const ROSTER = [
  ROSTER_HEADER,
  `k1,ひよこ組,${A},山田 太郎,やまだ たろう,g001,山田 花子,${CARD_A}`,
  `k1,ひよこ組,${B},佐藤 一郎,さとう いちろう,g002,佐藤 陽子,`,
  `k2,りす組,${C},鈴木 さくら,すずき さくら,g003,鈴木 健,`,
].join('\n');

const STAFF = { id: 's1', name: '保育 花子', pin: '1234' };
const VOID_REASON = '別の園児のカードでした';
const ABSENT_NOTE = '発熱のため';
const UNDO_ABSENCE_REASON = '別の子と間違えた';
const MANUAL_NOTE = 'カード忘れ';

const SCREEN_MS = 15_000;
const HUB_MS = 20_000;

const rowSel = (childId: string, status?: string): string =>
  `${byTestId(TABLET_TEST_IDS.childRow)}[data-child-id="${childId}"]` +
  (status === undefined ? '' : `[data-status="${status}"]`);

/**
 * The point 3, across real processes (cloud relay, a hub relaying to it, a kiosk on stdin, two
 * Chromium tablets): a kiosk tap, then staff on tablet 1 void it with a reason, mark a child absent and
 * check a child in by hand at an earlier time. Tablet 2 shows it without a reload, the hub's daily
 * ledger reflects it, and the cloud holds each of those events exactly once, as events of the tablet
 * device with the staff member as actor.
 */
describe.runIf(haveChromium)('manual corrections end to end (tablets, ledger, cloud)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
  let site: Site;
  let hub: GenkanProcess;
  let cloud: GenkanProcess;
  let kiosk: GenkanProcess;
  let browser: Browser | undefined;
  let base = '';
  let cloudPort = 0;
  const procs: GenkanProcess[] = [];
  const contexts: BrowserContext[] = [];
  const startedAt = new Date();
  let tablet1: Page;
  let tablet2: Page;
  /** A third tablet, set up and signed in over plain HTTP: reads the roll-call's JSON. */
  let api: TabletApi;
  /** The kiosk's check-in of A (from its tap line). */
  let kioskCheckInId = '';
  /** The local HH:MM staff give for C's forgotten tap. */
  let earlier = '';
  /** The facility's time zone, as the roll-call gives it. */
  let timeZone = '';
  /** The business day the corrections were made on. */
  let date = '';

  const hubDir = () => join(site.dir, 'hub');

  /** A new browser context (own cookies) set up from its own pairing link, with staff signed in. */
  const openTablet = async (deviceId: string): Promise<Page> => {
    if (!browser) throw new Error('no browser');
    const { url } = await tabletPairing(hubDir(), base, deviceId);
    const p = await openSignedInTablet(browser, url, { width: 1280, height: 800 }, STAFF);
    contexts.push(p.context());
    return p;
  };

  const adminGet = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${site.adminToken}` } });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };

  /** Opens a row action's dialog on tablet 1, fills it with `fill`, confirms, and waits for it to close. */
  const act = async (childId: string, action: string, fill: (dialog: Page) => Promise<void>) => {
    await tablet1
      .locator(rowSel(childId))
      .locator(byTestId(`action-${action}`))
      .click();
    const dialog = tablet1.locator(`${byTestId('action-dialog')}[data-action="${action}"]`);
    await dialog.waitFor({ timeout: SCREEN_MS });
    await fill(tablet1);
    await dialog.locator(byTestId('action-confirm')).click();
    // It closes only on the hub's success answer; an error stays in the dialog.
    await dialog.waitFor({ state: 'detached', timeout: HUB_MS });
  };
  const inDialog = (p: Page, id: string) => p.locator(byTestId('action-dialog')).locator(byTestId(id));

  beforeAll(async () => {
    dir = await tempDir('genkan-corrections-');
    site = await provisionSite(dir.path, {
      kiosks: 1,
      children: 0,
      roster: { csv: `${ROSTER}\n`, cards: [CARD_A] },
    });
    await addStaff(hubDir(), STAFF);
    cloud = startCloud(site);
    procs.push(cloud);
    cloudPort = Number((await cloud.ready())['http']);
    hub = startHub(site, { cloudUrl: `http://127.0.0.1:${cloudPort}` });
    procs.push(hub);
    const ready = await hub.ready();
    base = `http://127.0.0.1:${String(ready['http'])}`;
    kiosk = startKiosk(site, 0, Number(ready['mqtt']), { ui: 'none' });
    procs.push(kiosk);
    await kiosk.ready();
    browser = await launchChromium();
  });

  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail' || task.fails === true) return;
    console.log('hub log (tail):', hub.stderr.slice(-3000));
    console.log('cloud log (tail):', cloud.stderr.slice(-2000));
    console.log('kiosk log (tail):', kiosk.stderr.slice(-2000));
    for (const p of [tablet1, tablet2] as (Page | undefined)[]) {
      if (p) console.log('screen:', (await p.content().catch(String)).slice(0, 4000));
    }
  });

  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    await browser?.close().catch(() => undefined);
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await dir?.remove();
  });

  it('staff on tablet 1 void a kiosk check-in, mark a child absent and check a child in by hand', async () => {
    // Three tablets, each set up with its own one-time pairing code.
    tablet1 = await openTablet('tab-1');
    tablet2 = await openTablet('tab-2');
    // tabletApi throws unless the set-up answers 204 and the sign-in 200.
    api = await tabletApi(hubDir(), base, 'tab-3', STAFF);

    // Tablet 2 keeps this document from here on: a reload would lose the marker.
    await tablet2.evaluate(() => {
      (globalThis as unknown as { marker: number }).marker = 7;
    });

    const tap = await tapLine(kiosk, `card:${CARD_A}`, HUB_MS);
    expect(tap['result']).toBe('ok');
    const tapEvents = tap['events'] as { id: string; childId: string; type: string }[];
    expect(tapEvents).toMatchObject([{ childId: A, type: 'check_in' }]);
    kioskCheckInId = tapEvents[0]?.id ?? '';
    for (const p of [tablet1, tablet2]) {
      await p.locator(rowSel(A, 'present')).waitFor({ timeout: HUB_MS });
    }

    // 1. Void the kiosk's check-in: the reason is required (confirm stays disabled without it).
    await act(A, 'void_check_in', async (p) => {
      await expect(inDialog(p, 'action-confirm').isDisabled()).resolves.toBe(true);
      await inDialog(p, 'action-note').fill(VOID_REASON);
    });
    await tablet1.locator(rowSel(A, 'not_arrived')).waitFor({ timeout: HUB_MS });

    // 2. B is absent, sick, with a note.
    await act(B, 'absent', async (p) => {
      await inDialog(p, 'reason-sick').click();
      await inDialog(p, 'action-note').fill(ABSENT_NOTE);
    });
    await tablet1.locator(rowSel(B, 'absent')).waitFor({ timeout: HUB_MS });

    // 3. C checked in by hand at an earlier time today (20 minutes ago, or 00:00 just after midnight).
    ({ timeZone, date } = await api.rollcall());
    const now = new Date();
    const back = new Date(now.getTime() - 20 * 60_000);
    earlier = localDate(back, timeZone) === localDate(now, timeZone) ? localTime(back, timeZone) : '00:00';
    await act(C, 'check_in', async (p) => {
      await inDialog(p, 'action-time').fill(earlier);
      await inDialog(p, 'action-note').fill(MANUAL_NOTE);
    });
    await tablet1.locator(rowSel(C, 'present')).waitFor({ timeout: HUB_MS });
    await expect(tablet1.locator(rowSel(C)).textContent()).resolves.toContain(earlier);
  });

  it('tablet 2 shows A not arrived with a correction, B absent and C present, without a reload', async () => {
    await tablet2.locator(rowSel(A, 'not_arrived')).waitFor({ timeout: HUB_MS });
    await tablet2.locator(rowSel(A)).locator(byTestId('corrections')).waitFor({ timeout: SCREEN_MS });
    await tablet2.locator(rowSel(B, 'absent')).waitFor({ timeout: HUB_MS });
    await tablet2.locator(rowSel(C, 'present')).waitFor({ timeout: HUB_MS });
    await tablet2.locator(rowSel(C)).locator(byTestId('corrections')).waitFor({ timeout: SCREEN_MS });
    // Same document: the push channel delivered every change.
    await expect(tablet2.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).resolves.toBe(
      7,
    );
    await expect(tablet2.locator(rowSel(B)).textContent()).resolves.toContain(ABSENT_NOTE);
    await expect(tablet2.locator(rowSel(C)).textContent()).resolves.toContain(earlier);
    // A's correction names the void, who made it and why.
    const aCorrections = tablet2.locator(rowSel(A)).locator(byTestId('corrections'));
    await aCorrections.locator('summary').click();
    await expect(aCorrections.textContent()).resolves.toContain(VOID_REASON);
    await expect(aCorrections.textContent()).resolves.toContain(STAFF.name);

    // The same roll-call as JSON, read over plain HTTP by a third tablet.
    const rc = await api.rollcall();
    const a = childOf(rc, A);
    expect(a).toMatchObject({ status: 'not_arrived', checkInAt: null, checkInEventId: null });
    expect(a.corrections).toEqual([
      expect.objectContaining({ kind: 'void', by: STAFF.name, note: VOID_REASON }),
    ]);
    const b = childOf(rc, B);
    expect(b).toMatchObject({ status: 'absent', absence: { reason: 'sick', note: ABSENT_NOTE } });
    expect(b.corrections).toEqual([expect.objectContaining({ kind: 'absent', by: STAFF.name })]);
    const c = childOf(rc, C);
    expect(c).toMatchObject({ status: 'present', method: 'staff', broughtBy: STAFF.name });
    expect(localTime(c.checkInAt ?? '', rc.timeZone)).toBe(earlier);
    expect(c.corrections).toEqual([
      expect.objectContaining({ kind: 'manual_check_in', by: STAFF.name, note: MANUAL_NOTE }),
    ]);
  });

  it("the hub's daily ledger reflects the corrections", async () => {
    const ledger = await adminGet<{ date: string; rows: Record<string, string | null>[] }>(
      `/api/ledger/daily?date=${date}&format=json`,
    );
    expect(ledger.date).toBe(date);
    const row = (id: string) => ledger.rows.find((r) => r['child_id'] === id);
    // A's only check-in was voided: not present, no check-in time.
    expect(row(A)).toMatchObject({ status: 'not_arrived', check_in: null, check_out: null });
    expect(row(B)).toMatchObject({ status: 'absent', check_in: null, check_out: null });
    // C: the manual check-in's time, not the time staff entered it.
    expect(row(C)).toMatchObject({ status: 'present', check_in: earlier, check_out: null });
    expect(ledger.rows).toHaveLength(3);
  });

  it('the ledger marks the corrected rows', async () => {
    const ledger = await adminGet<{ rows: Record<string, unknown>[] }>(
      `/api/ledger/daily?date=${date}&format=json`,
    );
    // All three rows were corrected by staff today (a void, an absence, a manual check-in).
    for (const id of [A, B, C]) {
      expect(ledger.rows.find((r) => r['child_id'] === id)?.['corrected'], id).toBe(true);
    }
  });

  it('the cloud holds the kiosk check-in, the void, the absence and the manual check-in, each once', async () => {
    // Asked anew at each use: the run may cross midnight in Tokyo after this line.
    const dates = () => testDates(startedAt);
    const atHub = await hubEvents(site, Number(new URL(base).port), dates());
    expect(atHub).toHaveLength(4);
    const atCloud = await eventually(
      async () => {
        const events = await cloudEvents(site, cloudPort, dates());
        return events.length >= atHub.length ? events : undefined;
      },
      HUB_MS,
      'the cloud to hold every event',
    );
    // Exactly once: no id twice, and the same events as the hub.
    expect(new Set(atCloud.map((e) => e.id)).size).toBe(atCloud.length);
    expect(atCloud).toHaveLength(4);
    expect(new Set(atCloud.map((e) => e.id))).toEqual(new Set(atHub.map((e) => e.id)));

    const one = (pred: (e: AttendanceEvent) => boolean, what: string): AttendanceEvent => {
      const found = atCloud.filter(pred);
      expect(found, what).toHaveLength(1);
      const [e] = found;
      if (!e) throw new Error(what);
      return e;
    };
    const tapIn = one((e) => e.id === kioskCheckInId, 'kiosk check-in');
    expect(tapIn).toMatchObject({ type: 'check_in', childId: A, deviceId: 'kiosk-1', method: 'card' });

    const staff = { deviceId: 'tab-1', actor: STAFF.id, method: 'staff' };
    const voidEv = one((e) => e.type === 'void', 'void');
    expect(voidEv).toMatchObject({ ...staff, childId: A, voids: kioskCheckInId, note: VOID_REASON });
    const absent = one((e) => e.type === 'absent', 'absence');
    expect(absent).toMatchObject({ ...staff, childId: B });
    expect(absent.note).toContain('sick');
    expect(absent.note).toContain(ABSENT_NOTE);
    const manual = one((e) => e.type === 'check_in' && e.childId === C, 'manual check-in');
    expect(manual).toMatchObject({ ...staff, note: MANUAL_NOTE });
    expect(localTime(manual.occurredAt, timeZone)).toBe(earlier);
    // The tablet's own sequence, in the order staff acted.
    expect([voidEv.seq, absent.seq, manual.seq]).toEqual([1, 2, 3]);
  });

  it('an absence marked by mistake is removed on tablet 2 and tablet 1 shows the child expected again', async () => {
    const absenceId = childOf(await api.rollcall(), B).absentEventId;
    expect(absenceId).not.toBeNull();
    await tablet2.locator(rowSel(B)).locator(byTestId('action-void_absent')).click();
    const dialog = tablet2.locator(`${byTestId('action-dialog')}[data-action="void_absent"]`);
    await dialog.waitFor({ timeout: SCREEN_MS });
    await expect(inDialog(tablet2, 'action-confirm').isDisabled()).resolves.toBe(true);
    await inDialog(tablet2, 'action-note').fill(UNDO_ABSENCE_REASON);
    await dialog.locator(byTestId('action-confirm')).click();
    await dialog.waitFor({ state: 'detached', timeout: HUB_MS });

    await tablet1.locator(rowSel(B, 'not_arrived')).waitFor({ timeout: HUB_MS });
    const b = childOf(await api.rollcall(), B);
    expect(b).toMatchObject({ status: 'not_arrived', absence: null, absentEventId: null });
    // Nothing deleted: the absence and its removal are both listed.
    expect(b.corrections.map((k) => k.kind)).toEqual(['absent', 'void']);
    expect(b.corrections[1]).toMatchObject({ by: STAFF.name, note: UNDO_ABSENCE_REASON });
    const atHub = await hubEvents(site, Number(new URL(base).port), testDates(startedAt));
    expect(atHub.find((e) => e.type === 'void' && e.voids === absenceId)).toMatchObject({
      deviceId: 'tab-2',
      actor: STAFF.id,
      method: 'staff',
    });
  });
});
