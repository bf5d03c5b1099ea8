import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { topics, type Credential } from '../../protocol/index.ts';
import { silentLogger } from '../../common/logger.ts';
import type { Clock } from '../../common/time.ts';
import {
  CARD_G1,
  CARD_G2,
  CARD_HASH,
  CREDENTIAL_KEY,
  fixtureHash,
  FACILITY,
  makeRoster,
  QR_G2,
} from '../../test/support/kiosk/fixtures.ts';
import { lockedOutSeconds } from '../common/messages.ts';
import type { EnrollLine, KioskOutputLine, TapLine } from '../common/output.ts';
import type { MaintenanceView, UiEvent } from '../common/ui-api.ts';
import { startKiosk, type Kiosk, type KioskOptions } from './agent.ts';
import { KioskStore } from './store/kiosk-store.ts';
import { hashPin, pinMatches, PIN_LOCKOUT_MS, setStaffPin, StaffPin } from './staff-pin.ts';
import { FakeHub, Recorder } from '../../test/support/kiosk/fake-hub.ts';
import { KioskUiController } from './ui-controller.ts';

const DEVICE = 'kiosk-1';
const PIN = '2468';
const NEW_CARD: Credential = { kind: 'card', value: 'c0ffee01' };

let dir: string;
let hub: FakeHub;
const cleanups: (() => Promise<void> | void)[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'genkan-maint-'));
  hub = new FakeHub();
  await hub.start();
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await hub.stop();
  rmSync(dir, { recursive: true, force: true });
});

function manualClock(start = Date.parse('2026-04-01T01:00:00Z')): Clock & { advance(ms: number): void } {
  let t = start;
  return {
    now: () => new Date(t),
    advance: (ms) => {
      t += ms;
    },
  };
}

