import Database from 'better-sqlite3';
import { createCipheriv, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { PRIVATE_FILE_MODE } from '../../common/private-files.ts';
import { schemaVersion } from '../../common/sqlite.ts';
import { assertHubInitialised } from '../store/hub-data.ts';
import { HUB_DB_FILE } from '../store/hub-store.ts';
import { writeArchive, type ArchiveSource } from './archive.ts';
import { checkPassphrase, newPrefix, type KdfParams } from './format.ts';

/** Temp folders of a backup in progress inside the data dir (never part of a backup themselves). */
export const BACKUP_TEMP_PREFIX = '.backup-';

export interface BackupOptions {
  dataDir: string;
  out: string;
  /** The passphrase, or how to ask for it once the data dir checked out (a CLI reads stdin). */
  passphrase: string | (() => Promise<string>);
  genkanVersion: string;
  /** scrypt cost (default DEFAULT_KDF; tests pass a cheap one). */
  kdf?: KdfParams;
  now?: Date;
}

/** What `genkan hub backup` prints. */
export interface BackupResult {
  backup: string;
  bytes: number;
  facility: string | null;
  files: number;
}

/**
 * Whether a path under the data dir stays out of a backup: the live database and its WAL companions (the
 * consistent copy stands for them), logs, temp files and backups in progress.
 */
function skipped(name: string): boolean {
  const top = name.split('/')[0] ?? '';
  const leaf = name.split('/').at(-1) ?? '';
  return (
    [HUB_DB_FILE, `${HUB_DB_FILE}-wal`, `${HUB_DB_FILE}-shm`, `${HUB_DB_FILE}-journal`].includes(name) ||
    top === 'logs' ||
    top.startsWith(BACKUP_TEMP_PREFIX) ||
    /\.tmp(-[^/]*)?$/.test(leaf)
  );
}

/** The regular files under `dataDir` that go into a backup besides the database, by name. */
async function dataFiles(dataDir: string, exclude: string): Promise<ArchiveSource[]> {
  const entries = await readdir(dataDir, { withFileTypes: true, recursive: true });
  const out: ArchiveSource[] = [];
  for (const e of entries) {
    if (!e.isFile()) continue;
    const file = join(e.parentPath, e.name);
    const name = relative(dataDir, file).split(sep).join('/');
    if (skipped(name) || resolve(file) === exclude || resolve(file).startsWith(`${exclude}.tmp-`)) continue;
    out.push({ name, file });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * A consistent copy of the live database in `dir`, made with SQLite's online backup while the hub may be
 * writing: all pages in one step (a step-wise copy restarts whenever the hub commits, and might never end).
 * Returns the facility and schema version the copy holds.
 */
async function snapshotDatabase(
  dataDir: string,
  dir: string,
): Promise<{ file: string; facilityId: string | null; schemaVersion: number }> {
  const file = join(dir, HUB_DB_FILE);
  const source = new Database(join(dataDir, HUB_DB_FILE), { fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    await source.backup(file, { progress: () => 0x7fffffff });
  } finally {
    source.close();
  }
  const copy = new Database(file);
  try {
    // One self-contained file (the source's WAL mode would otherwise be copied along).
    copy.pragma('journal_mode = DELETE');
    const row = copy
      .prepare<[], { facility_id: string | null }>('SELECT facility_id FROM meta WHERE id = 1')
      .get();
    return { file, facilityId: row?.facility_id ?? null, schemaVersion: schemaVersion(copy) };
  } finally {
    copy.close();
  }
}

/**
 * `genkan hub backup`: the hub's database (online and consistent) and every other file of its data dir,
 * encrypted with the passphrase (format.ts), written to `out` atomically (temp file, then rename) and 0600.
 */
export async function createBackup(options: BackupOptions): Promise<BackupResult> {
  const dataDir = resolve(options.dataDir);
  assertHubInitialised(dataDir);
  const passphrase = typeof options.passphrase === 'string' ? options.passphrase : await options.passphrase();
  checkPassphrase(passphrase);
  const out = resolve(options.out);
  const temp = `${out}.tmp-${randomBytes(6).toString('hex')}`;
  // The plain copy of the database stays inside the data dir, as private as the original.
  const work = await mkdtemp(join(dataDir, BACKUP_TEMP_PREFIX));
  try {
    const db = await snapshotDatabase(dataDir, work);
    const sources = [{ name: HUB_DB_FILE, file: db.file }, ...(await dataFiles(dataDir, out))];
    const { header, key, prefix } = await newPrefix(
      passphrase,
      {
        createdAt: (options.now ?? new Date()).toISOString(),
        genkanVersion: options.genkanVersion,
        facilityId: db.facilityId,
        schemaVersion: db.schemaVersion,
      },
      options.kdf,
    );
    const cipher = createCipheriv('aes-256-gcm', key, Buffer.from(header.cipher.iv, 'base64'));
    cipher.setAAD(prefix);
    await pipeline(
      Readable.from(writeArchive(sources)),
      createGzip(),
      cipher,
      async function* (ciphertext: AsyncIterable<Buffer>) {
        yield prefix;
        for await (const chunk of ciphertext) yield chunk;
        yield cipher.getAuthTag();
      },
      createWriteStream(temp, { flags: 'wx', mode: PRIVATE_FILE_MODE }),
    );
    // On disk before it takes the final name: a backup that a power cut leaves half-written is no backup.
    const written = await open(temp, 'r');
    try {
      await written.sync();
    } finally {
      await written.close();
    }
    await rename(temp, out);
    const { size } = await stat(out);
    return { backup: out, bytes: size, facility: db.facilityId, files: sources.length };
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
