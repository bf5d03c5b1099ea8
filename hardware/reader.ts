import type { Readable, Writable } from 'node:stream';
import type { Credential } from '../protocol/credentials.ts';
import type { Logger } from '../common/logger.ts';
import { systemClock, type Clock } from '../common/time.ts';
import { ReaderSpecError } from './errors.ts';
import { parseReaderSpec, type ReaderSpec } from './reader-spec.ts';
import type { Listener } from './emitter.ts';
import { StdinReader } from './stdin.ts';
import { SimReader } from './sim.ts';
import { createSerialReader } from './serial.ts';
import { createPcscReader } from './pcsc.ts';
import { CameraReader } from './camera.ts';

/** A credential presented to a reader, with the time the reader saw it. */
export interface CredentialRead {
  credential: Credential;
  at: Date;
  /**
   * The card technology when the reader knows it: `felica` (IDm) or `iso14443` (UID). Shown and logged as
   * a label only: the credential itself is `card:<hex>` either way, as on the roster.
   */
  technology?: 'felica' | 'iso14443';
}

export type ReaderErrorCode =
  /** A line that is neither a credential nor a command the reader knows. */
  | 'unrecognised_input'
  /** A line longer than the reader accepts; dropped whole. */
  | 'line_too_long'
  /** The simulator was asked for an entry it does not have. */
  | 'no_such_entry'
  /** The underlying device or stream failed. */
  | 'input_failed';

/**
 * Something the reader could not turn into a credential. The message never repeats the input, which may
 * be a card number.
 */
export interface ReaderErrorEvent {
  code: ReaderErrorCode;
  message: string;
}

export interface ReaderEventMap {
  credential: CredentialRead;
  attached: { at: Date };
  detached: { at: Date; reason: string };
  error: ReaderErrorEvent;
}

/**
 * What the person at the reader should be told about their last tap: `accepted` (the tap was recorded),
 * `refused` (unknown card, refused QR code, or a repeat within the debounce window) or `error` (the tap
 * could not be recorded; tap again).
 */
export type FeedbackSignal = 'accepted' | 'refused' | 'error';

/** A source of credentials: an IC card reader, a QR camera, a terminal. */
export interface CredentialReader {
  /** Short name for logs and output lines (`stdin`, `sim`, …); never a device serial or a secret. */
  readonly name: string;
  on<K extends keyof ReaderEventMap>(event: K, listener: Listener<ReaderEventMap[K]>): () => void;
  off<K extends keyof ReaderEventMap>(event: K, listener: Listener<ReaderEventMap[K]>): void;
  /** Starts reading; rejects (e.g. ReaderConfigError) when the reader cannot start. */
  open(): Promise<void>;
  /** Stops reading and releases the device; idempotent. */
  close(): Promise<void>;
  /**
   * Lights or sounds the reader's own indicator for the outcome of the credential it emitted last. Only
   * readers with such hardware implement it; without it the kiosk relies on its own sound. Never rejects:
   * a failed beep must not disturb the tap, so implementations log the failure and resolve.
   */
  feedback?(signal: FeedbackSignal): Promise<void>;
}

export interface ReaderDeps {
  logger: Logger;
  clock?: Clock;
  /** Where line readers read; process.stdin by default. */
  input?: Readable;
  /** Where the simulator prints its menu; process.stderr by default (stdout carries JSON lines). */
  output?: Writable;
}

export {
  DEFAULT_SERIAL_BAUD,
  parseReaderSpec,
  SUPPORTED_READER_SPECS,
  type ReaderSpec,
} from './reader-spec.ts';

export function createReader(spec: string | ReaderSpec, deps: ReaderDeps): CredentialReader {
  const parsed = typeof spec === 'string' ? parseReaderSpec(spec) : spec;
  const lineDeps = {
    logger: deps.logger,
    clock: deps.clock ?? systemClock,
    input: deps.input ?? process.stdin,
  };
  switch (parsed.kind) {
    case 'stdin':
      return new StdinReader(lineDeps);
    case 'sim':
      return new SimReader({ ...lineDeps, output: deps.output ?? process.stderr, file: parsed.file });
    case 'serial':
      return createSerialReader({
        logger: deps.logger,
        clock: lineDeps.clock,
        path: parsed.path,
        baudRate: parsed.baudRate,
      });
    case 'pcsc':
      return createPcscReader({
        logger: deps.logger,
        clock: lineDeps.clock,
        ...(parsed.reader !== undefined && { reader: parsed.reader }),
      });
    case 'camera':
      return new CameraReader({ logger: deps.logger, clock: lineDeps.clock });
  }
}

/** Whether the reader consumes the shared input stream. */
function readsInput(spec: ReaderSpec): boolean {
  switch (spec.kind) {
    case 'stdin':
    case 'sim':
      return true;
    case 'serial':
    case 'pcsc':
    case 'camera':
      return false;
  }
}

/**
 * Creates several readers. `stdin` and `sim` both consume the input stream, so at most one of them may
 * be given: two would split the lines between them.
 */
export function createReaders(specs: readonly string[], deps: ReaderDeps): CredentialReader[] {
  const parsed = specs.map(parseReaderSpec);
  const lineReaders = parsed.filter(readsInput);
  if (lineReaders.length > 1) {
    throw new ReaderSpecError(
      'reader_conflict',
      'stdin and sim readers both read standard input; give only one of them',
    );
  }
  return parsed.map((s) => createReader(s, deps));
}
