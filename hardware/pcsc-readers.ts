import type { NfcCard, Reader as NfcReader, PcscCardReader } from 'nfc-pcsc';
import { errorMessage } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import type { Clock } from '../common/time.ts';
import {
  ACR122_FEEDBACK_MAX_RESPONSE,
  GET_UID_APDU,
  GET_UID_MAX_RESPONSE,
  acr122FeedbackApdu,
  acr122FeedbackOk,
  cardTechnology,
  parseUidResponse,
  supportsAcr122Feedback,
  type TapGate,
} from './pcsc-card.ts';
import type { FeedbackSignal, ReaderEventMap } from './reader.ts';

export type Emit = <K extends keyof ReaderEventMap>(event: K, payload: ReaderEventMap[K]) => void;

/** Hold timing uses a monotonic clock: the injected Clock stamps events and may be fixed in tests. */
const monotonicMs = (): number => performance.now();

/** What the readers of one PC/SC context share with the session that owns them. */
export interface ReadersHost {
  readonly logger: Logger;
  readonly clock: Clock;
  /** Use only readers whose name contains this (lowercase); all readers when undefined. */
  readonly filter: string | undefined;
  /** Kept across contexts: a card held on a reader through a pcscd restart is not a new tap. */
  readonly gate: TapGate;
  readonly emit: Emit;
  /** Whether the session is closing: a card read that completes after that is dropped. */
  stopped(): boolean;
  /** A matching reader appeared. */
  readerAttached(): void;
  /** The context's last matching reader went. */
  readersGone(): void;
}

/**
 * The readers of one PC/SC context: which of them are used, their cards read into credentials, and the
 * LED/buzzer feedback to the last tap. Once retired (the context is being closed), its callbacks are
 * ignored, so a late event from a dead connection cannot touch the next.
 */
export class PcscContextReaders {
  readonly #host: ReadersHost;
  /** Matching readers, by name. */
  readonly #readers = new Map<string, NfcReader>();
  /**
   * Every slot, used or not, with when its status thread started waiting. pcsclite forgets a slot once it
   * ended, but its status thread still has to be joined, which only closing it does.
   */
  readonly #slots = new Map<PcscCardReader, Promise<void>>();
  /** Bumped whenever a slot is seen empty, so a read that outlived its card is not remembered as held. */
  readonly #emptied = new Map<string, number>();
  /** The reader that emitted the last credential: feedback() answers that tap. */
  #lastTap: NfcReader | undefined;
  #current = true;

  constructor(host: ReadersHost) {
    this.#host = host;
  }

