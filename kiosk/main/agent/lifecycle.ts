import type { ReadyLine } from '../../common/output.ts';
import type { OutboxStore } from '../store/outbox.ts';
import type { FacilityState } from './facility.ts';
import type { KioskOutput } from './output.ts';

export interface LifecycleOptions {
  deviceId: string;
  /** Extra fields of the ready line (the screen's address in browser mode). */
  readyInfo: Pick<ReadyLine, 'ui'> | undefined;
  facility: FacilityState;
  store: { readonly outbox: Pick<OutboxStore, 'pendingCount'> };
  output: Pick<KioskOutput, 'emit'>;
}

/**
 * Starting → ready → closed. Ready once the readers read and a roster of a known facility is held (from
 * the cache or the hub); closed for good once close() began, which every part checks before acting.
 */
export class KioskLifecycle {
  readonly ready: Promise<ReadyLine>;
  readonly #options: LifecycleOptions;
  #resolveReady: (line: ReadyLine) => void = () => undefined;
  #readersOpen = false;
  #readyDone = false;
  #closed = false;

  constructor(options: LifecycleOptions) {
    this.#options = options;
    this.ready = new Promise((resolve) => {
      this.#resolveReady = resolve;
    });
  }

  get isReady(): boolean {
    return this.#readyDone;
  }

  get closed(): boolean {
    return this.#closed;
  }

  readersOpened(): void {
    this.#readersOpen = true;
  }

  /** Outputs the ready line the first time everything it needs is there. */
  maybeReady(): void {
    const held = this.#options.facility.roster;
    const facilityId = this.#options.facility.id;
    if (this.#readyDone || !this.#readersOpen || !held || facilityId === undefined) return;
    this.#readyDone = true;
    const line: ReadyLine = {
      ready: true,
      device: this.#options.deviceId,
      facility: facilityId,
      rosterVersion: held.roster.version,
      outbox: this.#options.store.outbox.pendingCount(),
      ...this.#options.readyInfo,
    };
    this.#options.output.emit(line);
    this.#resolveReady(line);
  }

  markClosed(): void {
    this.#closed = true;
  }
}
