import type { Duplex } from 'node:stream';
import { MAX_PACKET_BYTES } from './packet-guard.ts';

/** The bound on what the hub holds for a device that does not read (docs/deployment.md, "Limits"). */
export interface OutgoingLimits {
  /** Bytes waiting in a connection's write buffer: a delivery beyond them drops the connection. */
  maxBufferedBytes: number;
  /** A connection whose write buffer does not shrink or empty for this long is dropped. */
  stallMs: number;
}

/**
 * 256 KiB beyond one packet of the largest size (a roster may be that big): a device that reads at all
 * never reaches it. Stalled 4 s, sampled every 0.8 s: dropped at most 4.8 s after its buffer stopped moving.
 */
export const DEFAULT_OUTGOING_LIMITS: OutgoingLimits = {
  maxBufferedBytes: MAX_PACKET_BYTES + 256 * 1024,
  stallMs: 4000,
};

export type DropReason = 'outgoing_queue_full' | 'not_reading';

interface Watched {
  /** When the buffer was last seen empty or shrinking, while it holds anything. */
  since: number | undefined;
  buffered: number;
}

/**
 * Watches the write buffers of the broker's connections. aedes waits for a connection's 'drain' before it
 * counts a delivery done, and its message emitter runs a bounded number of messages at once: a subscriber
 * that stops reading would hold those slots and delay everyone's acks. So a connection is dropped
 *  - at once, when a delivery finds more than `maxBufferedBytes` waiting for it (the bounded queue), and
 *  - when its buffer holds data and has neither shrunk nor emptied for `stallMs` (sampled every
 *    stallMs / 5), which a device that reads at all, even slowly, does.
 * A dropped device may reconnect: retained topics come again and the kiosk resends what was not acked.
 */
export class OutgoingWatch {
  private readonly watched = new Map<Duplex, Watched>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly limits: OutgoingLimits,
    private readonly drop: (stream: Duplex, reason: DropReason, bufferedBytes: number) => void,
    private readonly now: () => number = Date.now,
  ) {}

  watch(stream: Duplex): void {
    this.watched.set(stream, { since: undefined, buffered: 0 });
    stream.once('close', () => this.watched.delete(stream));
    if (this.timer === undefined) {
      this.timer = setInterval(
        () => {
          this.sweep();
        },
        Math.max(50, Math.floor(this.limits.stallMs / 5)),
      );
      this.timer.unref();
    }
  }

  /** Before a delivery to `stream`: false (and the connection dropped) when its buffer is over the bound. */
  admit(stream: Duplex): boolean {
    const buffered = stream.writableLength;
    if (buffered <= this.limits.maxBufferedBytes) return true;
    this.dropNow(stream, 'outgoing_queue_full', buffered);
    return false;
  }

  /** Samples every watched buffer; public for tests that drive time themselves. */
  sweep(): void {
    const now = this.now();
    for (const [stream, w] of this.watched) {
      const buffered = stream.writableLength;
      if (buffered === 0 || buffered < w.buffered || w.since === undefined) {
        w.since = buffered === 0 ? undefined : now;
      } else if (now - w.since >= this.limits.stallMs) {
        this.dropNow(stream, 'not_reading', buffered);
        continue;
      }
      w.buffered = buffered;
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.watched.clear();
  }

  private dropNow(stream: Duplex, reason: DropReason, buffered: number): void {
    // Destroyed already (aedes' own drain timeout, say): its 'close' is on its way.
    if (!this.watched.delete(stream) || stream.destroyed) return;
    this.drop(stream, reason, buffered);
    stream.destroy();
  }
}
