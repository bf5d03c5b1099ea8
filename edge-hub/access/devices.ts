import { randomBytes } from 'node:crypto';
import { ValidationError } from '../../common/errors.ts';
import { hashPassword, needsRehash, verifyPassword } from '../../common/passwords.ts';
import { hashToken, hashTokenBase64url, sameBytes } from '../../common/secrets.ts';
import { ID_RE } from '../../protocol/index.ts';
import { DEVICE_ROLES, type DeviceRole } from '../store/devices.ts';
import type { StoreOf } from '../store/hub-store.ts';

export interface NewDevice {
  deviceId: string;
  password: string;
}

/** A device password: 192 random bits, base64url (shown once, stored as a scrypt hash). */
export function newDevicePassword(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * The device id of the events a correction records (edge-hub/records): not a paired device, so that their
 * sequence numbers (store.events.nextDeviceSeq) are the hub's own. No device may be added or paired as it.
 */
export const CORRECTIONS_DEVICE_ID = 'hub-admin';

/**
 * The device id of the absences parents send through the cloud's parent app (edge-hub/parents): the hub
 * records them, numbering them itself like corrections. No device may be added or paired as it.
 */
export const PARENT_DEVICE_ID = 'parent-app';

/** Refuses what cannot be a device's id: malformed, or the hub's own. */
export function checkDeviceId(id: string): void {
  if (!ID_RE.test(id)) {
    throw new ValidationError(
      'bad_device_id',
      `not a valid device id: ${id} (letters, digits, _ and -)`,
      'id',
    );
  }
  if (id === CORRECTIONS_DEVICE_ID || id === PARENT_DEVICE_ID) {
    throw new ValidationError('bad_device_id', `${id} is reserved for the hub's own records`, 'id');
  }
}

/** Registers a device with a fresh random password; re-adding an existing id rotates its password. */
export async function addDevice(store: StoreOf<'devices'>, id: string, role: DeviceRole): Promise<NewDevice> {
  checkDeviceId(id);
  if (!DEVICE_ROLES.includes(role)) {
    throw new ValidationError('bad_role', `role must be one of ${DEVICE_ROLES.join(', ')}`, 'role');
  }
  const password = newDevicePassword();
  store.devices.upsertDevice(id, role, await hashPassword(password, 'random'));
  return { deviceId: id, password };
}

/** Checks a device's MQTT credentials against the store. Unknown devices cost the same as known ones. */
export async function verifyDevice(
  store: StoreOf<'devices'>,
  id: string,
  password: string,
): Promise<boolean> {
  const stored = store.devices.devicePasswordHash(id);
  if (stored === undefined) {
    // Spend the same time as a real check, so response time does not tell which device ids exist.
    await hashPassword(password, 'random');
    return false;
  }
  if (!(await verifyPassword(password, stored))) return false;
  // A hash made at the old, higher cost is redone once at the cost of a random secret; only if the
  // password was not changed meanwhile (a pairing), which must win.
  if (needsRehash(stored, 'random')) {
    store.devices.replacePasswordHash(id, stored, await hashPassword(password, 'random'));
  }
  return true;
}

/**
 * Admin tokens are 32 random bytes (or an operator's own secret); a plain SHA-256 (common/secrets.ts) is
 * enough to keep the stored value useless, and it is cheap enough to check on every HTTP request.
 */
export function hashAdminToken(token: string): string {
  return hashTokenBase64url(token);
}

export function checkAdminToken(presented: string, storedHash: string): boolean {
  return sameBytes(hashToken(presented), Buffer.from(storedHash, 'base64url'));
}

export function newAdminToken(): string {
  return randomBytes(32).toString('base64url');
}
