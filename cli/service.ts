import { createLogger, type Logger } from '../common/logger.ts';
import { fail } from './util.ts';

/** The process's logger (pino, redacting); loaded with the command that runs, never for --help. */
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
