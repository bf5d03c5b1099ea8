import { GenkanError } from '../common/errors.ts';

/** A `--reader` spec that names no supported reader, or readers that cannot run together. */
export class ReaderSpecError extends GenkanError {}

/** A reader's configuration (e.g. a simulator file) is unusable; raised by open(). */
export class ReaderConfigError extends GenkanError {}
