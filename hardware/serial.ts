import { stat } from 'node:fs/promises';
import type { SerialPort } from 'serialport';
import { errorMessage } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import type { Clock } from '../common/time.ts';
import { TypedEmitter } from './emitter.ts';
import { ReaderConfigError } from './errors.ts';
import type { CredentialReader, ReaderEventMap } from './reader.ts';
import {
  DEFAULT_SCAN_MAX_BYTES,
  frameScanBytes,
  INITIAL_SCAN_STATE,
  type ScanFrameState,
} from './serial-lines.ts';

export interface SerialReaderOptions {
  logger: Logger;
  clock: Clock;
  path: string;
  baudRate: number;
  /** Longest scan accepted, in bytes; 2048 by default. */
  maxLineBytes?: number;
  /** First delay before reopening a vanished device; doubled after each failure. 200 ms by default. */
  retryInitialMs?: number;
  /** Longest delay between reopen attempts. 5 s by default. */
  retryMaxMs?: number;
  /** How often an open device's path is checked to still be the same device. 1 s by default. */
  presenceCheckMs?: number;
}

export const DEFAULT_RETRY_INITIAL_MS = 200;
export const DEFAULT_RETRY_MAX_MS = 5000;
export const DEFAULT_PRESENCE_CHECK_MS = 1000;

/** Counters for diagnostics and tests; they say how much arrived, never what. */
export interface SerialReaderStats {
  bytesReceived: number;
  chunksReceived: number;
  /** Successful opens of the device (1 after the first, +1 after each re-plug). */
  opens: number;
}

/**
 * A serial (USB CDC) 2D barcode scanner: each scan arrives as one line of text. Every non-blank line is
 * a `qr` credential whose value is the whole line. A line that looks like `card:<hex>` is deliberately
 * NOT turned into a card credential: a printed QR code must never be able to stand in for an IC card.
 *
 * The device may be absent at start or unplugged at any time: the reader then reports `detached` and
 * retries opening it with exponential backoff until close(), so a re-plug resumes reading without
 * restarting the kiosk.
 */
export function createSerialReader(options: SerialReaderOptions): CredentialReader {
  return new SerialScannerReader(options);
}

export class SerialScannerReader extends TypedEmitter<ReaderEventMap> implements CredentialReader {
  readonly name = 'serial';
  readonly #config: SessionConfig;
  /** The current open..close lifetime; undefined when closed. */
  #session: Session | undefined;
  /** The last close(), so that a second close() or a new open() waits for the device to be released. */
  #closing: Promise<void> = Promise.resolve();