  /**
   * Stops handling this context's events and hands over every slot seen, with when its status thread
   * started, for the caller to close.
   */
  retire(): Map<PcscCardReader, Promise<void>> {
    this.#current = false;
    this.#readers.clear();
    // Its card connection dies with the context: nothing left to signal on.
    this.#lastTap = undefined;
    const slots = new Map(this.#slots);
    this.#slots.clear();
    return slots;
  }

  /** A reader (slot) of this context appeared. */
  add(reader: NfcReader): void {
    if (!this.#current) return;
    const { logger } = this.#host;
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
    const filter = this.#host.filter;
    // Error listeners on every reader, used or not: an EventEmitter `error` without one would throw.
    reader.on('error', (err: unknown) => {
      if (!this.#current || !this.#readers.has(name)) return;
      logger.warn({ reader: name, reason: errorMessage(err) }, 'PC/SC reader failed');
    });
    if (filter !== undefined && !name.toLowerCase().includes(filter)) {
      logger.info({ reader: name }, 'PC/SC reader ignored: its name does not match');
      return;
    }
    // With autoProcessing on, nfc-pcsc reads the UID of ISO 14443-3 cards only and demands an AID for
    // ISO 14443-4 ones. Off, it only connects; the driver sends GET UID itself, which PC/SC 2.01 readers
    // answer for FeliCa (IDm), ISO 14443-3 and ISO 14443-4 cards alike.
    reader.autoProcessing = false;
    this.#readers.set(name, reader);
    this.#host.gate.slotAppeared(name, monotonicMs());
    logger.info({ reader: name }, 'PC/SC reader attached');
    this.#host.readerAttached();

    reader.reader.on('status', (status: { state: number }) => {
      if (!this.#current) return;
      if (status.state & reader.reader.SCARD_STATE_EMPTY) this.#slotEmpty(name);
    });
    reader.on('card.off', () => {
      if (this.#current) this.#slotEmpty(name);
    });
    reader.on('card', (card: NfcCard) => {
      if (this.#current) void this.#onCard(reader, card);
    });
    reader.on('end', () => {
      if (!this.#current || this.#readers.get(name) !== reader) return;
      this.#readers.delete(name);
      logger.info({ reader: name }, 'PC/SC reader removed');
      if (this.#readers.size === 0) this.#host.readersGone();
    });
  }

  /**
   * Signals the outcome on the reader of the last tap, once per tap, while its card is still on it.
   * ACS ACR122 readers only; on any other this does nothing.
   */
  async feedback(signal: FeedbackSignal): Promise<void> {
    const reader = this.#lastTap;
    // One signal per tap: a second call must not beep for a tap that was already answered.
    this.#lastTap = undefined;
    if (!reader || !this.#current || this.#host.stopped()) return;
    const { logger } = this.#host;
    const name = reader.name;
    if (!supportsAcr122Feedback(name)) return;
    // The command needs the card connection: once the card is lifted there is no way to send it.
    if (reader.card === null) {
      logger.debug({ reader: name, signal }, 'card lifted before feedback; none given');
      return;
    }
    try {
      const response = await reader.transmit(acr122FeedbackApdu(signal), ACR122_FEEDBACK_MAX_RESPONSE);
      if (!acr122FeedbackOk(response)) {
        logger.warn({ reader: name, signal }, 'reader refused the LED/buzzer command');
      }
    } catch (err) {
      // A missed beep is not worth failing a recorded tap over; the kiosk screen still shows the outcome.
      logger.warn({ reader: name, signal, reason: errorMessage(err) }, 'LED/buzzer feedback failed');
    }
  }

  #slotEmpty(name: string): void {
    if (this.#host.gate.cardOff(name, monotonicMs()))
      this.#host.logger.debug({ reader: name }, 'card lifted');
    this.#emptied.set(name, (this.#emptied.get(name) ?? 0) + 1);
  }

  async #onCard(reader: NfcReader, card: NfcCard): Promise<void> {
    const { gate, logger } = this.#host;
    const name = reader.name;
    const emptiedBefore = this.#emptied.get(name) ?? 0;
    let response: Buffer;
    try {
      response = await reader.transmit(Buffer.from(GET_UID_APDU), GET_UID_MAX_RESPONSE);
    } catch (err) {
      if (!this.#current) return;
      this.#readFailed(name, `could not read the card id: ${errorMessage(err)}`);
      return;
    }
    if (!this.#current || this.#host.stopped()) return;
    const result = parseUidResponse(response);
    if (!result.ok) {
      this.#readFailed(name, result.reason);
      return;
    }
    const fresh = gate.cardOn(name, result.uid, monotonicMs());
    // The card left while it was being read: still a tap, but nothing is held on the slot any more.
    if ((this.#emptied.get(name) ?? 0) !== emptiedBefore) gate.cardOff(name, monotonicMs());
    if (!fresh) {
      logger.debug({ reader: name }, 'card still on the reader since its last tap; ignored');
      return;
    }
    const technology = cardTechnology(card.atr);
    logger.debug({ reader: name, technology }, 'card read');
    this.#lastTap = reader;
    this.#host.emit('credential', {
      credential: { kind: 'card', value: result.uid },
      at: this.#host.clock.now(),
      ...(technology !== undefined && { technology }),
    });
  }

  #readFailed(name: string, reason: string): void {
    this.#host.logger.warn({ reader: name, reason }, 'card could not be read');
    this.#host.emit('error', { code: 'input_failed', message: 'the card could not be read; tap again' });
  }
}
