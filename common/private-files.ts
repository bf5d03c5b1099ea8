import { chmodSync, closeSync, mkdirSync, openSync, statSync, writeFileSync } from 'node:fs';

/**
 * The one rule for what Genkan writes to disk (issue 15): data folders 0700, files 0600. The hub's
 * database holds the card-hash key, the QR signing key and PIN hashes, the kiosk's its device password,
 * the cloud's hub tokens: none of it is for other users of the machine. chmod after the fact too, because
 * a mode given at creation is cut by the umask and never applies to a file that already exists.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates `dir` (and its parents) if needed, and makes it 0700. A shared folder (sticky bit, as /tmp) is
 * never narrowed: it is not a data dir, whatever file a caller puts straight into it.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if ((statSync(dir).mode & 0o1000) === 0) chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Writes `path` (created 0600, or made 0600 when it existed). */
export function writePrivateFile(path: string, data: string | Uint8Array): void {
  writeFileSync(path, data, { mode: PRIVATE_FILE_MODE });
  chmodSync(path, PRIVATE_FILE_MODE);
}

/** Makes an existing file 0600; a file that is not there is fine (a -wal not made yet). */
export function makePrivate(path: string): void {
  try {
    chmodSync(path, PRIVATE_FILE_MODE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Creates an empty file 0600 unless it exists (a database or log file, before its library opens it). */
export function touchPrivateFile(path: string): void {
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  chmodSync(path, PRIVATE_FILE_MODE);
}

/**
 * A SQLite database and its WAL companions, made 0600. SQLite gives -wal and -shm the mode of the
 * database file when it creates them, so a private database file keeps them private; this also mends
 * the files of a data dir made before the rule.
 */
export function makeDatabasePrivate(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) makePrivate(f);
}