  constructor(options: SerialReaderOptions) {
    super();
    this.#config = {
      path: options.path,
      baudRate: options.baudRate,
      maxLine: options.maxLineBytes ?? DEFAULT_SCAN_MAX_BYTES,
      retryInitialMs: options.retryInitialMs ?? DEFAULT_RETRY_INITIAL_MS,
      retryMaxMs: options.retryMaxMs ?? DEFAULT_RETRY_MAX_MS,
      presenceCheckMs: options.presenceCheckMs ?? DEFAULT_PRESENCE_CHECK_MS,
      logger: options.logger,
      clock: options.clock,
      stats: { bytesReceived: 0, chunksReceived: 0, opens: 0 },
      emit: (event, payload) => {
        this.emit(event, payload);
      },
    };
  }

  get stats(): Readonly<SerialReaderStats> {
    return { ...this.#config.stats };
  }

  /** Resolves after the first attempt to open the device, whether or not the device was there. */
  open(): Promise<void> {
    if (this.#session) return this.#session.started;
    const session = new Session(this.#config, this.#closing);
    this.#session = session;
    // A failed start (no native binding) leaves the reader closed, so open() may be tried again.
    session.started.catch(() => {
      if (this.#session === session) this.#session = undefined;
    });
    return session.started;
  }

  close(): Promise<void> {
    const session = this.#session;
    if (session) {
      this.#session = undefined;
      this.#closing = session.stop();
    }
    return this.#closing;
  }
}

type SerialPortClass = typeof SerialPort;
let serialPortClass: Promise<SerialPortClass> | undefined;

/**
 * Loads serialport on first use: it loads a native binding when imported, and a kiosk reading only
 * PC/SC or stdin must not fail to start because the serial binding is missing for its platform.
 */
function loadSerialPort(): Promise<SerialPortClass> {
  serialPortClass ??= import('serialport').then((m) => m.SerialPort);
  // A failed load is not cached: it may have been a transient error.
  serialPortClass.catch(() => {
    serialPortClass = undefined;
  });
  return serialPortClass;
}

interface SessionConfig {
  path: string;
  baudRate: number;
  maxLine: number;
  retryInitialMs: number;
  retryMaxMs: number;
  presenceCheckMs: number;
  logger: Logger;
  clock: Clock;
  stats: SerialReaderStats;
  emit: <K extends keyof ReaderEventMap>(event: K, payload: ReaderEventMap[K]) => void;
}

/**
 * One open..close lifetime of the reader. Keeping it separate means a stale callback from a previous
 * lifetime (an open that completes after close()) can never touch the next one.
 */
class Session {
  readonly started: Promise<void>;
  readonly #cfg: SessionConfig;
  #stopped = false;
  #port: SerialPort | undefined;
  #attached = false;
  /** Whether `detached` was already reported for the current absence, so retries do not repeat it. */
  #reportedAbsent = false;
  #failures = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #presenceTimer: NodeJS.Timeout | undefined;
  #attempt: Promise<void> | undefined;
  #SerialPort: SerialPortClass | undefined;
  #frame: ScanFrameState = INITIAL_SCAN_STATE;

  constructor(config: SessionConfig, previousClose: Promise<void>) {
    this.#cfg = config;
    this.started = this.#start(previousClose);
  }

  async #start(previousClose: Promise<void>): Promise<void> {
    // The previous lifetime may still hold the device, which serialport locks exclusively.
    await previousClose;
    try {
      this.#SerialPort = await loadSerialPort();
    } catch (err) {
      this.#stopped = true;
      this.#cfg.logger.error({ err }, 'serial port support could not be loaded');
      // Retrying cannot fix a missing native module: fail open() so the kiosk reports it at start.
      throw new ReaderConfigError('serial_unavailable', 'serial port support is not available', {
        cause: err,
      });
    }
    if (!this.#stopped) await this.#tryOpen(this.#SerialPort);
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#stopPresenceCheck();
    // An open in flight would otherwise leave the device held after close() resolved.
    await this.started.catch(() => undefined);
    await this.#attempt;
    const port = this.#port;
    this.#port = undefined;
    if (port?.isOpen) {
      await new Promise<void>((resolve) => {
        port.close((err) => {
          if (err) this.#cfg.logger.warn({ err }, 'serial scanner close failed');
          resolve();
        });
      });
    }
    if (this.#attached) this.#detach('closed');
  }

  #tryOpen(Port: SerialPortClass): Promise<void> {
    const attempt = new Promise<void>((resolve) => {
      const { path, baudRate } = this.#cfg;
      let port: SerialPort;
      try {
        port = new Port({ path, baudRate, autoOpen: false });
      } catch (err) {
        // Invalid options throw synchronously; treated like an absent device so the kiosk still starts.
        this.#openFailed(err);
        resolve();
        return;
      }
      // Listeners are attached before opening so that no event of this port is ever unhandled; each one
      // ignores a port that is no longer current (lost, replaced, or opened after close()).
      const current = (): boolean => port === this.#port && !this.#stopped;
      port.on('data', (chunk: Buffer) => {
        if (current()) this.#onData(chunk);
      });
      port.on('close', (err: unknown) => {
        if (current()) this.#lost(port, isDisconnect(err) ? 'device disconnected' : 'port closed');
      });
      port.on('error', (err: Error) => {
        if (!current()) return;
        this.#cfg.logger.warn({ err, path: this.#cfg.path }, 'serial scanner failed');
        this.#cfg.emit('error', { code: 'input_failed', message: 'serial scanner failed' });
        this.#lost(port, 'device failed');
      });
      port.open((err) => {
        if (err) this.#openFailed(err);
        else this.#opened(port);
        resolve();
      });
    });
    this.#attempt = attempt;
    return attempt;
  }

  #opened(port: SerialPort): void {
    if (this.#stopped) {
      // close() ran while opening; stop() awaits this attempt and then closes the port.
      this.#port = port;
      return;
    }
    this.#port = port;
    this.#failures = 0;
    this.#reportedAbsent = false;
    this.#frame = INITIAL_SCAN_STATE;
    this.#cfg.stats.opens++;
    this.#attached = true;
    this.#cfg.logger.info({ path: this.#cfg.path, baudRate: this.#cfg.baudRate }, 'serial scanner attached');
    this.#cfg.emit('attached', { at: this.#cfg.clock.now() });
    this.#startPresenceCheck(port);
  }

  /**
   * Watches the device path while the port is open. A hung-up tty does not always fail the pending
   * read: after a hangup Linux may answer reads with 0 bytes, which serialport's reader retries forever
   * without reporting a disconnect. An unplugged USB scanner's node (or a vanished pty link) is gone
   * from /dev, or names another device after a re-plug; either means this port is lost.
   */
  #startPresenceCheck(port: SerialPort): void {
    const path = this.#cfg.path;
    let device: number | undefined;
    let checking = false;
    const check = async (): Promise<void> => {
      let rdev: number | undefined;
      try {
        rdev = (await stat(path)).rdev;
      } catch {
        rdev = undefined;
      }
      if (port !== this.#port || this.#stopped) return;
      device ??= rdev;
      if (rdev === undefined || rdev !== device) this.#lost(port, 'device disconnected');
    };
    const tick = (): void => {
      // A slow stat (a stuck USB hub) must not pile up checks.
      if (checking) return;
      checking = true;
      void check().finally(() => {
        checking = false;
      });
    };
    this.#presenceTimer = setInterval(tick, this.#cfg.presenceCheckMs);
    // The first check records which device the path names now, right after opening it.
    tick();
  }

  #stopPresenceCheck(): void {
    clearInterval(this.#presenceTimer);
    this.#presenceTimer = undefined;
  }

  #openFailed(err: unknown): void {
    if (this.#stopped) return;
    if (!this.#reportedAbsent) {
      // Logged once per absence, not once per retry: a scanner left unplugged must not flood the log.
      this.#reportedAbsent = true;
      this.#cfg.logger.warn(
        { path: this.#cfg.path, reason: errorMessage(err) },
        'serial scanner not available; retrying until it appears',
      );
      this.#cfg.emit('detached', { at: this.#cfg.clock.now(), reason: 'device not available' });
    }
    this.#scheduleRetry();
  }

  /** The open port went away: report it once, release it and start retrying. */
  #lost(port: SerialPort, reason: string): void {
    this.#port = undefined;
    this.#stopPresenceCheck();
    if (port.isOpen) port.close(() => undefined);
    if (this.#stopped) return;
    // A partial line from before the loss is dropped: it may be a truncated payload.
    this.#frame = INITIAL_SCAN_STATE;
    this.#reportedAbsent = true;
    this.#cfg.logger.warn({ path: this.#cfg.path, reason }, 'serial scanner detached; retrying');
    if (this.#attached) this.#detach(reason);
    this.#scheduleRetry();
  }

  #detach(reason: string): void {
    this.#attached = false;
    this.#cfg.emit('detached', { at: this.#cfg.clock.now(), reason });
  }

  #scheduleRetry(): void {
    if (this.#stopped || this.#retryTimer) return;
    // No jitter: one kiosk has one scanner, so there is no herd of clients to spread out.
    const exp = Math.min(this.#failures, 16);
    const delay = Math.min(this.#cfg.retryMaxMs, this.#cfg.retryInitialMs * 2 ** exp);
    this.#failures++;
    this.#cfg.logger.debug({ delayMs: delay }, 'serial scanner reopen scheduled');
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      const Port = this.#SerialPort;
      if (!this.#stopped && Port) void this.#tryOpen(Port);
    }, delay);
  }

  #onData(chunk: Buffer): void {
    this.#cfg.stats.bytesReceived += chunk.length;
    this.#cfg.stats.chunksReceived++;
    const r = frameScanBytes(this.#frame, chunk, this.#cfg.maxLine);
    this.#frame = r.state;
    const at = this.#cfg.clock.now();
    for (const item of r.items) {
      // A listener may close the reader mid-chunk; the rest of the chunk is then dropped.
      if (this.#stopped) return;
      switch (item.kind) {
        case 'line':
          this.#cfg.emit('credential', { credential: { kind: 'qr', value: item.value }, at });
          break;
        case 'rejected':
          this.#cfg.logger.debug({ code: item.code }, 'serial scan rejected');
          this.#cfg.emit('error', { code: item.code, message: item.message });
          break;
      }
    }
  }
}

function isDisconnect(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'disconnected' in err && err.disconnected === true;
}
