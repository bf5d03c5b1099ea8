import type { NFC as NfcContext } from 'nfc-pcsc';
import type { Logger } from '../common/logger.ts';
import type { Clock } from '../common/time.ts';
import { TypedEmitter } from './emitter.ts';
import { ReaderConfigError } from './errors.ts';
import { PcscSession } from './pcsc-session.ts';
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
  #session: PcscSession | undefined;
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
    const o = this.#options;
    this.#session = new PcscSession(
      () => new mod.NFC(),
      {
        logger: o.logger,
        clock: o.clock,
        readerFilter: o.reader?.toLowerCase(),
        retryInitialMs: o.retryInitialMs ?? PCSC_DEFAULTS.retryInitialMs,
        retryMaxMs: o.retryMaxMs ?? PCSC_DEFAULTS.retryMaxMs,
        holdGraceMs: o.holdGraceMs ?? PCSC_DEFAULTS.holdGraceMs,
        socketPath: o.socketPath,
      },
      (event, payload) => {
        this.emit(event, payload);
      },
    );
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
