import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { Logger } from '../common/logger.ts';
import type { Clock } from '../common/time.ts';
import { parseCredential } from '../protocol/credentials.ts';
import { TypedEmitter } from './emitter.ts';
import { DEFAULT_MAX_LINE, flushLines, frameLines, INITIAL_FRAME_STATE, type FrameState } from './lines.ts';
import type { CredentialReader, ReaderEventMap } from './reader.ts';

export interface LineReaderDeps {
  logger: Logger;
  clock: Clock;
  input: Readable;
  maxLineLength?: number;
}

/** Message for a line that is not a credential; it names the format, never the input. */
export const UNRECOGNISED_MESSAGE = 'expected card:<hex uid> or qr:<payload>';

/**
 * Base of the text readers: frames an input stream into lines and hands each non-blank one to
 * `handleLine`. The stream is borrowed, not owned: close() detaches and pauses it but does not destroy
 * it (it is usually process.stdin).
 */
export abstract class LineStreamReader extends TypedEmitter<ReaderEventMap> implements CredentialReader {
  abstract readonly name: string;
  protected readonly logger: Logger;
  protected readonly clock: Clock;
  readonly #input: Readable;
  readonly #maxLine: number;
  #decoder = new StringDecoder('utf8');
  #frame: FrameState = INITIAL_FRAME_STATE;
  #open = false;

  constructor(deps: LineReaderDeps) {
    super();
    this.logger = deps.logger;
    this.clock = deps.clock;
    this.#input = deps.input;
    this.#maxLine = deps.maxLineLength ?? DEFAULT_MAX_LINE;
  }

  open(): Promise<void> {
    if (this.#open) return Promise.resolve();
    this.#open = true;
    this.#input.on('data', this.#onData);
    this.#input.on('end', this.#onEnd);
    this.#input.on('error', this.#onError);
    this.#input.resume();
    this.emit('attached', { at: this.clock.now() });
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (this.#open) this.#detach('closed');
    return Promise.resolve();
  }

  /** Handles one trimmed, non-blank line. */
  protected abstract handleLine(line: string, at: Date): void;

  /** The common case: a `card:…` or `qr:…` line becomes a credential, anything else an error event. */
  protected emitCredentialLine(line: string, at: Date): void {
    const credential = parseCredential(line);
    if (credential) this.emit('credential', { credential, at });
    else this.emit('error', { code: 'unrecognised_input', message: UNRECOGNISED_MESSAGE });
  }

  #detach(reason: string): void {
    this.#open = false;
    this.#input.off('data', this.#onData);
    this.#input.off('end', this.#onEnd);
    this.#input.off('error', this.#onError);
    // Paused so that a process whose only remaining handle is stdin can exit.
    this.#input.pause();
    this.#decoder = new StringDecoder('utf8');
    this.#frame = INITIAL_FRAME_STATE;
    this.emit('detached', { at: this.clock.now(), reason });
  }

  #lines(lines: readonly string[], overflowed: number): void {
    const at = this.clock.now();
    for (let i = 0; i < overflowed; i++) {
      this.emit('error', {
        code: 'line_too_long',
        message: `line longer than ${this.#maxLine} characters dropped`,
      });
    }
    for (const raw of lines) {
      // A listener may close the reader mid-chunk; the rest of the chunk is then dropped.
      if (!this.#open) return;
      const line = raw.trim();
      if (line.length > 0) this.handleLine(line, at);
    }
  }

  readonly #onData = (chunk: Buffer | string): void => {
    const text = typeof chunk === 'string' ? chunk : this.#decoder.write(chunk);
    const r = frameLines(this.#frame, text, this.#maxLine);
    this.#frame = r.state;
    this.#lines(r.lines, r.overflowed);
  };

  readonly #onEnd = (): void => {
    const tail = frameLines(this.#frame, this.#decoder.end(), this.#maxLine);
    this.#lines([...tail.lines, ...flushLines(tail.state)], tail.overflowed);
    if (this.#open) this.#detach('end of input');
  };

  readonly #onError = (err: Error): void => {
    this.logger.warn({ err }, 'reader input failed');
    this.emit('error', { code: 'input_failed', message: err.message });
    if (this.#open) this.#detach('input failed');
  };
}
