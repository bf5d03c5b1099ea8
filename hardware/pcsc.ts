import { connect } from 'node:net';
import type { NFC as NfcContext, NfcCard, Reader as NfcReader, PcscCardReader } from 'nfc-pcsc';
import { errorMessage } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import type { Clock } from '../common/time.ts';
import { TypedEmitter } from './emitter.ts';
import { ReaderConfigError } from './errors.ts';
import {
  ACR122_FEEDBACK_MAX_RESPONSE,
  GET_UID_APDU,
  GET_UID_MAX_RESPONSE,
  TapGate,
  acr122FeedbackApdu,
  acr122FeedbackOk,
  cardTechnology,
  parseUidResponse,
  supportsAcr122Feedback,
} from './pcsc-card.ts';
import type { CredentialReader, FeedbackSignal, ReaderEventMap } from './reader.ts';

export interface PcscReaderOptions {
  logger: Logger;
  clock: Clock;
  /** Use only readers whose name contains this (case-insensitive); all readers when absent. */
  reader?: string;
  /** First delay before reconnecting to pcscd; doubles per failure up to retryMaxMs. Default 500 ms. */
  retryInitialMs?: number;
  /** Longest delay between reconnection attempts. Default 5 s. */
  retryMaxMs?: number;
  /**
   * pcscd's client socket, probed before each connection attempt (Linux only). Default as libpcsclite:
   * $PCSCLITE_CSOCK_NAME, else /run/pcscd/pcscd.comm.
   */
  socketPath?: string;
  /**
   * After a reader reappears (pcscd restarted, reader replugged), how long a card held before may take to
   * be seen again without counting as a new tap. Default 2 s.
   */
  holdGraceMs?: number;
  /** Loads nfc-pcsc; replaced in tests. */
  loadModule?: () => Promise<NfcModule>;
}

/** What this driver needs from the nfc-pcsc module. */
export interface NfcModule {
  NFC: new () => NfcContext;
}

export const PCSC_DEFAULTS = { retryInitialMs: 500, retryMaxMs: 5_000, holdGraceMs: 2_000 } as const;

/** Hold timing uses a monotonic clock: the injected Clock stamps events and may be fixed in tests. */
const monotonicMs = (): number => performance.now();

const DEFAULT_SOCKET = '/run/pcscd/pcscd.comm';
const PROBE_TIMEOUT_MS = 1_000;
/** How long closing waits for a slot's status thread to start (it normally takes a millisecond). */
const SLOT_START_TIMEOUT_MS = 2_000;
const SLOT_SETTLE_MS = 20;

/** IC cards over PC/SC (nfc-pcsc): FeliCa and ISO 14443 cards on any PC/SC contactless reader. */
export function createPcscReader(options: PcscReaderOptions): CredentialReader {
  return new PcscReader(options);
}

async function loadNfcPcsc(): Promise<NfcModule> {
  const mod = await import('nfc-pcsc');
  return { NFC: mod.NFC };
}

/**
 * A PC/SC reader that survives pcscd restarts and readers coming and going: open() starts a session that
 * connects to pcscd and, whenever the connection is lost or cannot be made, reconnects with backoff until
 * close(). Only a missing nfc-pcsc makes open() reject: a kiosk must start without a reader or pcscd.
 */
export class PcscReader extends TypedEmitter<ReaderEventMap> implements CredentialReader {
  readonly name = 'pcsc';
  readonly #options: PcscReaderOptions;
  #session: Session | undefined;
  #opening: Promise<void> | undefined;

  constructor(options: PcscReaderOptions) {
    super();
    this.#options = options;
  }

  open(): Promise<void> {
    this.#opening ??= this.#open().finally(() => {
      this.#opening = undefined;
    });
    return this.#opening;
  }

  async #open(): Promise<void> {
    if (this.#session) return;
    let mod: NfcModule;
    try {
      mod = await (this.#options.loadModule ?? loadNfcPcsc)();
    } catch (err) {
      throw new ReaderConfigError(
        'pcsc_unavailable',
        'PC/SC support is not installed: install libpcsclite-dev and pcscd (apt-get install libpcsclite-dev ' +
          'pcscd), then reinstall Genkan (npm ci) so that nfc-pcsc is built',
        { cause: err },
      );
    }
    this.#session = new Session(mod, this.#options, (event, payload) => {
      this.emit(event, payload);
    });
  }

  /**
   * Signals the outcome on the physical reader that read the last credential, while its card is still
   * on it: the command goes through the card connection. ACS ACR122 readers only (LED and buzzer
   * pseudo-APDU); on any other reader, such as a Sony PaSoRi, this does nothing.
   */
  async feedback(signal: FeedbackSignal): Promise<void> {
    await this.#session?.feedback(signal);
  }

  async close(): Promise<void> {
    await this.#opening?.catch(() => undefined);
    const session = this.#session;
    this.#session = undefined;
    await session?.stop();
  }
}

type Emit = <K extends keyof ReaderEventMap>(event: K, payload: ReaderEventMap[K]) => void;

