import type { Logger } from '../../common/logger.ts';
import type { TabletPush as PushFrame, TabletRollcall } from '../../protocol/index.ts';

/** What the push needs of a WebSocket (ws's WebSocket has it; tests pass a fake). */
export interface PushSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
}

const OPEN = 1;

export interface TabletPushOptions {
  logger: Logger;
  /** Builds the current roll-call (once per push, shared by every tablet). */
  build: () => TabletRollcall;
  /** Whether the session behind a socket is still live. */
  sessionLive: (tokenHash: string) => boolean;
  /**
   * A burst of changes is coalesced to one frame per this period; the first change after a quiet period
   * goes out at once.
   */
  coalesceMs?: number;
  /** A heartbeat frame goes to each tablet that got nothing else for this long (tablets spot a silent hub). */
  heartbeatMs?: number;
  /** The heartbeat's `at` (the hub's clock). */
  now?: () => Date;
  /** Above this many unsent bytes a tablet gets no new frame: it is marked to get the newest later. */
  maxBufferedBytes?: number;
  /** A tablet whose buffer stays above the limit this long is disconnected. */
  stuckMs?: number;
  /** How often a backed-up tablet's buffer is looked at. */
  drainPollMs?: number;
  /** How often sessions are checked for expiry (and the time-dependent flags recomputed). */
  sessionCheckMs?: number;
  /** Changes whenever the roll-call would read differently without any event (the local minute). */
  timeKey?: () => string;
}

interface Client {
  socket: PushSocket;
  tokenHash: string;
  /** The newest frame not sent yet because the socket was backed up; only the newest is ever kept. */
  pending: string | undefined;
  stuckSince: number | undefined;
  /** Frames replaced before they could be sent (for tests and metrics). */
  skipped: number;
  /** When this tablet was last sent a frame (Date.now()). */
  sentAt: number;
}

/**
 * The tablets' WebSocket push. A change schedules one build (coalesced to one per coalesceMs) that goes to
 * every tablet. A tablet that does not read its socket never holds up the others and never has more than
 * the latest frame waiting for it.
 */
export class TabletPush {
  private readonly clients = new Set<Client>();
  private readonly logger: Logger;
  private readonly options: Required<Omit<TabletPushOptions, 'logger' | 'timeKey'>> & {
    timeKey: (() => string) | undefined;
  };
  private readonly heartbeatTimer: NodeJS.Timeout;
  private timer: NodeJS.Timeout | undefined;
  private drainTimer: NodeJS.Timeout | undefined;
  private readonly checkTimer: NodeJS.Timeout;
  private lastPush = 0;
  private lastTimeKey: string | undefined;
  private closed = false;

  constructor(options: TabletPushOptions) {
    this.logger = options.logger;
    this.options = {
      build: options.build,
      sessionLive: options.sessionLive,
      coalesceMs: options.coalesceMs ?? 100,
      maxBufferedBytes: options.maxBufferedBytes ?? 256 * 1024,
      stuckMs: options.stuckMs ?? 30_000,
      drainPollMs: options.drainPollMs ?? 50,
      sessionCheckMs: options.sessionCheckMs ?? 1000,
      heartbeatMs: options.heartbeatMs ?? 2000,
      now: options.now ?? (() => new Date()),
      timeKey: options.timeKey,
    };
    this.lastTimeKey = options.timeKey?.();
    this.checkTimer = setInterval(() => {
      this.check();
    }, this.options.sessionCheckMs);
    this.checkTimer.unref();
    // Checked four times per period: a tablet hears something at least every 1.25 periods (2.5 s).
    this.heartbeatTimer = setInterval(
      () => {
        this.heartbeat();
      },
      Math.max(1, Math.floor(this.options.heartbeatMs / 4)),
    );
    this.heartbeatTimer.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Frames skipped for a socket so far (it was backed up when newer ones came). */
  skippedFor(socket: PushSocket): number {
    for (const c of this.clients) if (c.socket === socket) return c.skipped;
    return 0;
  }

  /** A tablet connected: it gets the current roll-call at once. */
  add(socket: PushSocket, tokenHash: string): () => void {
    const client: Client = {
      socket,
      tokenHash,
      pending: undefined,
      stuckSince: undefined,
      skipped: 0,
      sentAt: Date.now(),
    };
    this.clients.add(client);
    const frame = this.frame();
    if (frame !== undefined) this.send(client, frame);
    return () => {
      this.clients.delete(client);
    };
  }

  /**
   * Something the roll-call shows changed: push. A lone change goes out at once; changes within
   * coalesceMs of the last push wait for the end of that period and go out as one frame.
   */
  changed(): void {
    if (this.timer || this.closed || this.clients.size === 0) return;
    const wait = this.lastPush + this.options.coalesceMs - Date.now();
    if (wait <= 0) {
      this.pushNow();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pushNow();
    }, wait);
  }

