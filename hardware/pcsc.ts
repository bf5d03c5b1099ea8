import type { Logger } from '../common/logger.ts';
import type { Clock } from '../common/time.ts';
import { ReaderSpecError } from './errors.ts';
import type { CredentialReader } from './reader.ts';

export interface PcscReaderOptions {
  logger: Logger;
  clock: Clock;
  /** Use only readers whose name contains this; all readers when absent. */
  reader?: string;
}

/** IC cards over PC/SC (nfc-pcsc). Stub until the PC/SC driver lands. */
export function createPcscReader(_options: PcscReaderOptions): CredentialReader {
  throw new ReaderSpecError('unsupported_reader', 'PC/SC readers are not available yet');
}
