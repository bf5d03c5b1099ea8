/** A listener for one event of a typed event map. */
export type Listener<T> = (payload: T) => void;

type ListenerSets<M> = { [K in keyof M]?: Set<Listener<M[K]>> };

/**
 * A minimal typed event emitter: one payload object per event. Unlike node:events, an `error` event with
 * no listener is not thrown, because a reader seeing bad input must never bring the kiosk down.
 */
export class TypedEmitter<M extends object> {
  readonly #listeners: ListenerSets<M> = {};

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof M>(event: K, listener: Listener<M[K]>): () => void {
    const set = this.#listeners[event] ?? new Set<Listener<M[K]>>();
    this.#listeners[event] = set;
    set.add(listener);
    return () => {
      this.off(event, listener);
    };
  }

  off<K extends keyof M>(event: K, listener: Listener<M[K]>): void {
    this.#listeners[event]?.delete(listener);
  }

  listenerCount(event: keyof M): number {
    return this.#listeners[event]?.size ?? 0;
  }

  protected emit<K extends keyof M>(event: K, payload: M[K]): void {
    const set = this.#listeners[event];
    if (!set) return;
    // A copy, so that a listener removing itself does not skip the next one.
    for (const listener of [...set]) listener(payload);
  }
}
