import type { Logger } from '../common/logger.ts';
import type { Clock } from '../common/time.ts';
import { ReaderSpecError } from './errors.ts';
import type { CredentialReader } from './reader.ts';

export interface SerialReaderOptions {
  logger: Logger;
  clock: Clock;
  path: string;
  baudRate: number;
}

/** A serial (USB CDC) 2D barcode scanner. Stub until the serial driver lands. */
export function createSerialReader(_options: SerialReaderOptions): CredentialReader {
  throw new ReaderSpecError('unsupported_reader', 'serial readers are not available yet');
}
