import type { MetaTable } from './meta.ts';

/** The resync requests (protocol/resync.ts) this kiosk served, newest last (in table meta). */
export interface ResyncStore {
  /** Whether the request `id` was served here. */
  served(id: string): boolean;
  /** The last one served: the kiosk's status reports it (`resynced`). */
  lastServed(): string | undefined;
  /** Records `id` as served, within the caller's transaction (with the outbox's re-queueing). */
  recordServed(id: string): void;
}

const KEY = 'resync_served';
/** Enough to never serve a still-retained request twice; older ids are long withdrawn. */
const KEPT = 20;

export class MetaResyncStore implements ResyncStore {
  readonly #meta: MetaTable;

  constructor(meta: MetaTable) {
    this.#meta = meta;
  }

  served(id: string): boolean {
    return this.#ids().includes(id);
  }

  lastServed(): string | undefined {
    return this.#ids().at(-1);
  }

  recordServed(id: string): void {
    const ids = this.#ids().filter((x) => x !== id);
    this.#meta.set(KEY, JSON.stringify([...ids, id].slice(-KEPT)));
  }

  #ids(): string[] {
    const raw = this.#meta.get(KEY);
    if (raw === undefined) return [];
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : [];
  }
}
