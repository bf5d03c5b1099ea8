import { connect } from 'node:net';
import type { NFC as NfcContext, Reader as NfcReader, PcscCardReader } from 'nfc-pcsc';
import { errorMessage } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import type { Clock } from '../common/time.ts';
import { TapGate } from './pcsc-card.ts';
import { PcscContextReaders, type Emit, type ReadersHost } from './pcsc-readers.ts';
import type { FeedbackSignal } from './reader.ts';

/** A session's settings: the reader's options with their defaults applied. */
export interface SessionConfig {
  logger: Logger;
  clock: Clock;
  /** Use only readers whose name contains this (lowercase); all readers when undefined. */
  readerFilter: string | undefined;
  retryInitialMs: number;
  retryMaxMs: number;
  holdGraceMs: number;
  /** pcscd's client socket; undefined for libpcsclite's default. */
  socketPath: string | undefined;
}

const DEFAULT_SOCKET = '/run/pcscd/pcscd.comm';
const PROBE_TIMEOUT_MS = 1_000;
/** How long closing waits for a slot's status thread to start (it normally takes a millisecond). */
const SLOT_START_TIMEOUT_MS = 2_000;
const SLOT_SETTLE_MS = 20;

/**
 * One open..close lifetime of a PC/SC reader: connects to pcscd and, whenever the connection is lost or
 * cannot be made, reconnects with backoff until stop(). Each pcscd connection is a separate NFC context
 * with its own PcscContextReaders, retired when the context goes.
 */
export class PcscSession {
  readonly #newContext: () => NfcContext;
  readonly #config: SessionConfig;
  readonly #logger: Logger;
  readonly #emit: Emit;
  readonly #host: ReadersHost;
  /** Contexts being closed; stop() waits for them. */
  readonly #releasing = new Set<Promise<void>>();
  #nfc: NfcContext | undefined;
  /** The readers of the current context #nfc. */
  #readers: PcscContextReaders | undefined;
  #stopped = false;
  #attached = false;
  /** Whether `detached` was already reported for the current absence, so retries do not repeat it. */
  #reportedAbsent = false;
  #failures = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #attempt: Promise<void> | undefined;