/**
 * One open..close lifetime. Each pcscd connection is a separate NFC context; callbacks from a context
 * that is no longer current are ignored, so a late event from a dead connection cannot touch the next.
 */
class Session {
  readonly #mod: NfcModule;
  readonly #options: PcscReaderOptions;
  readonly #logger: Logger;
  readonly #emit: Emit;
  readonly #gate: TapGate;
  /** Matching readers of the current context, by name. */
  readonly #readers = new Map<string, NfcReader>();
  /**
   * Every slot of the current context, used or not, with when its status thread started waiting. pcsclite
   * forgets a slot once it ended, but its status thread still has to be joined, which only close() does.
   */
  readonly #slots = new Map<PcscCardReader, Promise<void>>();
  /** Contexts being closed; stop() waits for them. */
  readonly #releasing = new Set<Promise<void>>();
  /** Bumped whenever a slot is seen empty, so a read that outlived its card is not remembered as held. */
  readonly #emptied = new Map<string, number>();
  #nfc: NfcContext | undefined;
  #stopped = false;
  #attached = false;
  /** Whether `detached` was already reported for the current absence, so retries do not repeat it. */
  #reportedAbsent = false;
  #failures = 0;
  /** The slot that emitted the last credential: feedback() answers that tap. */
  #lastTap: { nfc: NfcContext; reader: NfcReader } | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #attempt: Promise<void> | undefined;

