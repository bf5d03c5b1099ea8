import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino censors in every log line: card identifiers, names and secrets never reach a log.
 * Log objects should carry ids (childId, deviceId), never names or clear card numbers.
 */
export const REDACT_PATHS = [
  'card',
  'cardUid',
  'credential',
  'uid',
  'name',
  'childName',
  'guardianName',
  'kana',
  'password',
  'token',
  'authorization',
  'note',
  '*.card',
  '*.cardUid',
  '*.credential',
  '*.uid',
  '*.name',
  '*.childName',
  '*.guardianName',
  '*.kana',
  '*.password',
  '*.token',
  '*.authorization',
  '*.note',
  'req.headers.authorization',
];

export interface LoggerOptions {
  level?: string;
  /** Where lines go; defaults to stderr so that stdout stays free for machine-readable output. */
  destination?: DestinationStream;
}

/** One root logger per process; components receive `logger.child({ ns: '…' })` by injection. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env['GENKAN_LOG_LEVEL'] ?? 'info';
  return pino(
    { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { pid: process.pid } },
    options.destination ?? pino.destination(2),
  );
}

/** A logger that drops everything, for unit tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
