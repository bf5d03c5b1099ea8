import type { Logger } from '../../common/logger.ts';
import type { Clock } from '../../common/time.ts';
import {
  BATCH_MAX,
  ErrorCodes,
  HUB_TIME_WINDOW,
  MQTT_PAYLOAD_MAX,
  parseEventsPayload,
  validateEvent,
  type Ack,
  type AttendanceEvent,
  type Rejection,
  type TimeWindow,
} from '../../protocol/index.ts';
import { kioskAuthority, voidTarget } from './authority.ts';
import type { EventRef, StoredEvent } from '../store/events.ts';
import type { StoreOf, Transactional } from '../store/hub-store.ts';

export interface IngestRoster {
  hasChild(childId: string): boolean;
  /** Whether the guardian may act for the child (a kiosk's events: edge-hub/mqtt/authority.ts). */
  isGuardianOf(guardianId: string, childId: string): boolean;
  /** Re-reads the roster if another process imported a new one; called before rejecting unknown_child. */
  refresh(): void;
}

export interface IngestOptions {
  /** Events are stored; `corrections` says which months are closed (their events are refused). */
  store: StoreOf<'events' | 'corrections'> & Transactional;
  logger: Logger;
  clock: Clock;
  roster: IngestRoster;
  /** Sends the ack to the device; called only after the group's transaction has committed. */
  publishAck: (deviceId: string, ack: Ack) => void;
  /** Events newly stored by a committed group (for the roll-call and the relay). */
  onCommitted: (stored: readonly StoredEvent[]) => void;
  /** How long after its event a kiosk may void it (the facility's undoWindowMinutes), read per group. */
  undoWindowMs: () => number;
  /** The validity rule's time window around the hub's clock (protocol/plausibility.ts). */
  timeWindow?: TimeWindow;
  /** Upper bound of messages per transaction, so that one flush does not stall the event loop. */
  maxGroupMessages?: number;
  /** After a failed commit, the group is retried after this delay (doubling), this many times. */
  retryDelayMs?: number;
  maxAttempts?: number;
}

interface Item {
  deviceId: string;
  payload: Buffer;
  attempts: number;
}

/**
 * The rejection of a payload over MQTT_PAYLOAD_MAX, which is not validated further. A batch of more than
 * BATCH_MAX events is named as such even when it is also too large: fewer events is the fix the device
 * needs. (The broker drops connections sending packets over 1 MiB, so this parse is bounded.)
 */
export function oversizedRejection(payload: Buffer): Rejection {
  let count: number | undefined;
  try {
    const json: unknown = JSON.parse(payload.toString('utf8'));
    if (typeof json === 'object' && json !== null && 'events' in json && Array.isArray(json.events)) {
      count = json.events.length;
    }
  } catch {
    // not JSON: too large is all there is to say
  }
  if (count !== undefined && count > BATCH_MAX) {
    return {
      id: null,
      code: ErrorCodes.batchTooLarge,
      message: `a batch holds at most ${BATCH_MAX} events, got ${count}`,
    };
  }
  return {
    id: null,
    code: ErrorCodes.payloadTooLarge,
    message: `payload of ${payload.length} bytes is over the ${MQTT_PAYLOAD_MAX}-byte limit`,
  };
}

/**
 * Group commit. synchronous=FULL costs an fsync per commit, so messages are queued as they arrive and
 * everything that came in during the same event-loop turn is checked and stored in ONE transaction; then
 * each device gets one ack for its part of the group. While a commit runs (synchronously) the sockets fill
 * up, so the next group is naturally larger under load.
 */
export class Ingest {
  private readonly store: StoreOf<'events' | 'corrections'> & Transactional;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly roster: IngestRoster;
  private readonly publishAck: IngestOptions['publishAck'];
  private readonly onCommitted: IngestOptions['onCommitted'];
  private readonly undoWindowMs: () => number;
  private readonly timeWindow: TimeWindow;
  private readonly maxGroup: number;
  private readonly retryDelayMs: number;
  private readonly maxAttempts: number;
  private queue: Item[] = [];
  private immediate: NodeJS.Immediate | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private closed = false;

