import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../common/time.ts';
import { KioskClock, type ClockFloorStore } from './kiosk-clock.ts';
import { appendStamped } from './agent/time.ts';
import { KioskStore } from './store/kiosk-store.ts';
import type { EventDraft } from './store/outbox.ts';

const HUB = Date.parse('2026-04-01T01:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;

/** The kiosk's own (wrong or right) clock, moved by hand. */
function manualClock(start: number): Clock & { set(ms: number): void; advance(ms: number): void } {
  let t = start;
  return {
    now: () => new Date(t),
    set: (ms) => {
      t = ms;
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

function memoryFloor(initial?: number): ClockFloorStore & { saved: number[] } {
  const saved: number[] = [];
  return {
    saved,
    load: () => initial,
    save: (ms) => {
      saved.push(ms);
    },
  };
}

describe('KioskClock', () => {
  it('is unsynced until it sees the hub, then trusts its own clock within 2 minutes', () => {
    const local = manualClock(HUB - 90_000);
    const clock = new KioskClock({ clock: local });
    expect(clock.read()).toEqual({ at: new Date(HUB - 90_000), doubt: 'unsynced' });
    expect(clock.state()).toEqual({ skewMs: 0, corrected: false, synced: false });

    // 90 s behind: within the threshold, so the kiosk's own clock is used, with no doubt.
    expect(clock.observeHub(new Date(HUB))).toEqual({ skewMs: 90_000, corrected: false, synced: true });
    expect(clock.read()).toEqual({ at: new Date(HUB - 90_000) });
    // Exactly 2 minutes is not "more than 2 minutes".
    local.set(HUB + 15_000 - 2 * MIN);
    expect(clock.observeHub(new Date(HUB + 15_000))).toBeUndefined();
    expect(clock.state()).toMatchObject({ skewMs: 2 * MIN, corrected: false });
    expect(clock.read().at.getTime()).toBe(HUB + 15_000 - 2 * MIN);
  });

  it('corrects a clock 3 hours behind with the hub’s time, and stops when the clock is fixed', () => {
    const local = manualClock(HUB - 3 * HOUR);
    const clock = new KioskClock({ clock: local });
    expect(clock.observeHub(new Date(HUB))).toEqual({ skewMs: 3 * HOUR, corrected: true, synced: true });
    local.advance(5000);
    expect(clock.read()).toEqual({ at: new Date(HUB + 5000) });
    // Jitter of the next samples is not news.
    local.advance(10_000);
    expect(clock.observeHub(new Date(HUB + 15_000 + 40))).toBeUndefined();
    expect(clock.read().at.getTime()).toBe(HUB + 15_040);
    // Someone fixes the kiosk's clock (jumps it forward): correction stops at the next sample.
    local.set(HUB + 30_000);
    expect(clock.observeHub(new Date(HUB + 30_000))).toEqual({ skewMs: 0, corrected: false, synced: true });
    expect(clock.read()).toEqual({ at: new Date(HUB + 30_000) });
  });

  it('corrects a clock ahead too, and announces a new jump while correcting', () => {
    const local = manualClock(HUB + 10 * MIN);
    const clock = new KioskClock({ clock: local });
    expect(clock.observeHub(new Date(HUB))).toMatchObject({ skewMs: -10 * MIN, corrected: true });
    expect(clock.read().at.getTime()).toBe(HUB);
    // Now an hour ahead: still correcting, but the skew moved far: announced.
    local.set(HUB + 15_000 + HOUR);
    expect(clock.observeHub(new Date(HUB + 15_000))).toMatchObject({ skewMs: -HOUR, corrected: true });
    expect(clock.read().at.getTime()).toBe(HUB + 15_000);
  });

  it('keeps correcting a skew hovering at the threshold (hysteresis)', () => {
    const local = manualClock(HUB - 2 * MIN - 1000);
    const clock = new KioskClock({ clock: local });
    expect(clock.observeHub(new Date(HUB))).toMatchObject({ corrected: true });
    local.set(HUB + 15_000 - 2 * MIN + 1000);
    expect(clock.observeHub(new Date(HUB + 15_000))).toBeUndefined();
    expect(clock.state().corrected).toBe(true);
    local.set(HUB + 30_000 - MIN);
    expect(clock.observeHub(new Date(HUB + 30_000))).toMatchObject({ corrected: false });
  });

  it('never stamps earlier than its last stamp: a clock set back is held, and says so', () => {
    const local = manualClock(HUB);
    const clock = new KioskClock({ clock: local });
    clock.observeHub(new Date(HUB));
    const first = clock.stamp();
    expect(first).toEqual({ at: new Date(HUB) });
    // The clock is set back 10 minutes (no hub sample yet to notice).
    local.set(HUB - 10 * MIN);
    expect(clock.stamp()).toEqual({ at: new Date(HUB), doubt: 'held_back' });
    // Read only (QR expiry): held too, and the floor stays where it is.
    expect(clock.read()).toEqual({ at: new Date(HUB), doubt: 'held_back' });
    local.set(HUB + 1000);
    expect(clock.stamp()).toEqual({ at: new Date(HUB + 1000) });
  });

  it('holds a corrected clock at the last stamp when the local clock steps back between samples', () => {
    const local = manualClock(HUB - 3 * HOUR);
    const clock = new KioskClock({ clock: local });
    clock.observeHub(new Date(HUB));
    local.advance(1000);
    expect(clock.stamp()).toEqual({ at: new Date(HUB + 1000) });
    local.advance(-60_000);
    expect(clock.stamp()).toEqual({ at: new Date(HUB + 1000), doubt: 'held_back' });
  });

  it('takes the hub’s time, less the threshold, as a floor: a clock far behind before correction is held', () => {
    const local = manualClock(HUB);
    const clock = new KioskClock({ clock: local, thresholdMs: 2 * MIN });
    clock.observeHub(new Date(HUB));
    // 90 s back: still within the tolerance below the hub's time, so the kiosk's own time is used.
    local.set(HUB - 90_000);
    expect(clock.read()).toEqual({ at: new Date(HUB - 90_000) });
    // 5 minutes back: below the hub's time less 2 minutes.
    local.set(HUB - 5 * MIN);
    expect(clock.read()).toEqual({ at: new Date(HUB - 2 * MIN), doubt: 'held_back' });
  });

  it('drops a floor left by a clock that ran ahead once the hub says otherwise', () => {
    const local = manualClock(HUB + 3 * HOUR);
    const floor = memoryFloor();
    const clock = new KioskClock({ clock: local, floor });
    // Stamped before any hub time: 3 hours in the future, unsynced.
    expect(clock.stamp()).toEqual({ at: new Date(HUB + 3 * HOUR), doubt: 'unsynced' });
    clock.observeHub(new Date(HUB));
    // Corrected to the hub's time, not held 3 hours ahead (the hub would refuse such events).
    expect(clock.stamp()).toEqual({ at: new Date(HUB) });
    expect(floor.saved).toEqual([HUB + 3 * HOUR, HUB - 2 * MIN, HUB]);
  });

  it('treats a retained sample that reads a little behind as stale, not as a clock change', () => {
    const local = manualClock(HUB - 3 * HOUR);
    const clock = new KioskClock({ clock: local });
    clock.observeHub(new Date(HUB));
    local.advance(60_000);
    // Reconnect: the broker hands over the sample it kept, published 12 s ago.
    expect(clock.observeHub(new Date(HUB + 48_000), { retained: true })).toBeUndefined();
    expect(clock.state().skewMs).toBe(3 * HOUR);
    // A live sample is taken as it is.
    expect(clock.observeHub(new Date(HUB + 59_000))).toBeUndefined();
    expect(clock.state().skewMs).toBe(3 * HOUR - 1000);
    // A retained sample far off says the local clock changed meanwhile: taken.
    local.set(HUB + 61_000);
    expect(clock.observeHub(new Date(HUB + 50_000), { retained: true })).toEqual({
      skewMs: -11_000,
      corrected: false,
      synced: true,
    });
  });

  it('ignores an invalid sample', () => {
    const clock = new KioskClock({ clock: manualClock(HUB) });
    expect(clock.observeHub(new Date(Number.NaN))).toBeUndefined();
    expect(clock.state().synced).toBe(false);
  });

  describe('across restarts (the outbox store’s meta)', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'genkan-kclock-'));
    });
    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    function storeFloor(store: KioskStore): ClockFloorStore {
      return {
        load: () => {
          const v = store.settings.extraMeta('clock_floor');
          return v === undefined ? undefined : Number(v);
        },
        save: (ms) => {
          store.settings.setExtraMeta({ clock_floor: String(ms) });
        },
      };
    }

    it('catches a restart with the clock set back', () => {
      let store = KioskStore.open(dir);
      const local = manualClock(HUB);
      let clock = new KioskClock({ clock: local, floor: storeFloor(store) });
      clock.observeHub(new Date(HUB));
      local.advance(5000);
      expect(clock.stamp()).toEqual({ at: new Date(HUB + 5000) });
      store.close();

      // The power comes back with the clock (a dead RTC battery) at 3 hours earlier, hub unreachable.
      store = KioskStore.open(dir);
      local.set(HUB - 3 * HOUR);
      clock = new KioskClock({ clock: local, floor: storeFloor(store) });
      expect(clock.stamp()).toEqual({ at: new Date(HUB + 5000), doubt: 'held_back' });
      // Then the hub's time arrives: corrected, no longer held.
      local.advance(20_000);
      clock.observeHub(new Date(HUB + 20_000));
      expect(clock.state()).toMatchObject({ corrected: true, synced: true });
      expect(clock.stamp()).toEqual({ at: new Date(HUB + 20_000) });
      store.close();
    });

    it('persists hub samples at most once a minute; a commit hands its floor to the event’s transaction', () => {
      const local = manualClock(HUB);
      const floor = memoryFloor();
      const clock = new KioskClock({ clock: local, floor });
      for (let i = 0; i <= 8; i++) {
        local.set(HUB + i * 15_000);
        clock.observeHub(new Date(HUB + i * 15_000));
      }
      // Floors at HUB − 2 min, then +60 s and +120 s: three writes for nine samples.
      expect(floor.saved).toEqual([HUB - 2 * MIN, HUB - MIN, HUB]);
      // The caller stores the raised floor with the event (KioskStore.append): no write of its own.
      expect(clock.commit(clock.read())).toBe(HUB + 8 * 15_000);
      expect(clock.commit(clock.read())).toBeUndefined();
      expect(floor.saved).toHaveLength(3);
      // stamp() has no transaction to ride on, so it saves.
      local.advance(1000);
      clock.stamp();
      expect(floor.saved.slice(3)).toEqual([HUB + 8 * 15_000 + 1000]);
    });

    function tapDraft(occurredAt: string, childId = 'c001'): EventDraft {
      return {
        id: '0192f3a4-5b6c-7d8e-9f00-112233445566',
        type: 'check_in',
        childId,
        occurredAt,
        deviceId: 'kiosk-1',
        method: 'card',
        actor: 'g001',
      };
    }

    it('stores the floor in the same transaction as the tap', () => {
      let store = KioskStore.open(dir);
      const local = manualClock(HUB);
      const clock = new KioskClock({ clock: local, floor: storeFloor(store) });
      clock.observeHub(new Date(HUB));
      local.advance(5000);
      const reading = clock.read();
      appendStamped(store, clock, reading, [tapDraft(reading.at.toISOString())], new Date(HUB));
      store.close();
      store = KioskStore.open(dir);
      expect(storeFloor(store).load()).toBe(HUB + 5000);
      expect(store.outbox.counts().total).toBe(1);
      store.close();
    });

    it('keeps no floor of a tap that was not stored', () => {
      const store = KioskStore.open(dir);
      try {
        const local = manualClock(HUB);
        const clock = new KioskClock({ clock: local, floor: storeFloor(store) });
        clock.observeHub(new Date(HUB));
        const saved = storeFloor(store).load();
        local.advance(5000);
        const reading = clock.read();
        const bad = tapDraft(reading.at.toISOString(), 'not/an/id');
        expect(() => appendStamped(store, clock, reading, [bad], new Date(HUB))).toThrow(
          expect.objectContaining({ code: 'invalid_event' }) as Error,
        );
        expect(storeFloor(store).load()).toBe(saved);
        expect(store.outbox.counts().total).toBe(0);
      } finally {
        store.close();
      }
    });
  });
});
