import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach } from 'vitest';
import { topics, type Credential } from '../../../protocol/index.ts';
import { silentLogger } from '../../../common/logger.ts';
import type { Clock } from '../../../common/time.ts';
import type { KioskOutputLine, ReadyLine, TapLine } from '../../../kiosk/common/output.ts';
import { startKiosk, type Kiosk, type KioskOptions } from '../../../kiosk/main/agent.ts';
import { FakeHub, Recorder } from './fake-hub.ts';
import { FACILITY, makeRoster } from './fixtures.ts';

/**
 * The kiosk agent tests' set-up (kiosk/main/agent/*.test.ts): per test, a temp data dir and a FakeHub,
 * kiosks started against them with a hand-moved clock and the stdin reader, all closed afterwards.
 */

export const DEVICE = 'kiosk-1';
// 10:00 in Tokyo on 1 April 2026.
export const START = Date.parse('2026-04-01T01:00:00Z');

export type ManualClock = Clock & { advance(ms: number): void };

/** A clock the test moves by hand. */
export function manualClock(start = START): ManualClock {
  let t = start;
  return {
    now: () => new Date(t),
    advance: (ms) => {
      t += ms;
    },
  };
}

export interface TestKiosk {
  kiosk: Kiosk;
  out: Recorder<KioskOutputLine>;
  input: PassThrough;
  clock: ManualClock;
}

export interface KioskAgentEnv {
  /** This test's data dir. */
  readonly dir: string;
  /** This test's hub, started. */
  readonly hub: FakeHub;
  // Function properties, not methods: tests destructure them.
  /** Starts a kiosk on this test's dir and hub; `at` sets its clock. */
  readonly start: (
    extra?: Partial<KioskOptions>,
    output?: (line: KioskOutputLine) => void,
    at?: number,
  ) => Promise<TestKiosk>;
  /** Closes a kiosk before the test ends (to restart one on the same dir). */
  readonly stop: (k: TestKiosk) => Promise<void>;
  /** Publishes the fixture roster, retained, on the facility's roster topic. */
  readonly publishRoster: (version?: number) => Promise<void>;
}

/** Registers the per-test set-up and tear-down; call once at the top of a test file. */
export function useKioskAgent(): KioskAgentEnv {
  let current: { dir: string; hub: FakeHub } | undefined;
  const kiosks: Kiosk[] = [];
  const now = (): { dir: string; hub: FakeHub } => {
    if (!current) throw new Error('the kiosk agent set-up is only there inside a test');
    return current;
  };

  beforeEach(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'genkan-kiosk-'));
    const hub = new FakeHub();
    current = { dir, hub };
    await hub.start();
  });

  afterEach(async () => {
    const { dir, hub } = now();
    for (const k of kiosks.splice(0)) await k.close();
    await hub.stop();
    rmSync(dir, { recursive: true, force: true });
    current = undefined;
  });

  return {
    get dir() {
      return now().dir;
    },
    get hub() {
      return now().hub;
    },
    async start(extra = {}, output, at = START) {
      const out = new Recorder<KioskOutputLine>();
      const input = new PassThrough();
      const clock = manualClock(at);
      const kiosk = await startKiosk({
        dataDir: now().dir,
        hubUrl: now().hub.url,
        deviceId: DEVICE,
        password: 'secret',
        readers: ['stdin'],
        readerInput: input,
        logger: silentLogger(),
        clock,
        debounceMs: 0,
        reconnectPeriodMs: 50,
        connectTimeoutMs: 2000,
        output: (line) => {
          output?.(line);
          out.push(line);
        },
        ...extra,
      });
      kiosks.push(kiosk);
      return { kiosk, out, input, clock };
    },
    async stop(k) {
      await k.kiosk.close();
      kiosks.splice(kiosks.indexOf(k.kiosk), 1);
    },
    async publishRoster(version = 1) {
      await now().hub.publish(topics.roster(FACILITY), makeRoster({ version }), true);
    },
  };
}

export const isTap = (l: KioskOutputLine): l is TapLine => 'type' in l && l.type === 'tap';
export const taps = (out: Recorder<KioskOutputLine>) => out.items.filter(isTap);
export const okTaps = (out: Recorder<KioskOutputLine>) =>
  taps(out).flatMap((l) => (l.result === 'ok' ? [l] : []));

export function ready(out: Recorder<KioskOutputLine>): Promise<ReadyLine> {
  return out.until((items) => items.find((l): l is ReadyLine => 'ready' in l), 'ready line');
}

export function online(out: Recorder<KioskOutputLine>): Promise<KioskOutputLine> {
  return out.until(
    (items) => items.find((l) => 'type' in l && l.type === 'connection' && l.online),
    'online',
  );
}

export function tapLine(c: Credential): string {
  return `${c.kind}:${c.value}\n`;
}

/** Taps through the stdin reader and waits for the tap's output line. */
export async function tapVia(k: TestKiosk, c: Credential): Promise<TapLine> {
  const before = taps(k.out).length;
  k.input.write(tapLine(c));
  return k.out.until((items) => items.filter(isTap)[before], 'tap line');
}

export function ackedIds(items: readonly KioskOutputLine[]): string[] {
  return items.flatMap((l) => ('type' in l && l.type === 'acked' ? l.ids : []));
}
