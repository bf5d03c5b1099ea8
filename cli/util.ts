import packageJson from '../package.json' with { type: 'json' };
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

/** Ends a command with a reason on stderr and exit status 1 (2 for usage errors, set by commander). */
export function fail(err: unknown): never {
  const code = err instanceof GenkanError ? `${err.code}: ` : '';
  process.stderr.write(`genkan: ${code}${errorMessage(err)}\n`);
  process.exit(1);
}

/** The package's version (the CLI's --version, the kiosk's device status). */
export const GENKAN_VERSION: string = packageJson.version;

const SECRET_STDIN_TIMEOUT_MS = 60_000;

/**
 * The first line of stdin (a pipe or a person typing), within a timeout: how PIN commands take a secret
 * that must not be an argument. `envName` is the variable the timeout's message points to instead.
 */
export function readSecretLine(envName: string, what = 'PIN'): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const done = (err?: Error): void => {
      clearTimeout(timer);
      process.stdin.off('data', onData);
      process.stdin.off('end', onEnd);
      process.stdin.pause();
      if (err) reject(err);
      else resolve(text.split(/\r?\n/)[0] ?? '');
    };
    const onData = (chunk: Buffer | string): void => {
      text += chunk.toString();
      // A PIN is short: more than a line's worth is not a PIN, and need not be read to the end.
      if (text.includes('\n') || text.length > 64) done();
    };
    const onEnd = (): void => {
      done();
    };
    const timer = setTimeout(() => {
      done(new GenkanError('pin_timeout', `no ${what} on stdin; set ${envName} or pipe one line`));
    }, SECRET_STDIN_TIMEOUT_MS);
    process.stdin.on('data', onData);
    process.stdin.on('end', onEnd);
  });
}