  constructor(mod: NfcModule, options: PcscReaderOptions, emit: Emit) {
    this.#mod = mod;
    this.#options = options;
    this.#logger = options.logger;
    this.#emit = emit;
    this.#gate = new TapGate(options.holdGraceMs ?? PCSC_DEFAULTS.holdGraceMs);
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
    const last = this.#lastTap;
    // One signal per tap: a second call must not beep for a tap that was already answered.
    this.#lastTap = undefined;
    if (!last || last.nfc !== this.#nfc || this.#stopped) return;
    const { reader } = last;
    const name = reader.name;
    if (!supportsAcr122Feedback(name)) return;
    // The command needs the card connection: once the card is lifted there is no way to send it.
    if (reader.card === null) {
      this.#logger.debug({ reader: name, signal }, 'card lifted before feedback; none given');
      return;
    }
    try {
      const response = await reader.transmit(acr122FeedbackApdu(signal), ACR122_FEEDBACK_MAX_RESPONSE);
      if (!acr122FeedbackOk(response)) {
        this.#logger.warn({ reader: name, signal }, 'reader refused the LED/buzzer command');
      }
    } catch (err) {
      // A missed beep is not worth failing a recorded tap over; the kiosk screen still shows the outcome.
      this.#logger.warn({ reader: name, signal, reason: errorMessage(err) }, 'LED/buzzer feedback failed');
    }
  }

  async #connect(): Promise<void> {
    // libpcsclite's SCardEstablishContext, called by the NFC constructor, spins on the main thread while
    // pcscd is down; the probe keeps a kiosk without pcscd responsive. A pcscd dying between probe and
    // constructor would still block until it is back: a window of microseconds.
    if (!(await this.#pcscdReachable())) {
      this.#unavailable('pcscd not running');
      return;
    }
    if (this.#stopped) return;
    let nfc: NfcContext;
    try {
      // No logger for nfc-pcsc: its debug output includes ATRs and card data.
      nfc = new this.#mod.NFC();
    } catch (err) {
      this.#unavailable(`PC/SC context failed: ${errorMessage(err)}`);
      return;
    }
    this.#nfc = nfc;
    this.#failures = 0;
    this.#reportedAbsent = false;
    this.#logger.info('connected to pcscd; waiting for readers');
    nfc.on('reader', (reader: NfcReader) => {
      if (nfc === this.#nfc) this.#onReader(nfc, reader);
    });
    nfc.on('error', (err: unknown) => {
      if (nfc !== this.#nfc) return;
      this.#logger.warn({ reason: errorMessage(err) }, 'lost the connection to pcscd; reconnecting');
      this.#lost('pcscd connection lost');
    });
  }

  #pcscdReachable(): Promise<boolean> {
    // Elsewhere PC/SC is an OS service without this socket; the platform library reports its absence.
    if (process.platform !== 'linux') return Promise.resolve(true);
    const path = this.#options.socketPath ?? process.env['PCSCLITE_CSOCK_NAME'] ?? DEFAULT_SOCKET;
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

  #onReader(nfc: NfcContext, reader: NfcReader): void {
    const name = reader.name;
    const slot = reader.reader;
    this.#slots.set(
      slot,
      new Promise<void>((resolve) => {
        slot.once('status', () => {
          resolve();
        });
        slot.once('end', () => {
          resolve();
        });
        slot.once('error', () => {
          resolve();
        });
      }),
    );
    const filter = this.#options.reader?.toLowerCase();
    // Error listeners on every reader, used or not: an EventEmitter `error` without one would throw.
    reader.on('error', (err: unknown) => {
      if (nfc !== this.#nfc || !this.#readers.has(name)) return;
      this.#logger.warn({ reader: name, reason: errorMessage(err) }, 'PC/SC reader failed');
    });
    if (filter !== undefined && !name.toLowerCase().includes(filter)) {
      this.#logger.info({ reader: name }, 'PC/SC reader ignored: its name does not match');
      return;
    }
    // With autoProcessing on, nfc-pcsc reads the UID of ISO 14443-3 cards only and demands an AID for
    // ISO 14443-4 ones. Off, it only connects; the driver sends GET UID itself, which PC/SC 2.01 readers
    // answer for FeliCa (IDm), ISO 14443-3 and ISO 14443-4 cards alike.
    reader.autoProcessing = false;
    this.#readers.set(name, reader);
    this.#gate.slotAppeared(name, monotonicMs());
    this.#logger.info({ reader: name }, 'PC/SC reader attached');
    if (!this.#attached) this.#setAttached(true);

    reader.reader.on('status', (status: { state: number }) => {
      if (nfc !== this.#nfc) return;
      if (status.state & reader.reader.SCARD_STATE_EMPTY) this.#slotEmpty(name);
    });
    reader.on('card.off', () => {
      if (nfc === this.#nfc) this.#slotEmpty(name);
    });
    reader.on('card', (card: NfcCard) => {
      if (nfc === this.#nfc) void this.#onCard(nfc, reader, card);
    });
    reader.on('end', () => {
      if (nfc !== this.#nfc || this.#readers.get(name) !== reader) return;
      this.#readers.delete(name);
      this.#logger.info({ reader: name }, 'PC/SC reader removed');
      if (this.#readers.size === 0 && this.#attached) this.#setAttached(false, 'reader removed');
    });
  }

  #slotEmpty(name: string): void {
    if (this.#gate.cardOff(name, monotonicMs())) this.#logger.debug({ reader: name }, 'card lifted');
    this.#emptied.set(name, (this.#emptied.get(name) ?? 0) + 1);
  }

  async #onCard(nfc: NfcContext, reader: NfcReader, card: NfcCard): Promise<void> {
    const name = reader.name;
    const emptiedBefore = this.#emptied.get(name) ?? 0;
    let response: Buffer;
    try {
      response = await reader.transmit(Buffer.from(GET_UID_APDU), GET_UID_MAX_RESPONSE);
    } catch (err) {
      if (nfc !== this.#nfc) return;
      this.#readFailed(name, `could not read the card id: ${errorMessage(err)}`);
      return;
    }
    if (nfc !== this.#nfc || this.#stopped) return;
    const result = parseUidResponse(response);
    if (!result.ok) {
      this.#readFailed(name, result.reason);
      return;
    }
    const fresh = this.#gate.cardOn(name, result.uid, monotonicMs());
    // The card left while it was being read: still a tap, but nothing is held on the slot any more.
    if ((this.#emptied.get(name) ?? 0) !== emptiedBefore) this.#gate.cardOff(name, monotonicMs());
    if (!fresh) {
      this.#logger.debug({ reader: name }, 'card still on the reader since its last tap; ignored');
      return;
    }
    const technology = cardTechnology(card.atr);
    this.#logger.debug({ reader: name, technology }, 'card read');
    this.#lastTap = { nfc, reader };
    this.#emit('credential', {
      credential: { kind: 'card', value: result.uid },
      at: this.#options.clock.now(),
      ...(technology !== undefined && { technology }),
    });
  }

  #readFailed(name: string, reason: string): void {
    this.#logger.warn({ reader: name, reason }, 'card could not be read');
    this.#emit('error', { code: 'input_failed', message: 'the card could not be read; tap again' });
  }

  #unavailable(reason: string): void {
    if (this.#stopped) return;
    if (!this.#reportedAbsent) {
      // Once per absence, not per retry: a kiosk left without pcscd must not flood the log.
      this.#reportedAbsent = true;
      this.#logger.warn({ reason }, 'PC/SC not available; retrying until it is');
      this.#emit('detached', { at: this.#options.clock.now(), reason });
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
    this.#nfc = undefined;
    this.#readers.clear();
    // Its card connection dies with the context: nothing left to signal on.
    this.#lastTap = undefined;
    if (!nfc) return Promise.resolve();
    const slots = new Map(this.#slots);
    for (const slot of Object.values(nfc.readers)) if (!slots.has(slot)) slots.set(slot, Promise.resolve());
    this.#slots.clear();
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
    const at = this.#options.clock.now();
    if (attached) this.#emit('attached', { at });
    else this.#emit('detached', { at, reason });
  }

  #scheduleRetry(): void {
    if (this.#stopped || this.#retryTimer) return;
    const initial = this.#options.retryInitialMs ?? PCSC_DEFAULTS.retryInitialMs;
    const max = this.#options.retryMaxMs ?? PCSC_DEFAULTS.retryMaxMs;
    const delay = Math.min(max, initial * 2 ** Math.min(this.#failures, 16));
    this.#failures++;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (!this.#stopped) this.#attempt = this.#connect();
    }, delay);
  }
}
