import { createRequire } from 'node:module';
import { createLogger, type Logger } from '../common/logger.ts';
import { errorMessage, GenkanError } from '../common/errors.ts';

/** Prints one JSON line on stdout; ready lines and command results use this, scripts parse it. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Port option parser: an integer 0–65535, where 0 asks the OS for a free port. */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new GenkanError('bad_port', `not a port: ${value}`);
  return n;
}

export function parseNonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new GenkanError('bad_number', `not a non-negative integer: ${value}`);
  return n;
}

export function rootLogger(): Logger {
  return createLogger();
}

/**
 * Runs a long-lived server: starts it, and closes it cleanly on SIGINT/SIGTERM (a second signal exits
 * at once). Startup failures exit with status 1 and a one-line reason on stderr.
 */
export async function runService(
  logger: Logger,
  start: () => Promise<{ close(): Promise<void> }>,
): Promise<void> {
  let service: { close(): Promise<void> };
  try {
    service = await start();
  } catch (err) {
    fail(err);
  }
  let closing = false;
  const stop = (signal: string) => {
    if (closing) process.exit(1);
    closing = true;
    logger.info({ signal }, 'shutting down');
    service.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => {
    stop('SIGINT');
  });
  process.on('SIGTERM', () => {
    stop('SIGTERM');
  });
}

/** Ends a command with a reason on stderr and exit status 1 (2 for usage errors, set by commander). */
export function fail(err: unknown): never {
  const code = err instanceof GenkanError ? `${err.code}: ` : '';
  process.stderr.write(`genkan: ${code}${errorMessage(err)}\n`);
  process.exit(1);
}

/** The package's version (the CLI's --version, the kiosk's device status). */
export const GENKAN_VERSION = (createRequire(import.meta.url)('../package.json') as { version: string })
  .version;
