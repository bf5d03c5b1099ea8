import type { Logger } from '../common/logger.ts';
import type { Ack, DeviceResponse, Rollcall } from '../protocol/index.ts';
import type { DeviceSignal } from './mqtt/device-status.ts';
import type { StoredEvent } from './store/events.ts';
import type { RosterData } from './store/roster.ts';

/**
 * The facts the hub's services tell each other, by name. Who publishes and who listens is wired in
 * edge-hub/hub-services.ts (between services) and edge-hub/hub-listeners.ts (to and from MQTT).
 */
export interface HubEvents {
  /** Events newly committed (a kiosk's group, a tablet action): the roll-call and the relay catch up. */
  'events.stored': readonly StoredEvent[];
  /** A device's part of a committed group: its ack goes out on MQTT. */
  'events.acked': { deviceId: string; ack: Ack };
  /** A device request was handled and its answer stored: the answer goes out on MQTT. */
  'request.answered': { deviceId: string; response: DeviceResponse };
  /** The hub reloaded a changed roster: the roll-call, the tablets and (retained, on MQTT) the kiosks. */
  'roster.changed': { roster: RosterData; version: number };
  /** The roll-call snapshot was taken (throttled): retained on MQTT, and pushed to the tablets. */
  'rollcall.changed': Rollcall;
  /** The facility settings changed (HTTP API, admin app): the tablets' roll-call reads them. */
  'settings.changed': undefined;
  /** What the broker heard of a device: the admin app's device list. */
  'device.status': DeviceSignal;
  /** Parents' pickup plans were stored: the kiosks' retained plans of the day are published again. */
  'pickups.changed': undefined;
}

/** A listener may return a promise: publishAndWait waits for it, publish does not. */
export type Listener<T> = (payload: T) => void | Promise<void>;

/** An event without a payload is published with its name alone. */
type PayloadArgs<T> = [T] extends [undefined] ? [] : [T];

type AnyListener = (payload: unknown) => void | Promise<void>;

/**
 * A small synchronous, typed publish/subscribe. Listeners run in the order they subscribed, inside the
 * publisher's call. A listener's throw or rejection is logged and never reaches the publisher or the other
 * listeners: a bad listener must not stop ingest from acking.
 */
export class EventBus<M extends object> {
  private readonly listeners = new Map<keyof M, AnyListener[]>();
  private readonly logger: Pick<Logger, 'error'>;

  constructor(options: { logger: Pick<Logger, 'error'> }) {
    this.logger = options.logger;
  }

  /** Subscribes; returns the unsubscribe. */
  on<K extends keyof M>(name: K, listener: Listener<M[K]>): () => void {
    const own = listener as AnyListener;
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), own]);
    return () => {
      this.listeners.set(
        name,
        (this.listeners.get(name) ?? []).filter((l) => l !== own),
      );
    };
  }

  /** Tells every listener now; returns once they have run (what they started may still be going). */
  publish<K extends keyof M>(name: K, ...args: PayloadArgs<M[K]>): void {
    // Each promise is guarded in deliver: nothing is left to reject unhandled.
    void this.deliver(name, args[0]);
  }

  /** Like publish; the promise settles once every promise a listener returned has settled. Never rejects. */
  async publishAndWait<K extends keyof M>(name: K, ...args: PayloadArgs<M[K]>): Promise<void> {
    await Promise.all(this.deliver(name, args[0]));
  }

  /** Runs the listeners; the promises they returned, each already guarded. */
  private deliver(name: keyof M, payload: unknown): Promise<void>[] {
    const pending: Promise<void>[] = [];
    // on() and the unsubscribe replace the array, so this is the list as it was at the publish.
    for (const listener of this.listeners.get(name) ?? []) {
      try {
        const result = listener(payload);
        if (result instanceof Promise) {
          pending.push(
            result.catch((err: unknown) => {
              this.failed(name, err);
            }),
          );
        }
      } catch (err) {
        this.failed(name, err);
      }
    }
    return pending;
  }

  private failed(name: keyof M, err: unknown): void {
    this.logger.error({ err, event: String(name) }, 'hub event listener failed');
  }
}

/** The hub's bus. */
export type HubBus = EventBus<HubEvents>;

export function createHubBus(logger: Logger): HubBus {
  return new EventBus<HubEvents>({ logger });
}
