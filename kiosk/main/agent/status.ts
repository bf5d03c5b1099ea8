import type { DeviceStatus } from '../../../protocol/index.ts';
import { formatRfc3339 } from '../../../common/time.ts';
import type { ReaderView } from '../../common/ui-api.ts';
import type { HubLink } from '../hub-link.ts';
import type { KioskClock } from '../kiosk-clock.ts';
import type { OutboxStore } from '../store/outbox.ts';
import type { ResyncStore } from '../store/resync.ts';
import type { FacilityState } from './facility.ts';
import type { KioskLifecycle } from './lifecycle.ts';

export interface StatusOptions {
  store: {
    readonly outbox: Pick<OutboxStore, 'pendingCount'>;
    readonly resync: Pick<ResyncStore, 'lastServed'>;
  };
  time: Pick<KioskClock, 'read' | 'state'>;
  facility: FacilityState;
  readers: { views(): ReaderView[] };
  link: Pick<HubLink, 'online' | 'publishStatus'>;
  lifecycle: Pick<KioskLifecycle, 'closed'>;
  /** The software version, reported in the status (the admin app's device list). */
  version: string | undefined;
  /** Outbox depth is published at most this often. */
  intervalMs: number;
}

/** The device status the hub keeps (retained): online, outbox depth, readers and clock. */
export class StatusPublisher {
  readonly #options: StatusOptions;
  #timer: NodeJS.Timeout | undefined;
  /** When the last online status was built, and the outbox depth it carried. */
  #at = 0;
  #depth: number | undefined;

  constructor(options: StatusOptions) {
    this.#options = options;
  }

  /** The status as of now; an online one counts as published for the throttle of changed(). */
  current(online: boolean): DeviceStatus {
    const { store, time, facility, readers, version } = this.#options;
    const outbox = store.outbox.pendingCount();
    const resynced = store.resync.lastServed();
    if (online) {
      this.#depth = outbox;
      this.#at = performance.now();
    }
    return {
      online,
      at: formatRfc3339(time.read().at, facility.roster?.roster.timeZone ?? 'UTC'),
      outbox,
      ...(version !== undefined && { version }),
      readers: readers.views(),
      clock: time.state(),
      // Only once a resync was served: a hub older than the field would refuse the status.
      ...(resynced !== undefined && { resynced }),
    };
  }

  /** A reader came or went, or the clock check changed: the hub's device list shows it at once. */
  publishNow(): void {
    const { link, lifecycle } = this.#options;
    if (!lifecycle.closed && link.online) link.publishStatus(this.current(true));
  }

  /** Outbox depth may have changed: publish it, at most once per intervalMs. */
  changed(): void {
    const { link, lifecycle, store } = this.#options;
    if (!link.online || this.#timer) return;
    const wait = this.#at + this.#options.intervalMs - performance.now();
    const publish = () => {
      this.#timer = undefined;
      if (lifecycle.closed || !link.online) return;
      if (store.outbox.pendingCount() === this.#depth) return;
      link.publishStatus(this.current(true));
    };
    if (wait <= 0) publish();
    else {
      this.#timer = setTimeout(publish, wait);
      this.#timer.unref();
    }
  }

  close(): void {
    clearTimeout(this.#timer);
  }
}