  constructor(options: IngestOptions) {
    this.store = options.store;
    this.logger = options.logger;
    this.clock = options.clock;
    this.roster = options.roster;
    this.publishAck = options.publishAck;
    this.onCommitted = options.onCommitted;
    this.undoWindowMs = options.undoWindowMs;
    this.timeWindow = options.timeWindow ?? HUB_TIME_WINDOW;
    this.maxGroup = options.maxGroupMessages ?? 2000;
    this.retryDelayMs = options.retryDelayMs ?? 500;
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  /** An events payload published by an authenticated device. */
  submit(deviceId: string, payload: Buffer): void {
    if (this.closed) return;
    this.queue.push({ deviceId, payload, attempts: 0 });
    this.schedule();
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Processes everything queued now, synchronously (close, tests). */
  flush(): void {
    this.cancelTimers();
    while (this.queue.length > 0) {
      if (!this.processGroup()) break;
    }
  }

  /** Flushes what is queued and accepts nothing more. */
  close(): void {
    this.flush();
    this.cancelTimers();
    this.closed = true;
  }

  /**
   * An event the hub records itself (a staff action on a tablet): checked like a device's event (roster,
   * voids, closed months), stored in its own transaction, then handed to onCommitted like any committed group, so that the
   * roll-call, the push channel and the cloud relay see it. `build` runs inside the transaction, only when
   * `id` is not stored yet, so that it can take the device's next sequence number. Idempotent by id: a
   * retry returns the stored event.
   */
  record(
    id: string,
    build: () => AttendanceEvent,
  ): { event: AttendanceEvent; duplicate: boolean } | { rejection: Rejection } {
    const attempt = () =>
      this.store.transaction(() => {
        const existing = this.store.events.eventById(id);
        if (existing) return { event: existing, duplicate: true, stored: [] as StoredEvent[] };
        const built = validateEvent(build(), { now: this.clock.now(), window: this.timeWindow });
        if ('rejection' in built) return { rejection: built.rejection };
        const event = built.event;
        if (!this.roster.hasChild(event.childId)) {
          return {
            rejection: {
              id,
              code: ErrorCodes.unknownChild,
              message: `child ${event.childId} is not on the roster`,
            },
          };
        }
        if (event.voids !== undefined) {
          const found = voidTarget({ ...event, voids: event.voids }, (v) => this.store.events.eventRef(v));
          if ('rejection' in found) return { rejection: found.rejection };
        }
        const closed = this.closedMonthCheck()(event, (v) => this.store.events.eventRef(v));
        if (closed) return { rejection: closed };
        const out = this.store.events.insertInTransaction([event], this.clock.now().toISOString());
        return { event, duplicate: false, stored: out.inserted };
      });
    let result = attempt();
    if ('rejection' in result && result.rejection.code === ErrorCodes.unknownChild) {
      // A child missing from our copy of the roster may have been added by an import a moment ago.
      this.roster.refresh();
      result = attempt();
    }
    if ('rejection' in result) return result;
    if (result.stored.length > 0) {
      try {
        this.onCommitted(result.stored);
      } catch (err) {
        this.logger.error({ err }, 'post-commit update failed');
      }
    }
    return { event: result.event, duplicate: result.duplicate };
  }

  private cancelTimers(): void {
    if (this.immediate) clearImmediate(this.immediate);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.immediate = undefined;
    this.retryTimer = undefined;
  }

  private schedule(): void {
    // While backing off after a failed commit, new messages just wait for the retry.
    if (this.immediate || this.retryTimer) return;
    this.immediate = setImmediate(() => {
      this.immediate = undefined;
      if (this.processGroup() && this.queue.length > 0) this.schedule();
    });
  }

  /** Checks and commits one group, then acks it. False when the commit failed (the group was requeued). */
  private processGroup(): boolean {
    const items = this.queue.length <= this.maxGroup ? this.queue : this.queue.slice(0, this.maxGroup);
    this.queue = this.queue.length <= this.maxGroup ? [] : this.queue.slice(this.maxGroup);

    const acks = new Map<string, Ack>();
    const ackOf = (deviceId: string): Ack => {
      let ack = acks.get(deviceId);
      if (!ack) {
        ack = { acked: [], rejected: [] };
        acks.set(deviceId, ack);
      }
      return ack;
    };
    const candidates: { deviceId: string; event: AttendanceEvent }[] = [];
    for (const item of items) {
      const ack = ackOf(item.deviceId);
      if (item.payload.length > MQTT_PAYLOAD_MAX) {
        ack.rejected.push(oversizedRejection(item.payload));
        continue;
      }
      const { events, rejected } = parseEventsPayload(item.payload, {
        now: this.clock.now(),
        window: this.timeWindow,
      });
      ack.rejected.push(...rejected);
      for (const event of events) {
        if (event.deviceId === item.deviceId) candidates.push({ deviceId: item.deviceId, event });
        else {
          ack.rejected.push({
            id: event.id,
            code: ErrorCodes.deviceMismatch,
            message: `deviceId ${event.deviceId} is not the publishing device ${item.deviceId}`,
          });
        }
      }
    }
    // A child missing from our copy of the roster may have been added by an import a moment ago.
    if (candidates.some((c) => !this.roster.hasChild(c.event.childId))) {
      try {
        this.roster.refresh();
      } catch (err) {
        this.logger.error({ err }, 'roster refresh failed');
      }
    }

    let stored: StoredEvent[] = [];
    try {
      // Nothing to check or store (only bad payloads): no need for the write lock.
      if (candidates.length > 0)
        stored = this.store.transaction(() => this.check(candidates, ackOf)).inserted;
    } catch (err) {
      this.onCommitFailure(items, err);
      return false;
    }
    this.failures = 0;

    // Committed: from here on nothing may undo or block the acks, and no error may escape (this runs
    // from setImmediate, where a throw would end the process).
    for (const [deviceId, ack] of acks) {
      for (const r of ack.rejected) {
        this.logger.warn({ deviceId, eventId: r.id, code: r.code }, 'event rejected');
      }
      try {
        this.publishAck(deviceId, ack);
      } catch (err) {
        this.logger.error({ err, deviceId }, 'ack publish failed; the device will resend');
      }
    }
    if (stored.length > 0) {
      try {
        this.onCommitted(stored);
      } catch (err) {
        this.logger.error({ err }, 'post-commit update failed');
      }
    }
    return true;
  }

  /**
   * Runs inside the group's transaction: sorts each candidate into duplicate (acked again), rejected, or
   * stored, then inserts the stored ones. Checks see events stored earlier in the same group. Devices that
   * publish events are kiosks (the broker lets no other role), so each event is held to a kiosk's authority.
   */
  private check(
    candidates: readonly { deviceId: string; event: AttendanceEvent }[],
    ackOf: (deviceId: string) => Ack,
  ) {
    const inGroup = new Map<string, EventRef>(); // this group's accepted events
    const lookup = (id: string) => inGroup.get(id) ?? this.store.events.eventRef(id);
    const undoWindowMs = this.undoWindowMs();
    const closedMonth = this.closedMonthCheck();
    const toInsert: AttendanceEvent[] = [];
    for (const { deviceId, event } of candidates) {
      const ack = ackOf(deviceId);
      if (lookup(event.id) !== undefined) {
        // Already stored: the device resent it (lost ack, reconnect). The first copy wins; ack again.
        ack.acked.push(event.id);
        continue;
      }
      if (!this.roster.hasChild(event.childId)) {
        ack.rejected.push({
          id: event.id,
          code: ErrorCodes.unknownChild,
          message: `child ${event.childId} is not on the roster`,
        });
        continue;
      }
      const refused = kioskAuthority(event, {
        deviceId,
        isGuardianOf: (g, c) => this.roster.isGuardianOf(g, c),
        lookup,
        undoWindowMs,
      });
      if (refused) {
        ack.rejected.push(refused);
        continue;
      }
      const closed = closedMonth(event, lookup);
      if (closed) {
        ack.rejected.push(closed);
        continue;
      }
      inGroup.set(event.id, { childId: event.childId, deviceId, occurredMs: Date.parse(event.occurredAt) });
      toInsert.push(event);
      ack.acked.push(event.id);
    }
    return this.store.events.insertInTransaction(toInsert, this.clock.now().toISOString());
  }

  /**
   * A check, for one group, that refuses an event dated in a closed month (POST /api/months/M/close), or a
   * void of an event dated in one: those days change only by an amendment. One lookup per month per group.
   */
  private closedMonthCheck(): (
    event: AttendanceEvent,
    lookup: (id: string) => EventRef | undefined,
  ) => Rejection | undefined {
    const closed = new Map<string, boolean>();
    const isClosed = (month: string) => {
      let c = closed.get(month);
      if (c === undefined) {
        c = this.store.corrections.isClosed(month);
        closed.set(month, c);
      }
      return c;
    };
    return (event, lookup) => {
      const months = [this.store.events.localDateOf(event.occurredAt).slice(0, 7)];
      const target = event.voids === undefined ? undefined : lookup(event.voids);
      if (target) months.push(this.store.events.localDateOf(new Date(target.occurredMs)).slice(0, 7));
      const month = months.find(isClosed);
      return month === undefined
        ? undefined
        : {
            id: event.id,
            code: ErrorCodes.monthClosed,
            message: `${month} is closed: its record changes only by an amendment`,
          };
    };
  }

  private onCommitFailure(items: Item[], err: unknown): void {
    this.failures++;
    // Nothing is acked: the devices keep the events in their outboxes. The hub retries a few times on its
    // own so that a transient error (a long lock held by another process) does not wait for a reconnect.
    const retry = items
      .filter((i) => i.attempts + 1 < this.maxAttempts)
      .map((i) => ({ ...i, attempts: i.attempts + 1 }));
    this.logger.error(
      { err, messages: items.length, dropped: items.length - retry.length },
      'commit failed; nothing acked, devices will resend',
    );
    if (this.closed) return;
    this.queue = [...retry, ...this.queue];
    if (this.queue.length === 0) return;
    if (this.immediate) clearImmediate(this.immediate);
    this.immediate = undefined;
    const delay = Math.min(30_000, this.retryDelayMs * 2 ** (this.failures - 1));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.processGroup() && this.queue.length > 0) this.schedule();
    }, delay);
  }
}
