import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faketimeLibrary, requirePrereq } from './support/prereq.ts';
import type { GenkanProcess } from './support/process.ts';
import { eventually, tempDir, type JsonLine } from './support/process.ts';
import { hubEvents, provisionSite, startHub, startKiosk, testDates, type Site } from './support/site.ts';

const HOUR = 3_600_000;
const library = faketimeLibrary();
const haveFaketime = requirePrereq(
  library !== undefined,
  'libfaketime (a process on a shifted clock)',
  'apt-get install -y faketime',
);

/**
 * The environment that runs a process 3 hours behind the real clock. Monotonic clocks stay real: libuv's
 * timers and performance.now() run on them, and the kiosk's clock check must not depend on them.
 */
function threeHoursBehind(lib: string): NodeJS.ProcessEnv {
  const preload = [lib, process.env['LD_PRELOAD']].filter((p) => p !== undefined && p !== '').join(':');
  return { LD_PRELOAD: preload, FAKETIME: '-3h', FAKETIME_DONT_FAKE_MONOTONIC: '1' };
}

/**
 * Issue 11, clocks: a kiosk started with its clock 3 hours behind the hub stamps taps with the hub's time
 * and says so. The hub runs on the real clock; only the kiosk process runs under libfaketime. Stamped with
 * its own clock, the tap would be refused by the hub (implausible_time) or land 3 hours early.
 */
describe.runIf(haveFaketime)('kiosk clock 3 hours behind the hub', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let site: Site;
  const procs: GenkanProcess[] = [];
  const startedAt = new Date();

  beforeAll(async () => {
    dir = await tempDir();
    site = await provisionSite(dir.path, { kiosks: 1, children: 2 });
  });
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await dir.remove();
  });

  it('Node under libfaketime really sees a clock 3 hours behind', () => {
    const env = { ...process.env, ...threeHoursBehind(library ?? '') };
    const faked = Number(
      execFileSync(process.execPath, ['-e', 'process.stdout.write(String(Date.now()))'], { env }),
    );
    expect(Math.abs(Date.now() - faked - 3 * HOUR)).toBeLessThan(60_000);
  });

  it('stamps a tap with the hub’s time, and says it corrects by 3 hours', async () => {
    const hub = startHub(site);
    procs.push(hub);
    const hubReady = await hub.ready();
    const mqttPort = Number(hubReady['mqtt']);
    const httpPort = Number(hubReady['http']);

    const kiosk = startKiosk(site, 0, mqttPort, {
      name: 'kiosk-1 (3 h behind)',
      // Debug logs: the test waits for a live hub time sample (below) in them.
      env: { GENKAN_LOG_LEVEL: 'debug', ...threeHoursBehind(library ?? '') },
    });
    procs.push(kiosk);
    await kiosk.ready();

    // Says so: an output line on stdout, and a warning in its log.
    const clock = await kiosk.waitFor(
      (l) => l['type'] === 'clock' && l['corrected'] === true,
      30_000,
      'clock line with the correction',
    );
    // The first comparison uses the retained sample, up to one publish period (15 s) old.
    expect(Math.abs(Number(clock['skewMs']) - 3 * HOUR)).toBeLessThan(30_000);
    // stderr is another pipe: the log line may come a moment after the output line.
    await eventually(
      () => Promise.resolve(kiosk.stderr.includes('stamping with the hub') ? true : undefined),
      10_000,
      'the correction in the kiosk log',
    );

    // A live sample (every 15 s) makes the correction exact to the network's latency.
    await eventually(
      () =>
        Promise.resolve(
          kiosk.stderr
            .split('\n')
            .some((l) => l.includes('"hub time sample"') && l.includes('"retained":false'))
            ? true
            : undefined,
        ),
      30_000,
      'a live hub time sample at the kiosk',
    );

    kiosk.write(`card:${site.cards[0] ?? ''}\n`);
    const tap = await kiosk.waitFor((l) => l['type'] === 'tap', 15_000, 'tap line');
    expect(tap).toMatchObject({ result: 'ok' });
    const eventId = (tap['events'] as { id: string }[])[0]?.id ?? '';
    const tappedAt = Date.now();
    // Acknowledged, not refused as implausible_time.
    await kiosk.waitFor(
      (l: JsonLine) => l['type'] === 'acked' && (l['ids'] as string[]).includes(eventId),
      30_000,
      'ack of the tap',
    );
    expect(kiosk.lines.filter((l) => l['type'] === 'rejected')).toEqual([]);

    const events = await eventually(
      async () => {
        const atHub = await hubEvents(site, httpPort, testDates(startedAt));
        return atHub.some((e) => e.id === eventId) ? atHub : undefined;
      },
      15_000,
      'the tap at the hub',
    );
    const event = events.find((e) => e.id === eventId);
    // The hub's time (this test runs on the same real clock as the hub), not 3 hours earlier.
    expect(Math.abs(Date.parse(event?.occurredAt ?? '') - tappedAt)).toBeLessThan(5000);
    expect(event?.clockDoubt).toBeUndefined();
    console.log(
      `kiosk clock ${Math.round(Number(clock['skewMs']) / 60_000)} min behind; tap stamped ${event?.occurredAt ?? ''}`,
    );
  });
});
