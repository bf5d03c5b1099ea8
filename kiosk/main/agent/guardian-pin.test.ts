import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../common/logger.ts';
import { hashPasswordSync, verifyPasswordSync } from '../../../common/passwords.ts';
import { topics } from '../../../protocol/index.ts';
import { DEVICE, manualClock, okTaps, ready, useKioskAgent } from '../../../test/support/kiosk/agent.ts';
import { FACILITY, makeRoster } from '../../../test/support/kiosk/fixtures.ts';
import { KioskStore } from '../store/kiosk-store.ts';
import { FacilityState } from './facility.ts';
import { GUARDIAN_PIN_LOCKOUT_MS, GuardianPins } from './guardian-pin.ts';

// The "no card" fallback: a guardian's PIN hash from the roster, checked offline, with a lockout per
// guardian kept in the kiosk store.

const PIN = '2468';
const PIN_HASH = hashPasswordSync(PIN, 'guardian_pin');

function rosterWithPin() {
  const roster = makeRoster();
  return makeRoster({
    guardians: roster.guardians.map((g) => (g.id === 'g1' ? { ...g, pinHash: PIN_HASH } : g)),
  });
}

describe('guardian PIN hashes', () => {
  it('are salted, slow-cost scrypt hashes that verify the PIN and nothing else', () => {
    const again = hashPasswordSync(PIN, 'guardian_pin');
    expect(again).not.toBe(PIN_HASH);
    expect(PIN_HASH).toMatch(/^scrypt\$65536\$8\$1\$/);
    expect(verifyPasswordSync(PIN, PIN_HASH)).toBe(true);
    expect(verifyPasswordSync('2469', PIN_HASH)).toBe(false);
    const t = performance.now();
    verifyPasswordSync(PIN, PIN_HASH);
    // The kiosk checks it synchronously: it must stay well under a second.
    expect(performance.now() - t).toBeLessThan(1000);
  });
});

describe('GuardianPins', () => {
  let dir: string;
  let store: KioskStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'genkan-kiosk-pin-'));
    store = KioskStore.open(dir);
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function pins(clock = manualClock()) {
    const facility = new FacilityState(FACILITY);
    facility.adopt(rosterWithPin());
    return { pins: new GuardianPins({ store, facility, clock, logger: silentLogger() }), clock };
  }

  it('lists every guardian by kana row, with whether a PIN is set, never the hash', () => {
    const { pins: p } = pins();
    const families = p.families();
    expect(families.map((f) => [f.id, f.row, f.pin])).toEqual([
      // g3's only child is not on the roster: no kana, so the わ row.
      ['g3', 'わ', false],
      ['g1', 'は', true],
      ['g2', 'ら', false],
    ]);
    expect(families[1]?.children.map((c) => c.name)).toEqual(['Hana', 'Sora']);
    expect(JSON.stringify(families)).not.toContain('scrypt');
  });

  it('accepts the right PIN, refuses a wrong one, and says when none is set', () => {
    const { pins: p } = pins();
    expect(p.check('g1', PIN)).toMatchObject({ ok: true, guardian: { id: 'g1' } });
    expect(p.check('g1', '1111')).toMatchObject({ ok: false, reply: { code: 'bad_pin' } });
    expect(p.check('g2', PIN)).toMatchObject({ ok: false, reply: { code: 'no_pin' } });
    expect(p.check('nobody', PIN)).toMatchObject({ ok: false, reply: { code: 'unknown_guardian' } });
  });

  it('locks a guardian after five wrong PINs for 15 minutes, across a restart, then lets the PIN in', () => {
    const clock = manualClock();
    const first = pins(clock).pins;
    for (let i = 0; i < 4; i++) {
      expect(first.check('g1', '0000')).toMatchObject({ ok: false, reply: { code: 'bad_pin' } });
    }
    expect(first.check('g1', '0000')).toMatchObject({ ok: false, reply: { code: 'locked_out' } });
    // Even the right PIN is refused while locked, and the lock is shown in the chooser.
    expect(first.check('g1', PIN)).toMatchObject({ ok: false, reply: { code: 'locked_out' } });
    expect(first.families().find((f) => f.id === 'g1')?.lockedUntil).not.toBeNull();

    // A restart (a new store on the same file) keeps the lockout.
    store.close();
    store = KioskStore.open(dir);
    const second = pins(clock).pins;
    clock.advance(GUARDIAN_PIN_LOCKOUT_MS - 1000);
    expect(second.check('g1', PIN)).toMatchObject({
      ok: false,
      reply: { code: 'locked_out', message: 'too many wrong PINs; try again in 1 s' },
    });
    clock.advance(1000);
    expect(second.families().find((f) => f.id === 'g1')?.lockedUntil).toBeNull();
    expect(second.check('g1', PIN)).toMatchObject({ ok: true });
    // Another guardian is not affected by g1's lockout, and a right PIN resets the count.
    expect(store.pinLockouts.get('g1')).toBeUndefined();
  });

  it('starts a new count after a lockout has run out', () => {
    const clock = manualClock();
    const p = pins(clock).pins;
    for (let i = 0; i < 5; i++) p.check('g1', '0000');
    clock.advance(GUARDIAN_PIN_LOCKOUT_MS);
    expect(p.check('g1', '0000')).toMatchObject({
      ok: false,
      reply: { code: 'bad_pin', message: 'wrong PIN (4 tries left before a lockout)' },
    });
  });
});

describe('kiosk agent: PIN taps', () => {
  const env = useKioskAgent();

  it('records a tap with method pin and the guardian as actor, offline from the roster it holds', async () => {
    await env.hub.publish(topics.roster(FACILITY), rosterWithPin(), true);
    const k = await env.start();
    await ready(k.out);
    expect(k.kiosk.families().find((f) => f.id === 'g1')?.pin).toBe(true);
    expect(k.kiosk.guardianPinTap('g1', '1357')).toMatchObject({ ok: false, code: 'bad_pin' });
    expect(okTaps(k.out)).toHaveLength(0);
    expect(k.kiosk.guardianPinTap('g1', PIN)).toEqual({ ok: true });
    const [line] = okTaps(k.out);
    expect(line).toMatchObject({ reader: 'pin', guardian: { id: 'g1' } });
    const recorded = await env.hub.until(
      () => (env.hub.received.length >= 2 ? env.hub.received : undefined),
      'events at the hub',
    );
    expect(recorded.map((e) => [e.method, e.actor, e.deviceId])).toEqual([
      ['pin', 'g1', DEVICE],
      ['pin', 'g1', DEVICE],
    ]);
  });
});
