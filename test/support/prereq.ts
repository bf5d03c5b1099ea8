import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A test whose prerequisite (an apt package, a server) is missing fails under CI=true and is skipped
 * with a printed reason otherwise. Nothing skips silently.
 */
export function hasCommand(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Returns true when the test can run; prints why not, and throws under CI. */
export function requirePrereq(ok: boolean, what: string, install: string): boolean {
  if (ok) return true;
  const reason = `prerequisite missing: ${what} (install: ${install})`;
  if (process.env['CI'] === 'true') throw new Error(`${reason}; CI=true requires it`);
  console.warn(`SKIPPED: ${reason}`);
  return false;
}

/**
 * libfaketime's preload library (Debian package `faketime`), for running one process on a shifted clock
 * through LD_PRELOAD and FAKETIME; undefined when it is not installed.
 */
export function faketimeLibrary(): string | undefined {
  const dirs = ['/usr/lib/faketime', '/usr/local/lib/faketime'];
  try {
    // Debian and Ubuntu install it per architecture: /usr/lib/x86_64-linux-gnu/faketime, …
    for (const entry of readdirSync('/usr/lib')) {
      if (entry.endsWith('-linux-gnu')) dirs.push(join('/usr/lib', entry, 'faketime'));
    }
  } catch {
    // No /usr/lib: not a Linux system libfaketime could run on anyway.
  }
  return dirs.map((d) => join(d, 'libfaketime.so.1')).find((f) => existsSync(f));
}
