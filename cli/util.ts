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
