/**
 * Wakes the hubs' long-polls (GET /v1/hub/parent-messages) of a facility as soon as this process stored a
 * notice for it. In process only: a notice stored by another cloud process is found by the waiters'
 * re-check of the store every second instead. close() ends every wait at once (server shutdown), so no
 * timer outlives the server.
 */
export class ParentNoticeSignal {
  private readonly waiters = new Map<string, Set<() => void>>();
  private closed = false;

  /** Tells the facility's waiters that a notice was stored (after its commit). */
  notify(facilityId: string): void {
    const set = this.waiters.get(facilityId);
    if (set === undefined) return;
    this.waiters.delete(facilityId);
    for (const wake of set) wake();
  }

  /**
   * Resolves when a notice of the facility is stored, after `ms`, when `signal` aborts (the client went
   * away) or when the signal closes, whichever comes first. Never rejects; its timer is always cleared.
   */
  wait(facilityId: string, ms: number, signal: AbortSignal): Promise<void> {
    if (this.closed || signal.aborted || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      let set = this.waiters.get(facilityId);
      if (set === undefined) {
        set = new Set();
        this.waiters.set(facilityId, set);
      }
      const own = set;
      const wake = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', wake);
        own.delete(wake);
        if (own.size === 0 && this.waiters.get(facilityId) === own) this.waiters.delete(facilityId);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      signal.addEventListener('abort', wake, { once: true });
      own.add(wake);
    });
  }

  /** Waiters now, for tests and metrics. */
  waiting(): number {
    let n = 0;
    for (const set of this.waiters.values()) n += set.size;
    return n;
  }

  isClosed(): boolean {
    return this.closed;
  }

  /** Ends every wait now, and every later one at once. */
  close(): void {
    this.closed = true;
    const all = [...this.waiters.values()];
    this.waiters.clear();
    for (const set of all) for (const wake of set) wake();
  }
}
