import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../common/logger.ts';

/**
 * A logger at `level` whose lines go into `lines` (a new array unless given), for the tests that look at
 * what was logged: a message written, and no name, token or health detail in it.
 */
export function capturingLogger(level = 'trace', lines: string[] = []): { logger: Logger; lines: string[] } {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createLogger({ level, destination: sink }), lines };
}
