import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { errorMessage, GenkanError } from '../../common/errors.ts';
import { PRIVATE_FILE_MODE } from '../../common/private-files.ts';
import { IdSchema, InstantSchema } from '../../protocol/index.ts';

/**
 * DATA/restored.json: written by `genkan hub restore`, it tells the hub that it was restored from a backup
 * and what is still to be caught up on: the kiosks' resend (resync) and the fetch from the cloud. A file
 * rather than a database row, so that a backup of an older schema is marked the same way before the hub
 * migrates it; the hub updates it as each part is done.
 */
export const RESTORE_MARK_FILE = 'restored.json';

/**
 * How far before the backup's time the kiosks resend and the cloud is read: the clocks of the hub, the
 * kiosks and the cloud differ a little, and resending an hour more costs only duplicates.
 */
export const RESTORE_MARGIN_MS = 3_600_000;

export const RestoreMarkSchema = z.strictObject({
  /** When the backup was made (its header's createdAt). */
  backupCreatedAt: InstantSchema,
  restoredAt: InstantSchema,
  /** What the kiosks resend and the cloud is read from: the backup's time less RESTORE_MARGIN_MS. */
  since: InstantSchema,
  resync: z.strictObject({
    /** The request's id: each kiosk serves it once. */
    id: z.uuid(),
    /** Kiosks that reported it served (their status' `resynced`). */
    served: z.array(IdSchema),
    /** When the retained request was withdrawn; null while it stands. */
    clearedAt: InstantSchema.nullable(),
  }),
  /** When the catch-up from the cloud succeeded; null until then (or for a hub without a cloud). */
  caughtUpAt: InstantSchema.nullable(),
});
export type RestoreMark = z.infer<typeof RestoreMarkSchema>;

/** The mark of a restored hub's data dir; undefined when the hub was never restored (or all is done). */
export function readRestoreMark(dataDir: string): RestoreMark | undefined {
  let text: string;
  try {
    text = readFileSync(join(dataDir, RESTORE_MARK_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return RestoreMarkSchema.parse(JSON.parse(text));
  } catch (err) {
    throw new GenkanError('bad_restore_mark', `${RESTORE_MARK_FILE} is unreadable: ${errorMessage(err)}`, {
      cause: err,
    });
  }
}

/** Writes the mark atomically (temp file, then rename), 0600 like every data file. */
export function writeRestoreMark(dataDir: string, mark: RestoreMark): void {
  const file = join(dataDir, RESTORE_MARK_FILE);
  const temp = `${file}.tmp-${randomUUID()}`;
  try {
    writeFileSync(temp, `${JSON.stringify(RestoreMarkSchema.parse(mark), null, 2)}\n`, {
      mode: PRIVATE_FILE_MODE,
      flag: 'wx',
    });
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

/**
 * The mark a restore leaves. A backup of a restored hub that had not caught up yet holds its mark: the
 * earlier backup time is kept, so that what came after it is still asked for.
 */
export function newRestoreMark(backupCreatedAt: string, now: Date, earlier?: RestoreMark): RestoreMark {
  const pending = earlier !== undefined && earlier.caughtUpAt === null;
  const from =
    pending && Date.parse(earlier.backupCreatedAt) < Date.parse(backupCreatedAt)
      ? earlier.backupCreatedAt
      : backupCreatedAt;
  return {
    backupCreatedAt: from,
    restoredAt: now.toISOString(),
    since: new Date(Date.parse(from) - RESTORE_MARGIN_MS).toISOString(),
    resync: { id: randomUUID(), served: [], clearedAt: null },
    caughtUpAt: null,
  };
}
