import Database from 'better-sqlite3';
import { createDecipheriv } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, open, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { ConflictError, errorMessage, GenkanError } from '../../common/errors.ts';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../common/private-files.ts';
import { schemaVersion } from '../../common/sqlite.ts';
import { HUB_DB_FILE } from '../store/hub-store.ts';
import { hubMigrations } from '../store/migrations.ts';
import { readArchive } from './archive.ts';
import { newRestoreMark, readRestoreMark, writeRestoreMark, type RestoreMark } from './restore-mark.ts';
import {
  badBackup,
  decodePrefix,
  GCM_TAG_BYTES,
  keyFor,
  PREFIX_READ_BYTES,
  type BackupHeader,
  type ReadPrefix,
} from './format.ts';

export interface RestoreOptions {
  file: string;
  /** The new data dir: absent or empty. */
  dataDir: string;
  /** The passphrase, or how to ask for it once the file and the folder checked out (a CLI reads stdin). */
  passphrase: string | (() => Promise<string>);
  /** The restore's time, recorded in the restore mark (tests). */
  now?: Date;
}

/** What `genkan hub restore` prints. */
export interface RestoreResult {
  restored: true;
  data: string;
  facility: string | null;
}

function tooNew(version: number): GenkanError {
  return new ConflictError(
    'backup_too_new',
    `the backup's hub database has schema version ${version}, newer than this Genkan (${hubMigrations.length}); restore it with a newer Genkan`,
  );
}

/** Refuses a data dir that holds anything: a restore never mixes with or replaces a hub's files. */
async function checkTargetEmpty(dataDir: string): Promise<boolean> {
  let entries: string[];
  try {
    entries = await readdir(dataDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  if (entries.length > 0) {
    throw new ConflictError('data_not_empty', `${dataDir} is not empty; restore into a new or empty folder`);
  }
  return true;
}

/** The header and the bytes before the ciphertext, read from the file's start. */
async function readPrefix(file: string): Promise<ReadPrefix & { size: number }> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const start = Buffer.alloc(Math.min(size, PREFIX_READ_BYTES));
    await fh.read(start, 0, start.length, 0);
    const read = decodePrefix(start);
    if (size < read.prefix.length + GCM_TAG_BYTES + 1) throw badBackup('the backup is truncated');
    return { ...read, size };
  } finally {
    await fh.close();
  }
}

async function readTag(file: string, size: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const tag = Buffer.alloc(GCM_TAG_BYTES);
    await fh.read(tag, 0, GCM_TAG_BYTES, size - GCM_TAG_BYTES);
    return tag;
  } finally {
    await fh.close();
  }
}

/**
 * The restored database must be whole, of a schema this Genkan knows (an older one is migrated when the
 * hub starts, as after any upgrade), and of the facility the header names.
 */
function checkDatabase(file: string, header: BackupHeader): void {
  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: true });
  } catch (err) {
    throw badBackup('the backup holds no hub database', err);
  }
  try {
    const version = schemaVersion(db);
    if (version > hubMigrations.length) throw tooNew(version);
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw badBackup(`the backup's hub database is damaged: ${String(check)}`);
    const row = db
      .prepare<[], { facility_id: string | null }>('SELECT facility_id FROM meta WHERE id = 1')
      .get();
    if (row === undefined) throw badBackup("the backup's hub database has no facility row");
    if (row.facility_id !== header.facilityId) throw badBackup('the backup header names another facility');
  } catch (err) {
    if (err instanceof GenkanError) throw err;
    throw badBackup("the backup's hub database cannot be read", err);
  } finally {
    db.close();
  }
}

/** The mark a backup of a restored hub carried, if readable: its pending catch-up is not forgotten. */
function earlierMark(dir: string): RestoreMark | undefined {
  try {
    return readRestoreMark(dir);
  } catch {
    return undefined;
  }
}

async function makePrivate(dir: string): Promise<void> {
  await chmod(dir, PRIVATE_DIR_MODE);
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    await chmod(join(e.parentPath, e.name), e.isDirectory() ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE);
  }
}

/**
 * `genkan hub restore`: decrypts and checks a backup into a temp folder beside `dataDir`, which takes the
 * final name only when everything checked out; on any failure nothing is left behind.
 */
export async function restoreBackup(options: RestoreOptions): Promise<RestoreResult> {
  const dataDir = resolve(options.dataDir);
  const existed = await checkTargetEmpty(dataDir);
  let read: ReadPrefix & { size: number };
  try {
    read = await readPrefix(options.file);
  } catch (err) {
    if (err instanceof GenkanError) throw err;
    throw badBackup(`cannot read ${options.file}: ${errorMessage(err)}`, err);
  }
  const { header, prefix, size } = read;
  const passphrase = typeof options.passphrase === 'string' ? options.passphrase : await options.passphrase();
  const key = await keyFor(passphrase, read);
  // Authenticated by the key check: refused before anything is decrypted.
  if (header.schemaVersion > hubMigrations.length) throw tooNew(header.schemaVersion);
  await mkdir(dirname(dataDir), { recursive: true });
  const work = await mkdtemp(join(dirname(dataDir), `.${basename(dataDir)}.restoring-`));
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(header.cipher.iv, 'base64'));
    decipher.setAAD(prefix);
    decipher.setAuthTag(await readTag(options.file, size));
    const ciphertext = createReadStream(options.file, {
      start: prefix.length,
      end: size - GCM_TAG_BYTES - 1,
    });
    // Files are written as they are decrypted; the tag is checked at the end, and a failure removes them.
    try {
      await pipeline(ciphertext, decipher, createGunzip(), async (plain: AsyncIterable<Buffer>) => {
        await readArchive(plain, work);
      });
    } catch (err) {
      // A failed tag, a gzip or an archive error: whichever notices first, the file is not as it was made.
      throw badBackup('the backup is damaged or was changed after it was made', err);
    }
    checkDatabase(join(work, HUB_DB_FILE), header);
    // The hub learns at start that it was restored: it asks the kiosks to resend and catches up from the
    // cloud on what came after the backup (edge-hub/restore-resync.ts, edge-hub/relay/catch-up.ts).
    writeRestoreMark(work, newRestoreMark(header.createdAt, options.now ?? new Date(), earlierMark(work)));
    await makePrivate(work);
    if (existed) await rmdir(dataDir);
    await rename(work, dataDir);
    return { restored: true, data: dataDir, facility: header.facilityId };
  } catch (err) {
    await rm(work, { recursive: true, force: true });
    throw err;
  }
}
