/**
 * The part of nfc-pcsc 0.8 (untyped, optional dependency) that hardware/pcsc.ts uses. Kept minimal so
 * that a newer nfc-pcsc only has to keep these members.
 */
declare module 'nfc-pcsc' {
  import type { EventEmitter } from 'node:events';

  /** @pokusew/pcsclite's reader: one PC/SC slot, watched by its own native thread until close(). */
  export interface PcscCardReader extends EventEmitter {
    readonly name: string;
    readonly SCARD_STATE_EMPTY: number;
    readonly SCARD_STATE_PRESENT: number;
    /** Stops the slot's status thread; `end` follows. */
    close(): void;
  }

  /** What nfc-pcsc reports on `card` with autoProcessing off. */
  export interface NfcCard {
    atr?: Buffer;
    standard?: string;
    type?: string;
    uid?: string;
  }

  export class Reader extends EventEmitter {
    readonly reader: PcscCardReader;
    readonly name: string;
    autoProcessing: boolean;
    card: NfcCard | null;
    transmit(data: Buffer, responseMaxLength: number): Promise<Buffer>;
  }

  export class NFC extends EventEmitter {
    constructor(logger?: unknown);
    /** The slots pcsclite currently knows, by name. */
    readonly readers: Record<string, PcscCardReader>;
    close(): void;
  }
}
