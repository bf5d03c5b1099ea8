import { randomBytes, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Hashes of secrets: `scrypt$N$r$p$SALT$HASH`, salt and hash in base64url. The cost parameters are stored
 * with each hash, so they can change without a migration, and each kind of secret has its own cost:
 *  - `chosen`: what people choose (staff PINs at the hub and at a kiosk): few possible values, so each guess
 *    must be slow; ~50 ms and 16 MiB on a tablet-class CPU, once per attempt (lockouts do the rest);
 *  - `random`: secrets genkan generates (device passwords, 192 random bits): no guess can succeed whatever
 *    the cost, so the hash only keeps the stored value useless. 1 MiB instead of 16 MiB matters: a hub
 *    checks every device's password when it (re)connects, on libuv's worker threads, and glibc keeps each
 *    thread's largest scrypt buffer (~64 MB for four threads at 16 MiB).
 *  - `guardian_pin`: guardians' kiosk PINs (4–8 digits), shipped to every kiosk in the roster and checked
 *    offline there: a stolen kiosk disk allows offline guessing, so each guess costs more (64 MiB, about
 *    155 ms on the 2-core Xeon this was measured on, well under a second on a kiosk-class CPU).
 */
export type SecretKind = 'chosen' | 'random' | 'guardian_pin';

const COST: Readonly<Record<SecretKind, { N: number; r: number; p: number }>> = {
  chosen: { N: 16_384, r: 8, p: 1 },
  random: { N: 1_024, r: 8, p: 1 },
  guardian_pin: { N: 65_536, r: 8, p: 1 },
};
const SCRYPT = { keyLength: 32, saltLength: 16 } as const;
/** N=16384, r=8 needs 16 MiB, right at Node's default limit; N=65536 (guardian PINs) needs 64 MiB. */
const MAXMEM = 128 * 1024 * 1024;

interface StoredHash {
  options: ScryptOptions;
  salt: Buffer;
  hash: Buffer;
}

function format(kind: SecretKind, salt: Buffer, hash: Buffer): string {
  const { N, r, p } = COST[kind];
  return ['scrypt', N, r, p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

function optionsOf(kind: SecretKind): ScryptOptions {
  return { ...COST[kind], maxmem: MAXMEM };
}

/** The parts of a stored hash; undefined for a malformed one. */
function parse(stored: string): StoredHash | undefined {
  const parts = stored.split('$');
  const [scheme, n, r, p, salt, hash] = parts;
  if (parts.length !== 6 || scheme !== 'scrypt' || salt === undefined || hash === undefined) return undefined;
  const [N, blockSize, parallel] = [Number(n), Number(r), Number(p)];
  if (![N, blockSize, parallel].every((v) => Number.isInteger(v) && v > 0)) return undefined;
  const expected = Buffer.from(hash, 'base64url');
  if (expected.length < 16) return undefined;
  return {
    options: { N, r: blockSize, p: parallel, maxmem: MAXMEM },
    salt: Buffer.from(salt, 'base64url'),
    hash: expected,
  };
}

function scryptAsync(
  password: string,
  salt: Buffer,
  keyLength: number,
  options: ScryptOptions,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, options, (err, key) => {
      if (err) reject(err);
      else resolve(key);
    });
  });
}

/** A new salted hash of `password`, off the event loop. */
export async function hashPassword(password: string, kind: SecretKind): Promise<string> {
  const salt = randomBytes(SCRYPT.saltLength);
  return format(kind, salt, await scryptAsync(password, salt, SCRYPT.keyLength, optionsOf(kind)));
}

/** hashPassword, blocking: for a process that serves one person at a time (a kiosk's PIN pad). */
export function hashPasswordSync(password: string, kind: SecretKind): string {
  const salt = randomBytes(SCRYPT.saltLength);
  return format(kind, salt, scryptSync(password, salt, SCRYPT.keyLength, optionsOf(kind)));
}

/** Whether a stored hash was made with other costs than `kind`'s now (then it is worth redoing). */
export function needsRehash(stored: string, kind: SecretKind): boolean {
  const s = parse(stored);
  const want = COST[kind];
  return s === undefined || s.options.N !== want.N || s.options.r !== want.r || s.options.p !== want.p;
}

/** Constant-time check of a password against a stored hash; false for a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const s = parse(stored);
  if (s === undefined) return false;
  return timingSafeEqual(await scryptAsync(password, s.salt, s.hash.length, s.options), s.hash);
}

/** verifyPassword, blocking. */
export function verifyPasswordSync(password: string, stored: string): boolean {
  const s = parse(stored);
  if (s === undefined) return false;
  return timingSafeEqual(scryptSync(password, s.salt, s.hash.length, s.options), s.hash);
}
