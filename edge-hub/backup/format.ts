import { createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { GenkanError, ValidationError } from '../../common/errors.ts';

/**
 * The hub backup file (version 1):
 *
 *   "GENKANBK1" | u32 BE header length | header (JSON, UTF-8) | key check (16 bytes)
 *   | AES-256-GCM ciphertext | 16-byte GCM tag
 *
 * The ciphertext is gzip of the archive (archive.ts). The key comes from scrypt of the passphrase with the
 * header's parameters and salt. The key check is an HMAC of magic, length and header under a second key
 * from the same scrypt output: it tells a wrong passphrase or a changed header before anything is
 * decrypted, so no header field is acted on unauthenticated. Everything before the ciphertext is also
 * the GCM additional data.
 */
export const BACKUP_MAGIC = Buffer.from('GENKANBK1', 'ascii');
export const BACKUP_FORMAT = 1;
export const GCM_TAG_BYTES = 16;
const GCM_IV_BYTES = 12;
const SALT_BYTES = 16;
const KEY_CHECK_BYTES = 16;
/** A header is a few hundred bytes; a length beyond this is a damaged or foreign file. */
const MAX_HEADER_BYTES = 16 * 1024;

export const MIN_PASSPHRASE_CHARS = 12;

/** scrypt cost; 2^17 × r 8 uses 128 MiB and took ~0.3 s on the development machine (docs/deployment.md). */
export interface KdfParams {
  N: number;
  r: number;
  p: number;
}
export const DEFAULT_KDF: KdfParams = { N: 2 ** 17, r: 8, p: 1 };
/**
 * What a restore accepts from a header. The lower bound lets tests use a cheap cost; the upper bound keeps
 * a crafted header from asking for gigabytes of memory or hours of work.
 */
const KDF_LIMITS = { minLogN: 10, maxLogN: 20, maxR: 16, maxP: 4 };

const base64 = (bytes: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9+/]+={0,2}$/)
    .refine((s) => Buffer.from(s, 'base64').length === bytes, `must be ${bytes} bytes`);

export const BackupHeaderSchema = z.object({
  format: z.number().int(),
  createdAt: z.string(),
  genkanVersion: z.string(),
  facilityId: z.string().nullable(),
  /** The hub database's schema version (PRAGMA user_version) in the backup. */
  schemaVersion: z.number().int().min(0),
  kdf: z.object({
    name: z.literal('scrypt'),
    N: z.number().int(),
    r: z.number().int(),
    p: z.number().int(),
    salt: base64(SALT_BYTES),
  }),
  cipher: z.object({ name: z.literal('aes-256-gcm'), iv: base64(GCM_IV_BYTES) }),
  compression: z.literal('gzip'),
});
export type BackupHeader = z.infer<typeof BackupHeaderSchema>;

/** The file could not be read as a backup: not one, damaged, tampered with, or the wrong passphrase. */
export function badBackup(message: string, cause?: unknown): GenkanError {
  return new GenkanError('bad_backup', message, cause === undefined ? undefined : { cause });
}

export function checkPassphrase(passphrase: string): void {
  if (passphrase.length < MIN_PASSPHRASE_CHARS) {
    throw new ValidationError(
      'weak_passphrase',
      passphrase === ''
        ? 'no backup passphrase: pipe one line on stdin or set GENKAN_BACKUP_PASSPHRASE'
        : `the backup passphrase must have at least ${MIN_PASSPHRASE_CHARS} characters`,
      'passphrase',
    );
  }
}

function checkKdf(kdf: KdfParams): void {
  const logN = Math.log2(kdf.N);
  const ok =
    Number.isInteger(logN) &&
    logN >= KDF_LIMITS.minLogN &&
    logN <= KDF_LIMITS.maxLogN &&
    kdf.r >= 1 &&
    kdf.r <= KDF_LIMITS.maxR &&
    kdf.p >= 1 &&
    kdf.p <= KDF_LIMITS.maxP;
  if (!ok) throw badBackup(`unsupported key derivation parameters N=${kdf.N} r=${kdf.r} p=${kdf.p}`);
}

/** scrypt of the passphrase: 64 bytes, the first half the cipher key, the second half the key-check key. */
async function deriveKeys(
  passphrase: string,
  kdf: KdfParams,
  salt: Buffer,
): Promise<{ key: Buffer; checkKey: Buffer }> {
  checkKdf(kdf);
  const derived = await new Promise<Buffer>((resolve, reject) => {
    scrypt(
      passphrase.normalize('NFC'),
      salt,
      64,
      { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r + 1024 * 1024 },
      (err, key) => {
        if (err) reject(err);
        else resolve(key);
      },
    );
  });
  return { key: derived.subarray(0, 32), checkKey: derived.subarray(32) };
}