function withStore<T>(fn: (store: KioskStore) => T): T {
  const store = KioskStore.open(dir);
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

interface Setup {
  kiosk: Kiosk;
  out: Recorder<KioskOutputLine>;
  input: PassThrough;
  clock: ReturnType<typeof manualClock>;
}

async function start(extra: Partial<KioskOptions> = {}): Promise<Setup> {
  hub.roster = makeRoster();
  await hub.publish(topics.roster(FACILITY), hub.roster, true);
  const out = new Recorder<KioskOutputLine>();
  const input = new PassThrough();
  const clock = manualClock();
  const kiosk = await startKiosk({
    dataDir: dir,
    hubUrl: hub.url.replace('mqtt://', 'mqtt://kiosk-1:secret@'),
    deviceId: DEVICE,
    password: 'secret',
    readers: ['stdin'],
    readerInput: input,
    logger: silentLogger(),
    clock,
    debounceMs: 0,
    reconnectPeriodMs: 50,
    output: out.push,
    ...extra,
  });
  cleanups.push(() => kiosk.close());
  await out.until((items) => items.some((l) => 'type' in l && l.type === 'connection' && l.online), 'online');
  return { kiosk, out, input, clock };
}

const isEnroll = (l: KioskOutputLine): l is EnrollLine => 'type' in l && l.type === 'enroll';
const isTap = (l: KioskOutputLine): l is TapLine => 'type' in l && l.type === 'tap';

function enrollStatus(out: Recorder<KioskOutputLine>, status: EnrollLine['status']): Promise<EnrollLine> {
  return out.until((items) => items.filter(isEnroll).find((l) => l.status === status), `enroll ${status}`);
}

function write(s: Setup, c: Credential): void {
  s.input.write(`${c.kind}:${c.value}\n`);
}

describe('staff PIN', () => {
  it('stores a salted scrypt hash, never the PIN, and checks it', () => {
    const a = hashPin(PIN);
    const b = hashPin(PIN);
    expect(a).not.toBe(b);
    expect(a).not.toContain(PIN);
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(pinMatches(PIN, a)).toBe(true);
    expect(pinMatches('2469', a)).toBe(false);
    expect(pinMatches(PIN, 'garbage')).toBe(false);
    expect(() => hashPin('12')).toThrow(expect.objectContaining({ code: 'bad_pin_format' }));
  });

  it('says no_pin until one is set, locks out after 5 wrong PINs across a restart, and unlocks after 5 minutes', () => {
    const clock = manualClock();
    const open = () => {
      const store = KioskStore.open(dir);
      cleanups.push(() => {
        store.close();
      });
      return new StaffPin({ store, logger: silentLogger(), clock });
    };
    const first = open();
    expect(() => {
      first.verify(PIN);
    }).toThrow(expect.objectContaining({ code: 'no_pin' }));
    withStore((store) => {
      setStaffPin(store, PIN);
    });
    first.verify(PIN);
    for (let i = 0; i < 4; i++) {
      expect(() => {
        first.verify('0000');
      }).toThrow(expect.objectContaining({ code: 'bad_pin' }));
    }
    // A restart keeps the count: the fifth wrong PIN locks.
    const second = open();
    let locked: unknown;
    try {
      second.verify('0000');
    } catch (err) {
      locked = err;
    }
    expect(locked).toMatchObject({
      code: 'locked_out',
      retryAt: new Date(clock.now().getTime() + PIN_LOCKOUT_MS),
    });
    expect(lockedOutSeconds((locked as Error).message)).toBe(300);
    // Even the right PIN is refused while locked, and a restart does not lift it.
    expect(() => {
      open().verify(PIN);
    }).toThrow(expect.objectContaining({ code: 'locked_out' }));
    clock.advance(PIN_LOCKOUT_MS - 1000);
    expect(() => {
      second.verify(PIN);
    }).toThrow(expect.objectContaining({ code: 'locked_out' }));
    clock.advance(1000);
    second.verify(PIN);
    // Success resets the count.
    const wrong = () => {
      second.verify('1111');
    };
    for (let i = 0; i < 4; i++) expect(wrong).toThrow();
    second.verify(PIN);
    expect(wrong).toThrow(expect.objectContaining({ code: 'bad_pin' }));
  });
});

describe('card enrolment', () => {
  it('diverts the next card to the hub as a keyed hash, and the card then checks in', async () => {
    // The guard off: the new card taps right after the QR code's check-in.
    const s = await start({ reversalGuardMs: 0 });
    expect(s.kiosk.startEnrollment('g2')).toEqual({ ok: true });
    expect(s.kiosk.enrollment()).toEqual({ status: 'waiting_card', guardianId: 'g2', guardianName: 'Kenji' });
    // A QR code is never enrolled: it is a normal tap.
    write(s, QR_G2);
    await s.out.until((items) => items.filter(isTap)[0], 'QR tap');
    write(s, NEW_CARD);
    const done = await enrollStatus(s.out, 'done');
    expect(done).toEqual({ type: 'enroll', status: 'done', guardianId: 'g2' });
    expect(s.out.items.filter(isEnroll).map((l) => l.status)).toEqual(['waiting_card', 'sending', 'done']);
    // The card was not a tap, and no line or request carries the card id.
    expect(s.out.items.filter(isTap)).toHaveLength(1);
    expect(JSON.stringify(s.out.items)).not.toContain(NEW_CARD.value);
    expect(hub.requests).toEqual([
      {
        id: expect.any(String) as string,
        op: 'enroll_card',
        guardianId: 'g2',
        // The slow hash the roster's scheme makes, said to be one.
        credentialHash: fixtureHash({ credentialKey: CREDENTIAL_KEY, cardHash: CARD_HASH }, NEW_CARD),
        hashAlg: CARD_HASH.alg,
        staffId: null,
      },
    ]);
    expect(hub.hasCard('g2', NEW_CARD.value)).toBe(true);
    // The republished roster is adopted as usual: the new card works at once.
    await s.out.until(
      (items) => items.find((l) => 'type' in l && l.type === 'roster' && l.version === 2),
      'roster 2',
    );
    write(s, NEW_CARD);
    const tap = await s.out.until((items) => items.filter(isTap)[1], 'card tap');
    expect(tap).toMatchObject({ result: 'ok', guardian: { id: 'g2' } });
    expect(s.kiosk.enrollment().status).toBe('done');
  });

  it('fails with the hub code for a card of another guardian, and times out when the hub does not answer', async () => {
    const s = await start({ enrollTimeoutMs: 300 });
    expect(s.kiosk.startEnrollment('g2')).toEqual({ ok: true });
    write(s, CARD_G1);
    expect(await enrollStatus(s.out, 'failed')).toMatchObject({
      code: 'credential_in_use',
      guardianId: 'g2',
    });
    expect(s.kiosk.enrollment()).toMatchObject({ status: 'failed', code: 'credential_in_use' });

    hub.requestPolicy = () => 'hold';
    expect(s.kiosk.startEnrollment('g1')).toEqual({ ok: true });
    const before = s.out.items.filter(isEnroll).length;
    write(s, NEW_CARD);
    const failed = await s.out.until(
      (items) =>
        items
          .filter(isEnroll)
          .slice(before)
          .find((l) => l.status === 'failed'),
      'timeout',
    );
    expect(failed).toMatchObject({ code: 'timeout', guardianId: 'g1' });
    expect(s.out.items.filter(isTap)).toHaveLength(0);
  });

  it('refuses unknown guardians and offline starts, and cancel makes cards check in again', async () => {
    const s = await start();
    expect(s.kiosk.startEnrollment('nobody')).toMatchObject({ ok: false, code: 'unknown_guardian' });
    expect(s.kiosk.startEnrollment('g1')).toEqual({ ok: true });
    expect(s.kiosk.cancelEnrollment()).toEqual({ ok: true });
    expect(s.kiosk.enrollment()).toEqual({ status: 'idle' });
    write(s, CARD_G2);
    expect(await s.out.until((items) => items.filter(isTap)[0], 'tap')).toMatchObject({ result: 'ok' });
    expect(hub.requests).toEqual([]);
    await hub.stop();
    await s.out.until(
      (items) => items.some((l) => 'type' in l && l.type === 'connection' && !l.online),
      'off',
    );
    expect(s.kiosk.startEnrollment('g1')).toMatchObject({ ok: false, code: 'offline' });
    await hub.start();
  });
});

describe('maintenance screen (controller)', () => {
  async function screen(options: { idleMs?: number } = {}) {
    const s = await start();
    const controller = new KioskUiController({
      kiosk: s.kiosk,
      logger: silentLogger(),
      ...(options.idleMs !== undefined && { maintenanceIdleMs: options.idleMs }),
    });
    cleanups.push(() => {
      controller.close();
    });
    const events = new Recorder<UiEvent>();
    controller.subscribe(events.push);
    const latest = (): MaintenanceView | null | undefined =>
      events.items.filter((e) => e.type === 'maintenance').at(-1)?.view;
    return { ...s, controller, events, latest };
  }

  it('opens only with the right PIN, refuses maintenance commands while locked, and sends the view', async () => {
    const s = await screen();
    expect(s.controller.handle({ op: 'maintenance_open', pin: PIN })).toMatchObject({
      ok: false,
      code: 'no_pin',
    });
    withStore((store) => {
      setStaffPin(store, PIN);
    });
    expect(s.controller.handle({ op: 'enroll_start', guardianId: 'g1' })).toMatchObject({
      ok: false,
      code: 'maintenance_locked',
    });
    expect(s.controller.handle({ op: 'maintenance_close' })).toMatchObject({ code: 'maintenance_locked' });
    expect(s.controller.handle({ op: 'maintenance_open', pin: '12' })).toMatchObject({ code: 'bad_command' });
    expect(s.controller.handle({ op: 'maintenance_open', pin: '9999' })).toMatchObject({ code: 'bad_pin' });
    expect(s.events.items.some((e) => e.type === 'maintenance')).toBe(false);

    write(s, CARD_G1);
    await s.out.until((items) => items.filter(isAcked)[0], 'acked');
    expect(s.controller.handle({ op: 'maintenance_open', pin: PIN })).toEqual({ ok: true });
    const view = s.latest();
    expect(view).toMatchObject({
      hubUrl: hub.url,
      online: true,
      outbox: 0,
      rosterVersion: 1,
      readers: [{ name: 'stdin', attached: true }],
      enrollment: { status: 'idle' },
      clock: { skewMs: 0, corrected: false, synced: false },
      idleLockMs: 120_000,
    });
    expect(JSON.stringify(view)).not.toContain('secret');
    expect(view?.recent.map((r) => [r.childName, r.type, r.delivery])).toEqual([
      ['Sora', 'check_in', 'acked'],
      ['Hana', 'check_in', 'acked'],
    ]);
    expect(view?.guardians[0]).toEqual({
      id: 'g1',
      name: 'Aoi',
      children: [
        { name: 'Hana', kana: 'はな' },
        { name: 'Sora', kana: 'そら' },
      ],
      cards: 1,
    });
    // A screen connecting now gets it too.
    expect(s.controller.snapshot().some((e) => e.type === 'maintenance' && e.view !== null)).toBe(true);

    expect(s.controller.handle({ op: 'enroll_start', guardianId: 'g1' })).toEqual({ ok: true });
    expect(s.latest()?.enrollment).toEqual({ status: 'waiting_card', guardianId: 'g1', guardianName: 'Aoi' });
    write(s, NEW_CARD);
    await s.events.until(() => s.latest()?.enrollment.status === 'done', 'done on screen');
    await s.events.until(() => s.latest()?.guardians[0]?.cards === 2, 'two cards');

    expect(s.controller.handle({ op: 'maintenance_close' })).toEqual({ ok: true });
    expect(s.latest()).toBeNull();
    expect(s.kiosk.enrollment()).toEqual({ status: 'idle' });
    expect(s.controller.snapshot().some((e) => e.type === 'maintenance')).toBe(false);
  });

  it('shows how far the kiosk clock is off the hub’s, and the idle clock follows the correction', async () => {
    withStore((store) => {
      setStaffPin(store, PIN);
    });
    const s = await screen();
    expect(s.controller.handle({ op: 'maintenance_open', pin: PIN })).toEqual({ ok: true });
    expect(s.latest()?.clock).toEqual({ skewMs: 0, corrected: false, synced: false });
    // The hub's clock reads 3 h (and 0.4 s) later than the kiosk's.
    await hub.publishTime(FACILITY, new Date(s.clock.now().getTime() + 3 * 3_600_000 + 400));
    await s.events.until(() => s.latest()?.clock.synced, 'clock on the maintenance screen');
    expect(s.latest()?.clock).toEqual({ skewMs: 3 * 3_600_000, corrected: true, synced: true });
    const state = s.events.items.flatMap((e) => (e.type === 'state' ? [e.state] : [])).at(-1);
    expect(state?.clockOffsetMs).toBe(3 * 3_600_000);
  });

  it('locks itself when idle and stops a waiting enrolment', async () => {
    withStore((store) => {
      setStaffPin(store, PIN);
    });
    const s = await screen({ idleMs: 200 });
    expect(s.controller.handle({ op: 'maintenance_open', pin: PIN })).toEqual({ ok: true });
    expect(s.controller.handle({ op: 'enroll_start', guardianId: 'g1' })).toEqual({ ok: true });
    await s.events.until(() => s.latest() === null, 'locked');
    expect(s.kiosk.enrollment()).toEqual({ status: 'idle' });
    write(s, NEW_CARD);
    expect(await s.out.until((items) => items.filter(isTap)[0], 'tap')).toMatchObject({
      result: 'unknown_credential',
    });
    expect(s.controller.handle({ op: 'enroll_cancel' })).toMatchObject({ code: 'maintenance_locked' });
  });
});

const isAcked = (l: KioskOutputLine) => 'type' in l && l.type === 'acked';
