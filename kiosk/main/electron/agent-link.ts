import WebSocket from 'ws';
import { decodeJson } from '../../../protocol/decode.ts';
import type { Logger } from '../../../common/logger.ts';
import {
  UI_EVENT_MAX_BYTES,
  WsServerFrameSchema,
  type TapView,
  type UiCommand,
  type UiEvent,
  type UiReply,
  type WsClientFrame,
} from '../../common/ui-api.ts';

export const COMMAND_TIMEOUT_MS = 5000;

export const REPLIES = {
  unreachable: { ok: false, code: 'agent_unreachable', message: 'the kiosk agent is not reachable' },
  timeout: { ok: false, code: 'timeout', message: 'the kiosk agent did not answer in time' },
} as const satisfies Record<string, UiReply>;

export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

export interface AgentLinkOptions {
  /** ws://127.0.0.1:N/k/<token>/ws: a secret, never logged. */
  readonly url: string;
  readonly logger: Logger;
  /** Every valid event from the agent, in order. */
  readonly onEvent: (event: UiEvent) => void;
  readonly commandTimeoutMs?: number;
  readonly backoff?: Backoff;
  readonly now?: () => number;
}

interface Pending {
  readonly resolve: (reply: UiReply) => void;
  readonly timer: NodeJS.Timeout;
}

/** How long a tap result other than a recognised guardian's stays worth showing after a reload. */
const TRANSIENT_TAP_MS = 10_000;

/**
 * The shell's client of the agent's UI socket: relays commands (one reply each, or a typed failure) and
 * events, keeps the latest state and tap for a renderer that (re)loads, and reconnects with backoff.
 */
export class AgentLink {
  readonly #options: AgentLinkOptions;
  readonly #log: Logger;
  readonly #backoff: Backoff;
  readonly #now: () => number;
  readonly #pending = new Map<number, Pending>();
  #socket: WebSocket | undefined;
  #open = false;
  #closed = false;
  #nextId = 1;
  #delayMs: number;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #state: UiEvent | undefined;
  #tap: { event: UiEvent; tap: TapView; at: number } | undefined;
  /** The latest maintenance or pairing view, replayed to a reloaded screen (dropped when it locks). */
  #maintenance: UiEvent | undefined;
  #pairing: UiEvent | undefined;

  constructor(options: AgentLinkOptions) {
    this.#options = options;
    this.#log = options.logger;
    this.#backoff = options.backoff ?? { initialMs: 500, maxMs: 10_000 };
    this.#now = options.now ?? Date.now;
    this.#delayMs = this.#backoff.initialMs;
  }

  get connected(): boolean {
    return this.#open;
  }

  start(): void {
    this.#connect();
  }

  /** Forwards a validated command; never rejects. */
  send(command: UiCommand): Promise<UiReply> {
    const socket = this.#socket;
    if (!this.#open || socket === undefined) return Promise.resolve(REPLIES.unreachable);
    const id = this.#nextId++;
    const frame: WsClientFrame = { id, command };
    return new Promise<UiReply>((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        this.#log.warn({ op: command.op }, 'agent did not answer a command in time');
        resolve(REPLIES.timeout);
      }, this.#options.commandTimeoutMs ?? COMMAND_TIMEOUT_MS);
      this.#pending.set(id, { resolve, timer });
      socket.send(JSON.stringify(frame), (err) => {
        // ws calls back with null on success, despite its typings.
        if (err instanceof Error) this.#settle(id, REPLIES.unreachable);
      });
    });
  }

  /** What a (re)loaded screen needs first: the latest state, then the tap on screen if any. */
  helloEvents(): UiEvent[] {
    const events: UiEvent[] = [];
    if (this.#state !== undefined) events.push(this.#state);
    if (this.#pairing !== undefined) events.push(this.#pairing);
    if (this.#maintenance !== undefined) events.push(this.#maintenance);
    const tap = this.#tap;
    if (tap !== undefined) {
      const live = tap.tap.result === 'ok' ? !tap.tap.closed : this.#now() - tap.at < TRANSIENT_TAP_MS;
      if (live) events.push(tap.event);
    }
    return events;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    this.#failPending();
    const socket = this.#socket;
    this.#socket = undefined;
    this.#open = false;
    if (socket === undefined || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => {
        resolve();
      });
      socket.terminate();
    });
  }

  #connect(): void {
    if (this.#closed) return;
    const socket = new WebSocket(this.#options.url, {
      maxPayload: UI_EVENT_MAX_BYTES,
      handshakeTimeout: 5000,
    });
    this.#socket = socket;
    socket.on('open', () => {
      this.#open = true;
      this.#delayMs = this.#backoff.initialMs;
      this.#log.info('connected to the kiosk agent');
    });
    socket.on('message', (data, isBinary) => {
      if (!isBinary)
        this.#onFrame(
          Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(toBuffers(data)).toString('utf8'),
        );
    });
    socket.on('error', (err) => {
      // 'close' follows; only the kind of failure is logged (the URL holds the token).
      this.#log.debug({ code: (err as NodeJS.ErrnoException).code }, 'agent socket error');
    });
    socket.on('close', () => {
      if (this.#socket !== socket) return;
      const wasOpen = this.#open;
      this.#open = false;
      this.#socket = undefined;
      this.#failPending();
      if (this.#closed) return;
      if (wasOpen) this.#log.warn('lost the kiosk agent; reconnecting');
      const delay = this.#delayMs;
      this.#delayMs = Math.min(this.#delayMs * 2, this.#backoff.maxMs);
      this.#reconnectTimer = setTimeout(() => {
        this.#connect();
      }, delay);
    });
  }

  #onFrame(text: string): void {
    const parsed = decodeJson(WsServerFrameSchema, text);
    if (!parsed.ok) {
      this.#log.warn(
        parsed.problem === 'not_json'
          ? 'agent sent a frame that is not JSON; ignored'
          : 'agent sent an invalid frame; ignored',
      );
      return;
    }
    const frame = parsed.value;
    if ('reply' in frame) {
      this.#settle(frame.id, frame.reply);
      return;
    }
    this.#remember(frame.event);
    this.#options.onEvent(frame.event);
  }

  #remember(event: UiEvent): void {
    switch (event.type) {
      case 'state':
        this.#state = event;
        return;
      case 'tap':
        this.#tap = { event, tap: event.tap, at: this.#now() };
        return;
      case 'tap_updated': {
        // Replayed as a 'tap' so a reloaded screen shows it as the tap on screen.
        const replay: UiEvent = { type: 'tap', tap: event.tap };
        this.#tap = { event: replay, tap: event.tap, at: this.#tap?.at ?? this.#now() };
        return;
      }
      case 'maintenance':
        this.#maintenance = event.view === null ? undefined : event;
        return;
      case 'pairing':
        this.#pairing = event;
        return;
      case 'families':
        // The answer to an open chooser: a reloaded screen starts at the idle screen, not in the chooser.
        return;
    }
  }

  #settle(id: number, reply: UiReply): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve(reply);
  }

  #failPending(): void {
    for (const id of [...this.#pending.keys()]) this.#settle(id, REPLIES.unreachable);
  }
}

function toBuffers(data: ArrayBuffer | Buffer[]): Buffer[] {
  return Array.isArray(data) ? data : [Buffer.from(data)];
}