  /** The session ended (signed out): its tablets are told and disconnected. */
  endSession(tokenHash: string): void {
    for (const c of this.clients) if (c.tokenHash === tokenHash) this.end(c);
  }

  close(): void {
    this.closed = true;
    clearInterval(this.checkTimer);
    clearInterval(this.heartbeatTimer);
    if (this.timer) clearTimeout(this.timer);
    if (this.drainTimer) clearInterval(this.drainTimer);
    for (const c of this.clients) c.socket.terminate();
    this.clients.clear();
  }

  private frame(): string | undefined {
    try {
      const frame: PushFrame = { type: 'rollcall', rollcall: this.options.build() };
      return JSON.stringify(frame);
    } catch (err) {
      this.logger.error({ err }, 'tablet roll-call build failed');
      return undefined;
    }
  }

  private pushNow(): void {
    if (this.closed) return;
    this.lastPush = Date.now();
    const frame = this.frame();
    if (frame === undefined) return;
    for (const c of this.clients) this.send(c, frame);
  }

  private send(client: Client, frame: string): void {
    const { socket } = client;
    if (socket.readyState !== OPEN) return;
    if (socket.bufferedAmount > this.options.maxBufferedBytes) {
      if (client.pending !== undefined) client.skipped++;
      client.pending = frame;
      client.stuckSince ??= Date.now();
      this.watchDrain();
      return;
    }
    client.pending = undefined;
    client.stuckSince = undefined;
    client.sentAt = Date.now();
    try {
      socket.send(frame);
    } catch (err) {
      this.logger.warn({ err }, 'tablet push failed');
    }
  }

  /** A heartbeat to each tablet that was sent nothing for heartbeatMs (not to one that is backed up). */
  private heartbeat(): void {
    if (this.closed) return;
    const now = Date.now();
    let frame: string | undefined;
    for (const c of this.clients) {
      if (c.pending !== undefined || now - c.sentAt < this.options.heartbeatMs) continue;
      if (c.socket.readyState !== OPEN || c.socket.bufferedAmount > this.options.maxBufferedBytes) continue;
      if (frame === undefined) {
        const beat: PushFrame = { type: 'heartbeat', at: this.options.now().toISOString() };
        frame = JSON.stringify(beat);
      }
      this.send(c, frame);
    }
  }

  private watchDrain(): void {
    if (this.drainTimer || this.closed) return;
    this.drainTimer = setInterval(() => {
      let waiting = 0;
      for (const c of this.clients) {
        if (c.pending === undefined) continue;
        if (c.socket.readyState !== OPEN) {
          this.clients.delete(c);
          continue;
        }
        if (c.socket.bufferedAmount <= this.options.maxBufferedBytes) {
          this.send(c, c.pending);
        } else if (Date.now() - (c.stuckSince ?? Date.now()) > this.options.stuckMs) {
          this.logger.warn('tablet not reading its push channel; disconnected');
          c.socket.terminate();
          this.clients.delete(c);
        } else {
          waiting++;
        }
      }
      if (waiting === 0 && this.drainTimer) {
        clearInterval(this.drainTimer);
        this.drainTimer = undefined;
      }
    }, this.options.drainPollMs);
  }

  private end(client: Client): void {
    this.clients.delete(client);
    const frame: PushFrame = { type: 'session_ended' };
    try {
      if (client.socket.readyState === OPEN) client.socket.send(JSON.stringify(frame));
      client.socket.close(4401, 'session ended');
    } catch (err) {
      this.logger.warn({ err }, 'closing a tablet push channel failed');
    }
  }

  private check(): void {
    for (const c of this.clients) {
      try {
        if (!this.options.sessionLive(c.tokenHash)) this.end(c);
      } catch (err) {
        this.logger.error({ err }, 'tablet session check failed');
      }
    }
    const key = this.options.timeKey?.();
    if (key !== this.lastTimeKey) {
      this.lastTimeKey = key;
      this.changed();
    }
  }
}