  /** `newContext` establishes a PC/SC context (nfc-pcsc's NFC constructor). */
  constructor(newContext: () => NfcContext, config: SessionConfig, emit: Emit) {
    this.#newContext = newContext;
    this.#config = config;
    this.#logger = config.logger;
    this.#emit = emit;
    this.#host = {
      logger: config.logger,
      clock: config.clock,
      filter: config.readerFilter,
      gate: new TapGate(config.holdGraceMs),
      emit,
      stopped: () => this.#stopped,
      readerAttached: () => {
        if (!this.#attached) this.#setAttached(true);
      },
      readersGone: () => {
        if (this.#attached) this.#setAttached(false, 'reader removed');
      },
    };
    this.#attempt = this.#connect();
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    await this.#attempt;
    await this.#release();
    await Promise.all(this.#releasing);
    if (this.#attached) this.#setAttached(false, 'closed');
  }

  async feedback(signal: FeedbackSignal): Promise<void> {
    await this.#readers?.feedback(signal);
  }

  async #connect(): Promise<void> {
    // libpcsclite's SCardEstablishContext, called by the NFC constructor, spins on the main thread while
    // pcscd is down; the probe keeps a kiosk without pcscd responsive. A pcscd dying between probe and
    // constructor would still block until it is back: a window of microseconds.
    if (!(await pcscdReachable(this.#config.socketPath))) {
      this.#unavailable('pcscd not running');
      return;
    }
    if (this.#stopped) return;
    let nfc: NfcContext;
    try {
      // No logger for nfc-pcsc: its debug output includes ATRs and card data.
      nfc = this.#newContext();
    } catch (err) {
      this.#unavailable(`PC/SC context failed: ${errorMessage(err)}`);
      return;
    }
    const readers = new PcscContextReaders(this.#host);
    this.#nfc = nfc;
    this.#readers = readers;
    this.#failures = 0;
    this.#reportedAbsent = false;
    this.#logger.info('connected to pcscd; waiting for readers');
    nfc.on('reader', (reader: NfcReader) => {
      readers.add(reader);
    });
    nfc.on('error', (err: unknown) => {
      if (nfc !== this.#nfc) return;
      this.#logger.warn({ reason: errorMessage(err) }, 'lost the connection to pcscd; reconnecting');
      this.#lost('pcscd connection lost');
    });
  }

  #unavailable(reason: string): void {
    if (this.#stopped) return;
    if (!this.#reportedAbsent) {
      // Once per absence, not per retry: a kiosk left without pcscd must not flood the log.
      this.#reportedAbsent = true;
      this.#logger.warn({ reason }, 'PC/SC not available; retrying until it is');
      this.#emit('detached', { at: this.#config.clock.now(), reason });
      this.#attached = false;
    }
    this.#scheduleRetry();
  }

  /** The pcscd connection died (pcscd stopped or restarted): drop the context and reconnect. */
  #lost(reason: string): void {
    void this.#release();
    if (this.#stopped) return;
    this.#reportedAbsent = true;
    if (this.#attached) this.#setAttached(false, reason);
    this.#scheduleRetry();
  }

  /**
   * Closes the current context and every slot's status thread: their handles keep the process alive.
   * Resolves once all are closed; stop() waits for every release still running.
   */
  #release(): Promise<void> {
    const nfc = this.#nfc;
    const slots = this.#readers?.retire() ?? new Map<PcscCardReader, Promise<void>>();
    this.#nfc = undefined;
    this.#readers = undefined;
    if (!nfc) return Promise.resolve();
    for (const slot of Object.values(nfc.readers)) if (!slots.has(slot)) slots.set(slot, Promise.resolve());
    const release = this.#closeContext(nfc, slots).finally(() => {
      this.#releasing.delete(release);
    });
    this.#releasing.add(release);
    return release;
  }

  async #closeContext(nfc: NfcContext, slots: Map<PcscCardReader, Promise<void>>): Promise<void> {
    // pcsclite 0.6 race: closing a slot whose status thread has not yet entered SCardGetStatusChange ends
    // the thread without closing its libuv handle, and the process never exits. The thread reports a
    // first status as soon as it waits; close only after that (bounded, for a thread that never reports),
    // and a moment later, when it is blocked in the wait that SCardCancel interrupts.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(slots.values()),
      new Promise((resolve) => (timer = setTimeout(resolve, SLOT_START_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    await new Promise((resolve) => setTimeout(resolve, SLOT_SETTLE_MS));
    for (const slot of slots.keys()) {
      // Listeners stay: the native side may still report `error`/`end` after close, and an unheard
      // `error` would throw.
      slot.on('error', () => undefined);
      try {
        slot.close();
      } catch (err) {
        this.#logger.debug({ reader: slot.name, reason: errorMessage(err) }, 'closing a PC/SC slot failed');
      }
    }
    try {
      nfc.close();
    } catch (err) {
      this.#logger.debug({ reason: errorMessage(err) }, 'closing the PC/SC context failed');
    }
  }

  #setAttached(attached: boolean, reason = ''): void {
    this.#attached = attached;
    const at = this.#config.clock.now();
    if (attached) this.#emit('attached', { at });
    else this.#emit('detached', { at, reason });
  }

  #scheduleRetry(): void {
    if (this.#stopped || this.#retryTimer) return;
    const { retryInitialMs: initial, retryMaxMs: max } = this.#config;
    const delay = Math.min(max, initial * 2 ** Math.min(this.#failures, 16));
    this.#failures++;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (!this.#stopped) this.#attempt = this.#connect();
    }, delay);
  }
}

/**
 * Whether pcscd's client socket accepts a connection. Default path as libpcsclite: $PCSCLITE_CSOCK_NAME,
 * else /run/pcscd/pcscd.comm.
 */
function pcscdReachable(socketPath: string | undefined): Promise<boolean> {
  // Elsewhere PC/SC is an OS service without this socket; the platform library reports its absence.
  if (process.platform !== 'linux') return Promise.resolve(true);
  const path = socketPath ?? process.env['PCSCLITE_CSOCK_NAME'] ?? DEFAULT_SOCKET;
  return new Promise((resolve) => {
    const socket = connect({ path });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => {
      done(false);
    }, PROBE_TIMEOUT_MS);
    socket.once('connect', () => {
      done(true);
    });
    socket.once('error', () => {
      done(false);
    });
  });
}
