import { connect, type Socket } from 'node:net';

/**
 * A virtual contactless card for vsmartcard's vpcd reader driver, so that the PC/SC stack (pcscd, libpcsclite,
 * nfc-pcsc) can be tested end to end without hardware. vpcd listens on TCP; a connected client is a card on
 * the reader and closing the connection takes it off. Frames are a 2-byte big-endian length and a payload:
 * one byte is a control code, anything longer an APDU to answer.
 */

/** vpcd's control code asking for the ATR (vpcd.h; 0, 1 and 2 are power off, power on and reset). */
const CTRL_ATR = 4;

/** PC/SC part 3 "standard" byte of a contactless storage card ATR. */
export const PCSC_STANDARD = { iso14443aPart3: 0x03, felica212k: 0x11 } as const;
/** PC/SC part 3 card names (Supplemental Document, card name NN NN). */
export const PCSC_CARD_NAME = { mifareUltralight: 0x0003, felica: 0x003b } as const;

/**
 * The ATR a PC/SC part 3 reader reports for a contactless storage card:
 * 3B 8F 80 01 80 4F 0C A0 00 00 03 06 SS NN NN 00 00 00 00 TCK, where SS is the standard and NN NN the
 * card name; TCK makes the XOR of all bytes after TS zero.
 */
export function storageCardAtr(standard: number, cardName: number): Buffer {
  const atr = Buffer.from([
    0x3b,
    0x8f,
    0x80,
    0x01,
    0x80,
    0x4f,
    0x0c,
    0xa0,
    0x00,
    0x00,
    0x03,
    0x06,
    standard,
    (cardName >> 8) & 0xff,
    cardName & 0xff,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00,
  ]);
  let tck = 0;
  for (let i = 1; i < atr.length - 1; i++) tck ^= atr[i] ?? 0;
  atr[atr.length - 1] = tck;
  return atr;
}

export const MIFARE_ULTRALIGHT_ATR = storageCardAtr(
  PCSC_STANDARD.iso14443aPart3,
  PCSC_CARD_NAME.mifareUltralight,
);
export const FELICA_ATR = storageCardAtr(PCSC_STANDARD.felica212k, PCSC_CARD_NAME.felica);

export interface VirtualCardOptions {
  /** vpcd's port: the reader's CHANNELID (one more for its second slot). */
  port: number;
  host?: string;
  /** The UID (ISO 14443) or IDm (FeliCa) that GET UID answers, as hex. */
  uid: string;
  atr?: Buffer;
  /**
   * A card lying on the reader: when vpcd drops the connection (pcscd stopped), reconnect until remove(),
   * as a real card would be seen again when the reader comes back.
   */
  stayOnReader?: boolean;
}

/** A card on the virtual reader until remove(). */
export class VirtualCard {
  /** APDUs the reader sent, as lowercase hex: what the software under test asked the card. */
  readonly apdus: string[] = [];
  /** How many times vpcd accepted the card (more than one with stayOnReader after a pcscd restart). */
  connections = 0;
  readonly #options: VirtualCardOptions;
  readonly #uid: Buffer;
  readonly #atr: Buffer;
  #socket: Socket | undefined;
  #closed: Promise<void> = Promise.resolve();
  #removed = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #buffer = Buffer.alloc(0);

  private constructor(options: VirtualCardOptions) {
    this.#options = options;
    this.#uid = Buffer.from(options.uid, 'hex');
    this.#atr = options.atr ?? MIFARE_ULTRALIGHT_ATR;
  }

  /**
   * Connects to vpcd, which puts the card on the reader. vpcd listens with no backlog and accepts only
   * while its slot is free, so a refused connection (just after another card left) is retried until
   * `timeoutMs`.
   */
  static async present(options: VirtualCardOptions, timeoutMs = 5_000): Promise<VirtualCard> {
    const card = new VirtualCard(options);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await card.#connect();
        return card;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** Whether vpcd currently holds the connection. */
  get present(): boolean {
    return this.#socket !== undefined && !this.#socket.destroyed;
  }

  /** Takes the card off the reader. */
  async remove(): Promise<void> {
    this.#removed = true;
    clearTimeout(this.#retryTimer);
    this.#socket?.destroy();
    await this.#closed;
  }

  #connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port: this.#options.port, host: this.#options.host ?? '127.0.0.1' });
      socket.setNoDelay(true);
      const onError = (err: Error) => {
        reject(err);
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        // A reader going away (pcscd stopped) resets the connection; the card is then off the reader.
        socket.on('error', () => undefined);
        this.#socket = socket;
        this.#buffer = Buffer.alloc(0);
        this.connections++;
        this.#closed = new Promise((closed) =>
          socket.once('close', () => {
            closed();
            if (!this.#removed && this.#options.stayOnReader === true) this.#reconnectSoon();
          }),
        );
        socket.on('data', (chunk: Buffer) => {
          this.#onData(socket, chunk);
        });
        resolve();
      });
    });
  }

  #reconnectSoon(): void {
    this.#retryTimer = setTimeout(() => {
      if (this.#removed) return;
      this.#connect().catch(() => {
        this.#reconnectSoon();
      });
    }, 50);
  }

  #onData(socket: Socket, chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    while (this.#buffer.length >= 2) {
      const length = this.#buffer.readUInt16BE(0);
      if (this.#buffer.length < 2 + length) return;
      const payload = this.#buffer.subarray(2, 2 + length);
      this.#buffer = this.#buffer.subarray(2 + length);
      this.#handle(socket, payload);
    }
  }

  #handle(socket: Socket, payload: Buffer): void {
    if (payload.length === 1) {
      // Power off, on and reset (0, 1, 2) need no answer: the card has no state to reset.
      if (payload[0] === CTRL_ATR) this.#send(socket, this.#atr);
      return;
    }
    this.apdus.push(payload.toString('hex'));
    this.#send(socket, this.#answer(payload));
  }

  /**
   * GET UID (FF CA 00 00 Le) answers the UID; the ACR122U LED/buzzer pseudo-APDU (FF 00 40 …) 90 00, as
   * the reader would (vpcd passes it to the card, so the card stands in for the reader here); anything
   * else "instruction not supported".
   */
  #answer(apdu: Buffer): Buffer {
    if (apdu[0] === 0xff && apdu[1] === 0xca && apdu[2] === 0x00 && apdu[3] === 0x00) {
      return Buffer.concat([this.#uid, Buffer.from([0x90, 0x00])]);
    }
    if (apdu[0] === 0xff && apdu[1] === 0x00 && apdu[2] === 0x40) return Buffer.from([0x90, 0x00]);
    return Buffer.from([0x6d, 0x00]);
  }

  #send(socket: Socket, payload: Buffer): void {
    const header = Buffer.alloc(2);
    header.writeUInt16BE(payload.length, 0);
    socket.write(Buffer.concat([header, payload]));
  }
}
