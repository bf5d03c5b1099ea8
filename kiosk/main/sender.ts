import type { AttendanceEvent } from '../../protocol/index.ts';
import type { Logger } from '../../common/logger.ts';
import type { OutboxStore } from './store/outbox.ts';

export interface SenderOptions {
  store: { readonly outbox: Pick<OutboxStore, 'pending' | 'pendingByIds'> };
  /** Publishes one `{"events":[…]}` message; only called between connected() and disconnected(). */
  publish: (payload: string, events: readonly AttendanceEvent[]) => void;
  logger: Logger;
  /** Events per message (the hub takes up to 500). */
  batchSize?: number;
  /** Events sent and not yet acknowledged, at most. */
  maxInFlight?: number;
  /** An event sent this long ago without an ack is sent again. */
  ackTimeoutMs?: number;
  /** Largest message; the hub refuses MQTT payloads over 64 KiB. */
  maxPayloadBytes?: number;
  /** Monotonic milliseconds, for the ack timeout. */
  now?: () => number;
}

export const SENDER_DEFAULTS = {
  batchSize: 100,
  maxInFlight: 500,
  ackTimeoutMs: 10_000,
  maxPayloadBytes: 60 * 1024,
} as const;

/**
 * Delivers the outbox to the hub. On every connection it starts over from the oldest pending event,
 * sends in seq order within a bounded window of unacknowledged events, and resends an event that
 * stays unacknowledged too long (the hub may have died before its commit). It keeps no state that
 * matters across connections: the outbox in SQLite is the truth, and what was in flight is simply
 * sent again (the hub deduplicates by id).
 */
export class OutboxSender {
  readonly #store: SenderOptions['store'];
  readonly #publish: SenderOptions['publish'];
  readonly #logger: Logger;
  readonly #batchSize: number;
  readonly #maxInFlight: number;
  readonly #ackTimeoutMs: number;
  readonly #maxPayloadBytes: number;
  readonly #now: () => number;
  #connected = false;
  /** Highest seq sent on this connection; the next pump reads after it. */
  #cursor = 0;
  /** id → when it was last sent. */
  readonly #inFlight = new Map<string, number>();
  #pumpScheduled: NodeJS.Immediate | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: SenderOptions) {
    this.#store = options.store;
    this.#publish = options.publish;
    this.#logger = options.logger;
    this.#batchSize = options.batchSize ?? SENDER_DEFAULTS.batchSize;
    this.#maxInFlight = options.maxInFlight ?? SENDER_DEFAULTS.maxInFlight;
    this.#ackTimeoutMs = options.ackTimeoutMs ?? SENDER_DEFAULTS.ackTimeoutMs;
    this.#maxPayloadBytes = options.maxPayloadBytes ?? SENDER_DEFAULTS.maxPayloadBytes;
    this.#now = options.now ?? (() => performance.now());
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** The link is up (subscribed to acks): send everything pending, oldest first. */
  connected(): void {
    this.#connected = true;
    this.#cursor = 0;
    this.#inFlight.clear();
    clearInterval(this.#timer);
    const every = Math.max(20, Math.min(1000, Math.floor(this.#ackTimeoutMs / 4)));
    this.#timer = setInterval(() => {
      this.#resendExpired();
    }, every);
    this.#timer.unref();
    this.pump();
  }

  disconnected(): void {
    this.#connected = false;
    this.#inFlight.clear();
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** New events were appended: send them soon. Taps in one burst share messages. */
  kick(): void {
    if (!this.#connected || this.#pumpScheduled) return;
    this.#pumpScheduled = setImmediate(() => {
      this.#pumpScheduled = undefined;
      this.pump();
    });
  }

  /** The hub acknowledged or rejected these ids: they leave the window. */
  settled(ids: Iterable<string>): void {
    for (const id of ids) this.#inFlight.delete(id);
    this.kick();
  }

  /**
   * Events older than the cursor became pending again (a restored hub's resync request): start over from
   * the oldest pending event, leaving those in flight to their ack timeout.
   */
  rewind(): void {
    this.#cursor = 0;
    this.kick();
  }

  /** Sends pending events not yet sent on this connection, as far as the window allows. */
  pump(): void {
    while (this.#connected && this.#inFlight.size < this.#maxInFlight) {
      const room = Math.min(this.#batchSize, this.#maxInFlight - this.#inFlight.size);
      const events = this.#store.outbox.pending({ afterSeq: this.#cursor, limit: room });
      const last = events.at(-1);
      if (!last) return;
      this.#cursor = last.seq;
      // After a rewind, those still in flight are not sent twice.
      const fresh = events.filter((e) => !this.#inFlight.has(e.id));
      if (fresh.length > 0) this.#send(fresh);
    }
  }

  close(): void {
    this.disconnected();
    if (this.#pumpScheduled) clearImmediate(this.#pumpScheduled);
    this.#pumpScheduled = undefined;
  }

  #resendExpired(): void {
    if (!this.#connected) return;
    const now = this.#now();
    const expired: string[] = [];
    for (const [id, sentAt] of this.#inFlight) if (now - sentAt >= this.#ackTimeoutMs) expired.push(id);
    if (expired.length === 0) return;
    for (const id of expired) this.#inFlight.delete(id);
    // Those acknowledged or rejected in the meantime are no longer pending and drop out here.
    const events = this.#store.outbox.pendingByIds(expired);
    if (events.length === 0) return;
    this.#logger.warn({ count: events.length }, 'events not acknowledged in time; sending them again');
    this.#send(events);
  }

  /** Publishes events in order, in messages of at most batchSize events and maxPayloadBytes. */
  #send(events: readonly AttendanceEvent[]): void {
    const now = this.#now();
    let batch: AttendanceEvent[] = [];
    let parts: string[] = [];
    let bytes = '{"events":[]}'.length;
    const flush = () => {
      if (batch.length === 0) return;
      const payload = `{"events":[${parts.join(',')}]}`;
      for (const e of batch) this.#inFlight.set(e.id, now);
      try {
        this.#publish(payload, batch);
      } catch (err) {
        // Left in flight: the ack timeout sends them again.
        this.#logger.warn({ err, count: batch.length }, 'publishing events failed');
      }
      batch = [];
      parts = [];
      bytes = '{"events":[]}'.length;
    };
    for (const e of events) {
      const json = JSON.stringify(e);
      const size = Buffer.byteLength(json) + 1;
      if (batch.length >= this.#batchSize || (batch.length > 0 && bytes + size > this.#maxPayloadBytes))
        flush();
      batch.push(e);
      parts.push(json);
      bytes += size;
    }
    flush();
  }
}
