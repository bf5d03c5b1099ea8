import { execFileSync } from 'node:child_process';

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
