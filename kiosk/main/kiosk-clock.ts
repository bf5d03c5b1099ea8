import type { ClockDoubt } from '../../protocol/index.ts';
import type { Clock } from '../../common/time.ts';

/**
 * The kiosk's time for everything a person or the hub reads: event stamps (occurredAt), QR code expiry,
 * the business day. The hub publishes its clock (genkan/v1/F/time, retained, every 15 s); each sample
 * measures skew = hub − local. Within the threshold (2 min) the kiosk's own clock is trusted; beyond it
 * the kiosk runs on local + skew until a sample says otherwise.
 *
 * Stamps never go back: a reading is held at the newest time the kiosk has seen (its last stamp, the
 * hub's time less the threshold), which is persisted so that a restart with a clock set back is caught.
 * A reading says when it is in doubt: `unsynced` (no hub time yet in this process) or `held_back`.
 */

export const KIOSK_CLOCK_DEFAULTS = {
  /** Skew the kiosk tolerates before it stamps with the hub's time (docs/protocol.md "Clocks"). */
  thresholdMs: 120_000,
  /**
   * Once correcting, it stops only below threshold − this, so a skew hovering at the threshold does
   * not flip the mode (and the status) every 15 s.
   */
  hysteresisMs: 10_000,
  /**
   * A retained sample (delivered at subscribe) may be up to one publish period (15 s) old. One that
   * reads at most this much behind the current estimate is that staleness, not a clock change.
   */
  retainedStaleMs: 20_000,
  /** The floor reached through hub samples alone is persisted at most once per this much time. */
  persistStepMs: 60_000,
} as const;

/** Where the newest time seen survives a restart (the kiosk store's meta table, in ms since 1970). */
export interface ClockFloorStore {
  load(): number | undefined;
  save(ms: number): void;
}

export interface ClockReading {
  at: Date;
  /** Absent when the time is trusted. */
  doubt?: ClockDoubt;
}

/** As in the device status (StatusSchema `clock`). */
export interface ClockState {
  /** Hub minus local, of the latest sample; 0 before any. */
  skewMs: number;
  /** Readings are local + skewMs. */
  corrected: boolean;
  /** A hub sample has been seen since this process started. */
  synced: boolean;
}

export interface KioskClockOptions {
  clock: Clock;
  floor?: ClockFloorStore;
  thresholdMs?: number;
}

export class KioskClock {
  readonly #clock: Clock;
  readonly #store: ClockFloorStore | undefined;
  readonly #thresholdMs: number;
  #skewMs = 0;
  #synced = false;
  #corrected = false;
  /** The newest time seen, ms; readings never go below it. */
  #floor: number;
  #persisted: number;
  /** The skew of the last announced change, to tell a new jump from sample jitter. */
  #announcedSkew = 0;

  constructor(options: KioskClockOptions) {
    this.#clock = options.clock;
    this.#store = options.floor;
    this.#thresholdMs = options.thresholdMs ?? KIOSK_CLOCK_DEFAULTS.thresholdMs;
    const stored = options.floor?.load();
    this.#floor = stored !== undefined && Number.isFinite(stored) ? stored : Number.NEGATIVE_INFINITY;
    this.#persisted = this.#floor;
  }

  state(): ClockState {
    return { skewMs: Math.round(this.#skewMs), corrected: this.#corrected, synced: this.#synced };
  }

  /**
   * A hub time sample, `retained` when the broker delivered it at subscribe (so possibly stale).
   * Returns the new state when it is worth announcing: the first sample, correction starting or
   * stopping, or the skew moving by more than the threshold while correcting; undefined otherwise.
   */
  observeHub(hubNow: Date, options: { retained?: boolean } = {}): ClockState | undefined {
    const hub = hubNow.getTime();
    if (!Number.isFinite(hub)) return undefined;
    const measured = hub - this.#clock.now().getTime();
    const staleCopy =
      options.retained === true &&
      this.#synced &&
      measured <= this.#skewMs &&
      this.#skewMs - measured <= KIOSK_CLOCK_DEFAULTS.retainedStaleMs;
    if (!staleCopy) this.#skewMs = measured;
    const wasSynced = this.#synced;
    const wasCorrected = this.#corrected;
    this.#synced = true;
    const size = Math.abs(this.#skewMs);
    this.#corrected = wasCorrected
      ? size > this.#thresholdMs - KIOSK_CLOCK_DEFAULTS.hysteresisMs
      : size > this.#thresholdMs;
    this.#raiseFloorToHub(hub);
    const moved = this.#corrected && Math.abs(this.#skewMs - this.#announcedSkew) > this.#thresholdMs;
    if (wasSynced && wasCorrected === this.#corrected && !moved) return undefined;
    this.#announcedSkew = this.#skewMs;
    return this.state();
  }

  /** The time now, held at the floor; nothing is recorded (QR expiry, the business day, the status). */
  read(): ClockReading {
    const local = this.#clock.now().getTime();
    const base = this.#corrected ? local + this.#skewMs : local;
    if (base < this.#floor) return { at: new Date(this.#floor), doubt: 'held_back' };
    return this.#synced ? { at: new Date(base) } : { at: new Date(base), doubt: 'unsynced' };
  }

  /**
   * Records a reading as used for an event stamp: later readings never go below it. Returns the new floor
   * when it rose, for the caller to store in the same transaction as the event (agent/time.ts
   * appendStamped), so that no stored stamp is newer than the floor on disk at no extra write; undefined
   * when it did not rise.
   */
  commit(reading: ClockReading): number | undefined {
    const at = reading.at.getTime();
    if (at <= this.#floor) return undefined;
    this.#floor = at;
    this.#persisted = at;
    return at;
  }

  /** read() and commit() in one, saving the floor itself: a stamp stored without a transaction of its own. */
  stamp(): ClockReading {
    const reading = this.read();
    if (this.commit(reading) !== undefined) this.#persist();
    return reading;
  }

  #raiseFloorToHub(hub: number): void {
    // The hub's time less the tolerance: a kiosk within the threshold keeps its own (trusted) clock
    // instead of stamps stuck at each sample.
    const hubFloor = hub - this.#thresholdMs;
    if (this.#floor > hub + this.#thresholdMs) {
      // Stamps made by a clock running ahead: holding every later stamp up to them would put events in
      // the future, which the hub refuses. The hub's time is the authority.
      this.#floor = hubFloor;
      this.#persist();
      return;
    }
    if (hubFloor <= this.#floor) return;
    this.#floor = hubFloor;
    if (this.#floor - this.#persisted >= KIOSK_CLOCK_DEFAULTS.persistStepMs) this.#persist();
  }

  #persist(): void {
    if (!Number.isFinite(this.#floor)) return;
    this.#store?.save(this.#floor);
    this.#persisted = this.#floor;
  }
}
