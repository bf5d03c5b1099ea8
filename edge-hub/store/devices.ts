import type { Db } from '../../common/sqlite.ts';
import type { Clock } from '../../common/time.ts';

export type DeviceRole = 'kiosk' | 'tablet';

export const DEVICE_ROLES: readonly DeviceRole[] = ['kiosk', 'tablet'];

export interface PairingCodeRow {
  id: number;
  codeHash: string;
  deviceId: string;
  role: DeviceRole;
}

/**
 * Devices and what they present (tables devices, pairing_codes, tablet_tokens), and the answers given to
 * their requests (device_requests). Hashes only: passwords, codes and tokens are hashed by the caller.
 */
export interface DeviceStore {
  /** Creates the device, or replaces the password of an existing one (its role is updated too). */
  upsertDevice(id: string, role: DeviceRole, passwordHash: string): void;
  devicePasswordHash(id: string): string | undefined;
  /** Replaces a device's password hash only while it is still `from`; whether it did. */
  replacePasswordHash(id: string, from: string, to: string): boolean;
  deviceRole(id: string): DeviceRole | undefined;
  /** Every paired or added device, by id. */
  deviceList(): { id: string; role: DeviceRole }[];
  /**
   * Deletes a device with its pairing codes and tablet device cookies (its events and answered requests
   * stay); the role it had, or undefined when there was no such device. Within the caller's transaction.
   */
  removeDevice(id: string): DeviceRole | undefined;

  addPairingCode(codeHash: string, deviceId: string, role: DeviceRole, expiresAt: Date): void;
  /** The device's codes still usable at `now` (unused and unexpired). */
  livePairingCodes(deviceId: string, now: Date): PairingCodeRow[];
  /** Marks a code used, within the caller's transaction; false when it was used or expired meanwhile. */
  usePairingCode(id: number, now: Date): boolean;

  addTabletToken(tokenHash: string, deviceId: string): void;
  /** The tablet a device cookie belongs to, while that device exists with role tablet. */
  tabletOfToken(tokenHash: string): string | undefined;

  /** The answer already given to a device's request, as sent (JSON text). */
  storedResponse(deviceId: string, requestId: string): string | undefined;
  storeResponse(deviceId: string, requestId: string, op: string, responseJson: string): void;
  /** Forgets answered requests received before `before`; returns how many. */
  pruneRequests(before: Date): number;
}

export class SqliteDeviceStore implements DeviceStore {
  private readonly db: Db;
  private readonly clock: Clock;

  constructor(db: Db, clock: Clock) {
    this.db = db;
    this.clock = clock;
  }

  // ---- devices -------------------------------------------------------------------------------------

  upsertDevice(id: string, role: DeviceRole, passwordHash: string): void {
    this.db
      .prepare(
        `INSERT INTO devices (id, role, password_hash, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash`,
      )
      .run(id, role, passwordHash, this.clock.now().toISOString());
  }

  devicePasswordHash(id: string): string | undefined {
    const r = this.db
      .prepare<[string], { password_hash: string }>('SELECT password_hash FROM devices WHERE id = ?')
      .get(id);
    return r?.password_hash;
  }

  replacePasswordHash(id: string, from: string, to: string): boolean {
    return (
      this.db
        .prepare('UPDATE devices SET password_hash = ? WHERE id = ? AND password_hash = ?')
        .run(to, id, from).changes === 1
    );
  }

  deviceRole(id: string): DeviceRole | undefined {
    return this.db.prepare<[string], { role: DeviceRole }>('SELECT role FROM devices WHERE id = ?').get(id)
      ?.role;
  }

  deviceList(): { id: string; role: DeviceRole }[] {
    return this.db
      .prepare<[], { id: string; role: DeviceRole }>('SELECT id, role FROM devices ORDER BY id')
      .all();
  }

  removeDevice(id: string): DeviceRole | undefined {
    const role = this.deviceRole(id);
    this.db.prepare('DELETE FROM pairing_codes WHERE device_id = ?').run(id);
    this.db.prepare('DELETE FROM tablet_tokens WHERE device_id = ?').run(id);
    this.db.prepare('DELETE FROM devices WHERE id = ?').run(id);
    return role;
  }

  // ---- pairing codes --------------------------------------------------------------------------------

  addPairingCode(codeHash: string, deviceId: string, role: DeviceRole, expiresAt: Date): void {
    this.db
      .prepare(
        `INSERT INTO pairing_codes (code_hash, device_id, role, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
      )
      .run(codeHash, deviceId, role, this.clock.now().toISOString(), expiresAt.toISOString());
  }

  livePairingCodes(deviceId: string, now: Date): PairingCodeRow[] {
    return this.db
      .prepare<[string, string], PairingCodeRow>(
        `SELECT id, code_hash AS codeHash, device_id AS deviceId, role FROM pairing_codes
          WHERE device_id = ? AND used_at IS NULL AND expires_at > ? ORDER BY id`,
      )
      .all(deviceId, now.toISOString());
  }

  usePairingCode(id: number, now: Date): boolean {
    const iso = now.toISOString();
    return (
      this.db
        .prepare('UPDATE pairing_codes SET used_at = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?')
        .run(iso, id, iso).changes === 1
    );
  }

  // ---- tablet device cookies ------------------------------------------------------------------------

  addTabletToken(tokenHash: string, deviceId: string): void {
    this.db
      .prepare('INSERT INTO tablet_tokens (token_hash, device_id, created_at) VALUES (?, ?, ?)')
      .run(tokenHash, deviceId, this.clock.now().toISOString());
  }

  tabletOfToken(tokenHash: string): string | undefined {
    return this.db
      .prepare<[string], { device_id: string }>(
        `SELECT t.device_id FROM tablet_tokens t JOIN devices d ON d.id = t.device_id
          WHERE t.token_hash = ? AND d.role = 'tablet'`,
      )
      .get(tokenHash)?.device_id;
  }

  // ---- device requests ------------------------------------------------------------------------------

  storedResponse(deviceId: string, requestId: string): string | undefined {
    return this.db
      .prepare<[string, string], { response_json: string }>(
        'SELECT response_json FROM device_requests WHERE device_id = ? AND request_id = ?',
      )
      .get(deviceId, requestId)?.response_json;
  }

  storeResponse(deviceId: string, requestId: string, op: string, responseJson: string): void {
    this.db
      .prepare(
        `INSERT INTO device_requests (device_id, request_id, op, response_json, received_at)
         VALUES (?, ?, ?, ?, ?)`,
      )
      .run(deviceId, requestId, op, responseJson, this.clock.now().toISOString());
  }

  pruneRequests(before: Date): number {
    return this.db.prepare('DELETE FROM device_requests WHERE received_at < ?').run(before.toISOString())
      .changes;
  }
}
