import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivatePcscd, hasVpcdDriver, nfcPcscLoads, pcscdPath } from './support/hardware/pcscd.ts';
import { FELICA_ATR, VirtualCard } from './support/hardware/vpcd-card.ts';
import { requirePrereq } from './support/prereq.ts';
import { eventually, tempDir, type GenkanProcess, type JsonLine } from './support/process.ts';
import { hubEvents, provisionSite, startHub, startKiosk, testDates, type Site } from './support/site.ts';

const canRun =
  requirePrereq(pcscdPath() !== undefined, 'pcscd', 'apt-get install pcscd') &&
  requirePrereq(hasVpcdDriver(), 'vpcd reader driver', 'apt-get install vsmartcard-vpcd') &&
  requirePrereq(await nfcPcscLoads(), 'nfc-pcsc (native build)', 'apt-get install libpcsclite-dev; npm ci');

/**
 * A card tap through the whole stack: a virtual card on a vpcd reader served by a real pcscd, the kiosk
 * process reading it with `--reader pcsc`, and the event stored at the hub. pcscd then restarts under the
 * running kiosk, and the next tap is still recorded.
 */
describe.runIf(canRun)('check-in with a PC/SC card reader', () => {
  const CHANNEL = 0x5c70; // vpcd ports 23664/23665; hardware/pcsc-pcscd.test.ts uses another
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let site: Site;
  let pcscd: PrivatePcscd;
  let hub: GenkanProcess;
  let kiosk: GenkanProcess;
  let httpPort: number;
  const startedAt = new Date();
  const cards: VirtualCard[] = [];

  const okTaps = () => kiosk.lines.filter((l) => l['type'] === 'tap' && l['result'] === 'ok');
  const childOf = (tap: JsonLine) => (tap['events'] as { childId: string }[] | undefined)?.[0]?.childId;
  const storedFor = (childId: string) =>
    eventually(
      async () => {
        const events = await hubEvents(site, httpPort, testDates(startedAt));
        const found = events.filter((e) => e.childId === childId && e.method === 'card');
        return found.length > 0 ? found : undefined;
      },
      30_000,
      `the hub to store the event of ${childId}`,
    );

  beforeAll(async () => {
    dir = await tempDir();
    site = await provisionSite(dir.path, { kiosks: 1, children: 3 });
    pcscd = await PrivatePcscd.start({ channelId: CHANNEL });
    hub = startHub(site);
    const ready = await hub.ready();
    httpPort = Number(ready['http']);
    // Debug logs, so that the check below covers every line the PC/SC driver can write.
    const level = process.env['GENKAN_LOG_LEVEL'];
    process.env['GENKAN_LOG_LEVEL'] = 'debug';
    try {
      kiosk = startKiosk(site, 0, Number(ready['mqtt']), ['--reader', 'pcsc']);
    } finally {
      if (level === undefined) delete process.env['GENKAN_LOG_LEVEL'];
      else process.env['GENKAN_LOG_LEVEL'] = level;
    }
    await kiosk.ready();
  });

  afterAll(async () => {
    await Promise.all(cards.map((c) => c.remove()));
    // A failed start leaves these unset, and its own error is the one to report.
    await (kiosk as GenkanProcess | undefined)?.stop();
    await (hub as GenkanProcess | undefined)?.stop();
    await (pcscd as PrivatePcscd | undefined)?.dispose();
    await dir.remove();
  });

  it('records a tap of a roster card on the PC/SC reader at the hub', async () => {
    const card1 = site.cards[0] ?? '';
    expect(card1).toBe('0101000000000001');
    const t0 = Date.now();
    const card = await VirtualCard.present({ port: pcscd.port(0), uid: card1, atr: FELICA_ATR });
    cards.push(card);
    const tap = await kiosk.waitFor((l) => l['type'] === 'tap', 30_000, 'a tap line');
    console.log(`tap line ${Date.now() - t0} ms after the card was presented`);
    expect(tap).toMatchObject({ type: 'tap', result: 'ok', events: [{ childId: 'c001', type: 'check_in' }] });
    const stored = await storedFor('c001');
    console.log(`stored at the hub ${Date.now() - t0} ms after the card was presented`);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      childId: 'c001',
      type: 'check_in',
      deviceId: site.devices[0]?.deviceId,
    });
    await card.remove();
  });

  it('keeps reading after pcscd restarts, without restarting the kiosk', async () => {
    const pid = kiosk.child.pid;
    await pcscd.stop();
    await pcscd.restart();
    const t0 = Date.now();
    const card2 = site.cards[1] ?? '';
    const card = await VirtualCard.present({ port: pcscd.port(0), uid: card2 });
    cards.push(card);
    const tap = await kiosk.waitFor(
      (l) => l['type'] === 'tap' && l['result'] === 'ok' && childOf(l) === 'c002',
      30_000,
      'the tap after the pcscd restart',
    );
    console.log(`tap read ${Date.now() - t0} ms after pcscd was back and the card presented`);
    expect(tap).toMatchObject({ events: [{ childId: 'c002', type: 'check_in' }] });
    await storedFor('c002');
    expect(kiosk.child.pid).toBe(pid);
    expect(kiosk.child.exitCode).toBeNull();
    expect(okTaps()).toHaveLength(2);
    expect(kiosk.lines.filter((l) => l['type'] === 'tap' && l['result'] !== 'ok')).toEqual([]);
    // No card number in anything the kiosk logged, at debug level, across the restart.
    for (const uid of site.cards.slice(0, 2)) expect(kiosk.stderr.toLowerCase()).not.toContain(uid);
    await card.remove();
  });
});
