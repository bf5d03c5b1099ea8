import Database from 'better-sqlite3';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prng } from '../common/random.ts';
import type { AttendanceEvent } from '../protocol/index.ts';
import { eventually, tempDir, type GenkanProcess } from './support/process.ts';

import {
  cloudEvents,
  hubEvents,
  provisionSite,
  startCloud,
  startHub,
  startKiosk,
  testDates,
  type Site,
} from './support/site.ts';

/**
 * The guarantee, across real processes: 5 kiosks × 400 taps while the hub is SIGKILLed at a random
 * moment and restarted, the cloud is stopped and restarted, and one kiosk is SIGKILLed and restarted.
 * Afterwards hub and cloud each hold exactly 2,000 events, none twice, none missing, and every device's
 * seq runs 1..400 without a gap.
 */
function fail(message: string): never {
  throw new Error(message);
}

const KIOSKS = 5;
const TAPS = 400;
const ROUND = 20; // taps written to each kiosk per round; each fault strikes inside a random round
const ROUNDS = TAPS / ROUND;

async function readdirRecursive(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

function assertExactlyOnce(events: AttendanceEvent[], where: string): void {
  const ids = new Set(events.map((e) => e.id));
  expect(ids.size, `${where}: duplicate ids`).toBe(events.length);
  expect(events.length, `${where}: event count`).toBe(KIOSKS * TAPS);
  for (let k = 1; k <= KIOSKS; k++) {
    const seqs = events
      .filter((e) => e.deviceId === `kiosk-${k}`)
      .map((e) => e.seq)
      .sort((a, b) => a - b);
    expect(seqs, `${where}: seq of kiosk-${k}`).toEqual(Array.from({ length: TAPS }, (_, i) => i + 1));
  }
}

describe('exactly once under crashes', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let site: Site;
  const procs: GenkanProcess[] = [];
  const startedAt = new Date();
  // Printed so that a failing run can be replayed with the same fault moments.
  const seed = Number(process.env['GENKAN_FAULT_SEED'] ?? Math.floor(Math.random() * 1e9));
  const rand = prng(seed);

  beforeAll(async () => {
    // Everything the processes log is scanned for card numbers at the end, so let them log everything.
    process.env['GENKAN_LOG_LEVEL'] = 'debug';
    dir = await tempDir();
    site = await provisionSite(dir.path, { kiosks: KIOSKS, children: 60 });
  });
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await dir.remove();
  });

  it('5 kiosks × 400 taps, hub and a kiosk SIGKILLed, cloud restarted: 2,000 events at hub and cloud', async () => {
    console.log(`fault seed ${seed} (set GENKAN_FAULT_SEED to replay)`);
    let cloud = startCloud(site);
    procs.push(cloud);
    const cloudPort = Number((await cloud.ready())['http']);
    const cloudUrl = `http://127.0.0.1:${cloudPort}`;
    let hub = startHub(site, { cloudUrl });
    procs.push(hub);
    const hubReady = await hub.ready();
    const mqttPort = Number(hubReady['mqtt']);
    const httpPort = Number(hubReady['http']);

    const startKioskProcess = async (i: number) => {
      const k = startKiosk(site, i, mqttPort, ['--debounce-ms', '0', '--reversal-guard-ms', '0']);
      procs.push(k);
      await k.ready();
      return k;
    };
    // A kiosk is a slot whose process may be replaced after a crash; the lines of all its processes count.
    const slots = await Promise.all(
      Array.from({ length: KIOSKS }, async (_, i) => ({
        index: i,
        procs: [await startKioskProcess(i)],
        written: 0,
      })),
    );
    type Slot = (typeof slots)[number];
    const current = (slot: Slot) => slot.procs.at(-1) ?? fail('no process');
    const okTaps = (slot: Slot) =>
      slot.procs.flatMap((p) => p.lines).filter((l) => l['type'] === 'tap' && l['result'] === 'ok');
    // The highest seq a kiosk reported: one event per tap, and a crash between a commit and its line is
    // covered by the next line's seq.
    const committed = (slot: Slot) =>
      Math.max(0, ...okTaps(slot).flatMap((l) => (l['events'] as { seq: number }[]).map((e) => e.seq)));
    const cardFor = (slot: Slot, tap: number) => site.cards[(tap + slot.index * 7) % site.cards.length] ?? '';
    const feed = (slot: Slot, upTo: number) => {
      const lines: string[] = [];
      for (; slot.written < upTo; slot.written++) lines.push(`card:${cardFor(slot, slot.written)}`);
      if (lines.length > 0) current(slot).write(`${lines.join('\n')}\n`);
    };

    const killHubAt = 2 + Math.floor(rand() * (ROUNDS - 6));
    const restartHubAt = Math.min(killHubAt + 1 + Math.floor(rand() * 3), ROUNDS - 1);
    const stopCloudAt = 1 + Math.floor(rand() * (ROUNDS - 4));
    // Both come back before the last round, so that the last taps also travel the restored path.
    const restartCloudAt = Math.min(stopCloudAt + 1 + Math.floor(rand() * 3), ROUNDS - 1);
    const killKioskAt = 1 + Math.floor(rand() * (ROUNDS - 2));
    console.log({ killHubAt, restartHubAt, stopCloudAt, restartCloudAt, killKioskAt });

    const [first, victim] = slots;
    if (!first || !victim) throw new Error('need two kiosks');
    // Faults strike mid-round, after a random number of that round's taps, while kiosks are committing
    // and publishing.
    const midRound = async (round: number, fault: () => Promise<void>) => {
      const after = round * ROUND + 1 + Math.floor(rand() * (ROUND - 1));
      await current(first).waitFor(() => committed(first) >= after, 60_000, `tap ${after}`);
      await fault();
    };
    const crashKiosk = async (slot: Slot, target: number) => {
      await current(slot).stop('SIGKILL');
      slot.procs.push(await startKioskProcess(slot.index));
      // Taps the dead process never committed are made again (that parent never saw "done"). One tap
      // first: its seq tells how many the dead process did commit.
      slot.written = committed(slot);
      feed(slot, slot.written + 1);
      await current(slot).waitFor(() => committed(slot) >= slot.written, 60_000, 'first tap after restart');
      slot.written = committed(slot);
      feed(slot, target);
    };

    for (let round = 0; round < ROUNDS; round++) {
      const target = (round + 1) * ROUND;
      if (round === restartHubAt) {
        hub = startHub(site, { cloudUrl, mqtt: mqttPort, http: httpPort });
        procs.push(hub);
        await hub.ready();
      }
      if (round === restartCloudAt) {
        cloud = startCloud(site, cloudPort);
        procs.push(cloud);
        await cloud.ready();
      }
      for (const slot of slots) feed(slot, target);
      if (round === killHubAt) await midRound(round, () => hub.stop('SIGKILL'));
      if (round === stopCloudAt) await midRound(round, () => cloud.stop('SIGTERM'));
      if (round === killKioskAt) await midRound(round, () => crashKiosk(victim, target));
      // The next round starts only after every kiosk has committed this round's taps to its outbox.
      await Promise.all(
        slots.map((slot) =>
          current(slot).waitFor(() => committed(slot) >= target, 60_000, `round ${round} taps`),
        ),
      );
    }
    const allLines = slots.flatMap((slot) => slot.procs.flatMap((p) => p.lines));
    expect(allLines.filter((l) => l['type'] === 'tap' && l['result'] !== 'ok')).toEqual([]);
    expect(slots.map(committed)).toEqual(slots.map(() => TAPS));

    // Every kiosk drains its outbox: each of its events acknowledged after the hub's commit. Read from the
    // kiosk's own database, as its next start would: a kiosk killed between committing an ack and
    // printing the `acked` line leaves no line for those events, yet they are settled.
    const ackedInOutbox = (slot: Slot): number => {
      const device = site.devices[slot.index]?.deviceId ?? fail('no device');
      const db = new Database(join(site.dir, device, 'kiosk.sqlite'), {
        readonly: true,
        fileMustExist: true,
      });
      try {
        return (
          db.prepare<[], { n: number }>('SELECT count(*) AS n FROM outbox WHERE acked_at IS NOT NULL').get()
            ?.n ?? 0
        );
      } finally {
        db.close();
      }
    };
    await Promise.all(
      slots.map((slot) =>
        eventually(
          () => Promise.resolve(ackedInOutbox(slot) >= TAPS ? true : undefined),
          120_000,
          `all events of kiosk ${String(slot.index + 1)} acked`,
        ),
      ),
    );
    expect(allLines.filter((l) => l['type'] === 'rejected')).toEqual([]);

    // Asked anew at each use: the run may cross midnight in Tokyo after this line.
    const dates = () => testDates(startedAt);
    const atHub = await hubEvents(site, httpPort, dates());
    assertExactlyOnce(atHub, 'hub');

    const atCloud = await eventually(
      async () => {
        const events = await cloudEvents(site, cloudPort, dates());
        return events.length >= KIOSKS * TAPS ? events : undefined;
      },
      120_000,
      'the cloud to hold every event',
    );
    assertExactlyOnce(atCloud, 'cloud');
    expect(new Set(atCloud.map((e) => e.id))).toEqual(new Set(atHub.map((e) => e.id)));

    // Personal data: no clear card number in any database file (WAL included) or any process's log.
    const files = await readdirRecursive(site.dir);
    const stored = files.filter((f) => /\.sqlite(-wal)?$/.test(f));
    expect(stored.length).toBeGreaterThanOrEqual(KIOSKS + 2);
    const logs = procs.map((p) => p.stderr).join('\n');
    expect(logs.length).toBeGreaterThan(0);
    console.log(`scanned ${logs.length} bytes of logs and ${stored.length} database files`);
    // Names of the simple roster are 園児 NNN (children) and 保護者 NNN (guardians).
    expect(logs).not.toMatch(/園児|保護者/);
    for (const card of site.cards) {
      expect(logs).not.toContain(card);
      for (const file of stored) {
        const bytes = await readFile(file);
        expect(bytes.includes(card) || bytes.includes(card.toUpperCase()), `${card} in ${file}`).toBe(false);
      }
    }
  });
});
