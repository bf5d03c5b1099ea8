import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { ValidationError } from '../common/errors.ts';
import { ID_RE } from '../protocol/index.ts';
import { DEVICE_ROLES, type DeviceRole, type HubStore } from './store.ts';

/** scrypt cost parameters are stored with each hash, so they can be raised later without a migration. */
const SCRYPT = { N: 16384, r: 8, p: 1, keyLen: 32 } as const;

function scryptAsync(
  password: string,
  salt: Buffer,
  keyLen: number,
  options: ScryptOptions,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLen, options, (err, key) => {
      if (err) reject(err);
      else resolve(key);
    });
  });
}

/** `scrypt$N$r$p$salt$hash` (base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT.keyLen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

/** Constant-time check of a password against a stored hash; false for a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const expected = Buffer.from(parts[5] ?? '', 'base64url');
  if (N === undefined || r === undefined || p === undefined || expected.length === 0) return false;
  // maxmem: N=16384, r=8 needs 16 MiB, right at Node's default limit.
  const key = await scryptAsync(password, salt, expected.length, { N, r, p, maxmem: 64 * 1024 * 1024 });
  return timingSafeEqual(key, expected);
}

export interface NewDevice {
  deviceId: string;
  password: string;
}

/** A device password: 192 random bits, base64url (shown once, stored as a scrypt hash). */
export function newDevicePassword(): string {
  return randomBytes(24).toString('base64url');
}

/** Registers a device with a fresh random password; re-adding an existing id rotates its password. */
export async function addDevice(store: HubStore, id: string, role: DeviceRole): Promise<NewDevice> {
  if (!ID_RE.test(id)) {
    throw new ValidationError(
      'bad_device_id',
      `not a valid device id: ${id} (letters, digits, _ and -)`,
      'id',
    );
  }
  if (!DEVICE_ROLES.includes(role)) {
    throw new ValidationError('bad_role', `role must be one of ${DEVICE_ROLES.join(', ')}`, 'role');
  }
  const password = newDevicePassword();
  store.upsertDevice(id, role, await hashPassword(password));
  return { deviceId: id, password };
}

/** Checks a device's MQTT credentials against the store. Unknown devices cost the same as known ones. */
export async function verifyDevice(store: HubStore, id: string, password: string): Promise<boolean> {
  const stored = store.devicePasswordHash(id);
  if (stored === undefined) {
    // Spend the same time as a real check, so response time does not tell which device ids exist.
    await hashPassword(password);
    return false;
  }
  return verifyPassword(password, stored);
}

/**
 * Admin tokens are 32 random bytes (or an operator's own secret); a plain SHA-256 is enough to keep the
 * stored value useless, and it is cheap enough to check on every HTTP request.
 */
export function hashAdminToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

export function checkAdminToken(presented: string, storedHash: string): boolean {
  const a = Buffer.from(hashAdminToken(presented), 'base64url');
  const b = Buffer.from(storedHash, 'base64url');
  return a.length === b.length && timingSafeEqual(a, b);
}

export function newAdminToken(): string {
  return randomBytes(32).toString('base64url');
}