function keyCheckOf(checkKey: Buffer, signed: Buffer): Buffer {
  return createHmac('sha256', checkKey).update(signed).digest().subarray(0, KEY_CHECK_BYTES);
}

/** Magic, header length and header: what the key check covers. */
function encodeSigned(header: BackupHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  return Buffer.concat([BACKUP_MAGIC, length, json]);
}

/**
 * A new header (fresh salt and IV) for the passphrase: the cipher key, and the prefix to write before the
 * ciphertext (also the GCM additional data).
 */
export async function newPrefix(
  passphrase: string,
  about: Pick<BackupHeader, 'createdAt' | 'genkanVersion' | 'facilityId' | 'schemaVersion'>,
  kdf: KdfParams = DEFAULT_KDF,
): Promise<{ header: BackupHeader; key: Buffer; prefix: Buffer }> {
  const salt = randomBytes(SALT_BYTES);
  const { key, checkKey } = await deriveKeys(passphrase, kdf, salt);
  const header: BackupHeader = {
    format: BACKUP_FORMAT,
    ...about,
    kdf: { name: 'scrypt', ...kdf, salt: salt.toString('base64') },
    cipher: { name: 'aes-256-gcm', iv: randomBytes(GCM_IV_BYTES).toString('base64') },
    compression: 'gzip',
  };
  const signed = encodeSigned(header);
  return { header, key, prefix: Buffer.concat([signed, keyCheckOf(checkKey, signed)]) };
}

/** A prefix as read, not authenticated yet: only keyFor vouches for it. */
export interface ReadPrefix {
  header: BackupHeader;
  /** All the bytes before the ciphertext (the GCM additional data). */
  prefix: Buffer;
}

/**
 * Reads the prefix from the start of a file, given its first bytes (PREFIX_READ_BYTES, or the whole file
 * when shorter).
 */
export function decodePrefix(start: Buffer): ReadPrefix {
  if (
    start.length < BACKUP_MAGIC.length + 4 ||
    !start.subarray(0, BACKUP_MAGIC.length).equals(BACKUP_MAGIC)
  ) {
    throw badBackup('not a Genkan hub backup (no GENKANBK1 signature)');
  }
  const length = start.readUInt32BE(BACKUP_MAGIC.length);
  const end = BACKUP_MAGIC.length + 4 + length;
  if (length > MAX_HEADER_BYTES || end + KEY_CHECK_BYTES > start.length) {
    throw badBackup('the backup header is damaged');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(start.subarray(BACKUP_MAGIC.length + 4, end).toString('utf8'));
  } catch (err) {
    throw badBackup('the backup header is damaged', err);
  }
  const format = (raw as { format?: unknown } | null)?.format;
  if (typeof format === 'number' && format > BACKUP_FORMAT) {
    throw badBackup(`backup format ${format} is newer than this Genkan (${BACKUP_FORMAT}); upgrade Genkan`);
  }
  const parsed = BackupHeaderSchema.safeParse(raw);
  if (!parsed.success || parsed.data.format !== BACKUP_FORMAT) {
    throw badBackup('the backup header is damaged');
  }
  return { header: parsed.data, prefix: start.subarray(0, end + KEY_CHECK_BYTES) };
}

/** How many bytes decodePrefix needs at most. */
export const PREFIX_READ_BYTES = BACKUP_MAGIC.length + 4 + MAX_HEADER_BYTES + KEY_CHECK_BYTES;

/**
 * The cipher key for a prefix, once its key check holds: the passphrase is the one the backup was made
 * with, and the header is as written. Otherwise bad_backup.
 */
export async function keyFor(passphrase: string, read: ReadPrefix): Promise<Buffer> {
  const { key, checkKey } = await deriveKeys(
    passphrase,
    read.header.kdf,
    Buffer.from(read.header.kdf.salt, 'base64'),
  );
  const signed = read.prefix.subarray(0, read.prefix.length - KEY_CHECK_BYTES);
  const check = read.prefix.subarray(read.prefix.length - KEY_CHECK_BYTES);
  if (!timingSafeEqual(keyCheckOf(checkKey, signed), check)) {
    throw badBackup('wrong passphrase (or a damaged backup header)');
  }
  return key;
}
