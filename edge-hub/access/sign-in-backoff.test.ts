import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../common/passwords.ts';
import type { Clock } from '../../common/time.ts';
import { removeDir, tempDir } from '../../test/support/hub.ts';
import { HubStore } from '../store/hub-store.ts';
import { BACKOFF_FORGET_MS, BACKOFF_MAX_IDS, BACKOFF_MAX_MS, SignInBackoff } from './sign-in-backoff.ts';
import { PinSignIn, SignInLimitedError } from './pin-sign-in.ts';
import { addStaff } from './staff-accounts.ts';

/** A clock the test moves. */
function testClock(start = '2026-04-01T09:00:00Z'): Clock & { advance(ms: number): void } {
  let now = Date.parse(start);
  return {
    now: () => new Date(now),
    advance: (ms) => {
      now += ms;
    },
  };
}

describe('staff sign-in back-off', () => {
  let dir: string;
  let store: HubStore;
  let clock: ReturnType<typeof testClock>;
  beforeEach(async () => {
    dir = await tempDir();
    clock = testClock();
    store = HubStore.open(dir, { clock });
  });
  afterEach(async () => {
    store.close();
    await removeDir(dir);
  });

  it('waits 1 s after the 5th failure, doubling at each further one up to 15 minutes', () => {
    const backoff = new SignInBackoff(store, clock);
    for (let i = 0; i < 4; i++) backoff.fail('boss');
    expect(backoff.retryAfter('boss')).toBeUndefined();
    const waits: (number | undefined)[] = [];
    for (let i = 0; i < 14; i++) {
      backoff.fail('boss');
      waits.push(backoff.retryAfter('boss'));
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900, 900]);
    clock.advance(BACKOFF_MAX_MS - 1);
    expect(backoff.retryAfter('boss')).toBe(1);
    clock.advance(1);
    expect(backoff.retryAfter('boss')).toBeUndefined();
    backoff.succeed('boss');
    backoff.fail('boss');
    expect(backoff.retryAfter('boss')).toBeUndefined();
  });

  it('survives a restart of the hub (a new store on the same data dir)', () => {
    const backoff = new SignInBackoff(store, clock);
    for (let i = 0; i < 7; i++) backoff.fail('boss');
    expect(backoff.retryAfter('boss')).toBe(4);
    store.close();
    store = HubStore.open(dir, { clock });
    expect(new SignInBackoff(store, clock).retryAfter('boss')).toBe(4);
  });

  it('forgets a staff id a day after its last failure, and keeps a bounded number of ids', () => {
    const backoff = new SignInBackoff(store, clock);
    for (let i = 0; i < 6; i++) backoff.fail('boss');
    clock.advance(BACKOFF_FORGET_MS + 1);
    backoff.fail('boss');
    expect(store.signInLimits.failures('boss')?.failures).toBe(1);
    expect(backoff.retryAfter('boss')).toBeUndefined();
    store.transaction(() => {
      for (let i = 0; i < BACKOFF_MAX_IDS + 5; i++) backoff.fail(`guess-${String(i)}`);
    });
    const n = store.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM staff_sign_in_failures').get();
    expect(n?.n).toBe(BACKOFF_MAX_IDS);
  });

  it('refuses the right PIN only while the wait runs: a LAN guesser slows, but cannot lock the director out', async () => {
    await addStaff(store, { id: 'boss', name: '園長', pin: '246813', role: 'admin' });
    const pins = new PinSignIn(store, clock);
    const attempt = (pin: string, place: string) =>
      pins.verify({ staffId: 'boss', pin }, place, { action: 'admin.sign_in' }).then(
        () => 'ok',
        (err: unknown) =>
          err instanceof SignInLimitedError ? `wait ${String(err.retryAfterSeconds)}` : 'bad',
      );
    // The guesser changes address to get round the per-place limit; the per-id back-off still holds.
    const outcomes: string[] = [];
    for (let i = 0; i < 8; i++) outcomes.push(await attempt('000000', `10.0.0.${String(i)}`));
    expect(outcomes).toEqual(['bad', 'bad', 'bad', 'bad', 'bad', 'wait 1', 'wait 1', 'wait 1']);
    clock.advance(1000);
    expect(await attempt('000000', 'office')).toBe('bad');
    expect(await attempt('246813', 'office')).toBe('wait 2');
    clock.advance(2000);
    expect(await attempt('246813', 'office')).toBe('ok');
    expect(await attempt('000000', 'office')).toBe('bad');
    expect(await attempt('246813', 'office')).toBe('ok');
  });

  it('learns at sign-in that an admin PIN is shorter than 6 digits, and reports it', async () => {
    await addStaff(store, { id: 'boss', name: '園長', pin: '246813', role: 'admin' });
    // An admin PIN set before the 6-digit rule: its length is unknown until it is typed.
    store.db
      .prepare("UPDATE staff SET pin_hash = ?, pin_short = NULL WHERE id = 'boss'")
      .run(await hashPassword('2468', 'chosen'));
    expect(store.signInLimits.adminsWithShortPin()).toEqual([]);
    const warned: string[] = [];
    const pins = new PinSignIn(store, clock, (id) => warned.push(id));
    await pins.verify({ staffId: 'boss', pin: '2468' }, 'office', { action: 'admin.sign_in' });
    expect(warned).toEqual(['boss']);
    expect(store.signInLimits.adminsWithShortPin()).toEqual(['boss']);
    expect(store.people.staffList()).toEqual([
      { id: 'boss', name: '園長', role: 'admin', disabled: false, pinTooShort: true },
    ]);
    await addStaff(store, { id: 'boss', name: '園長', pin: '24681357', role: 'admin' });
    expect(store.signInLimits.adminsWithShortPin()).toEqual([]);
    expect(store.people.staffList()[0]).not.toHaveProperty('pinTooShort');
  });
});
