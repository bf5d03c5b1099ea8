import { systemClock, type Clock } from '../common/time.ts';
import type { Logger } from '../common/logger.ts';
import { TypedEmitter } from './emitter.ts';
import type { CredentialReader, ReaderEventMap } from './reader.ts';

/** The longest QR payload accepted from the screen (a signed guardian code is under 200 bytes). */
export const CAMERA_PAYLOAD_MAX = 2048;

export type CameraStatus = 'on' | 'off' | 'failed';

/**
 * The camera QR reader. The camera belongs to the kiosk screen (getUserMedia in the renderer), which
 * decodes frames and counts a code once per appearance (hardware/qr-decode.ts); this reader is the main
 * side's end of that: the screen pushes decoded payloads and camera state in, and the kiosk sees one more
 * CredentialReader. Payloads are always `qr` credentials, so a printed code never stands in for a card.
 */
export class CameraReader extends TypedEmitter<ReaderEventMap> implements CredentialReader {
  readonly name = 'camera';
  readonly #clock: Clock;
  readonly #logger: Logger;
  #open = false;
  #status: CameraStatus = 'off';

  constructor(deps: { logger: Logger; clock?: Clock }) {
    super();
    this.#logger = deps.logger.child({ reader: 'camera' });
    this.#clock = deps.clock ?? systemClock;
  }

  get status(): CameraStatus {
    return this.#status;
  }

  open(): Promise<void> {
    this.#open = true;
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (this.#open && this.#status === 'on') {
      this.emit('detached', { at: this.#clock.now(), reason: 'closed' });
    }
    this.#open = false;
    this.#status = 'off';
    return Promise.resolve();
  }

  /** A payload the screen decoded. Ignored while closed; over-long or blank payloads are reported. */
  deliver(value: string): void {
    if (!this.#open) return;
    const trimmed = value.trim();
    if (trimmed.length === 0 || trimmed.length > CAMERA_PAYLOAD_MAX) {
      this.emit('error', { code: 'unrecognised_input', message: 'camera code empty or too long' });
      return;
    }
    this.emit('credential', { credential: { kind: 'qr', value: trimmed }, at: this.#clock.now() });
  }

  /** The screen's camera started, stopped or failed (no camera, permission denied). */
  setStatus(status: CameraStatus): void {
    if (!this.#open || status === this.#status) return;
    const was = this.#status;
    this.#status = status;
    const at = this.#clock.now();
    if (status === 'on') {
      this.#logger.info('camera streaming');
      this.emit('attached', { at });
    } else if (was === 'on' || status === 'failed') {
      this.#logger.warn({ status }, 'camera not streaming');
      this.emit('detached', { at, reason: status === 'failed' ? 'camera failed' : 'camera off' });
    }
  }
}
