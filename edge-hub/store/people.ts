import type { Db } from '../../common/sqlite.ts';
import type { Clock } from '../../common/time.ts';
import type { StaffRole } from '../../protocol/tablet.ts';

export interface StaffRow {
  id: string;
  name: string;
  role: StaffRole;
  pinHash: string;
  disabled: boolean;
  /** Whether the PIN is shorter than an admin's minimum; null: not known (set before that was stored). */
  pinShort: boolean | null;
}

/** A staff account as `genkan staff list` shows it. */
export interface StaffListEntry {
  id: string;
  name: string;
  role: StaffRole;
  disabled: boolean;
  /** An admin whose PIN is shorter than 6 digits (set before that rule): asked to set a longer one. */
  pinTooShort?: true;
}

/** A staff session as stored (instants as UTC ISO 8601); the token itself is never stored. */
export interface SessionRow {
  tokenHash: string;
  staffId: string;
  deviceId: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

/** One staff count entered on a tablet (table staff_on_duty_changes): it holds from `at` on that day. */
export interface StaffCountChange {
  classId: string;
  /** The business day (the facility's zone). */
  date: string;
  /** When it was entered (UTC ISO 8601). */
  at: string;
  count: number;
  /** Who entered it. */
  staffId: string;
}

/** A session of the admin web app (table admin_sessions); times are UTC ISO 8601. */
export interface AdminSessionRow {
  tokenHash: string;
  staffId: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

/**
 * Staff accounts with their PIN hashes, their sessions on tablets and in the admin web app, and the staff
 * on duty per class and day (tables staff, sessions, admin_sessions, staff_on_duty and its dated record
 * staff_on_duty_changes).
 */
export interface PeopleStore {
  /** Creates a staff account or updates an existing one; returns the account as it was (undefined: new). */
  upsertStaff(id: string, name: string, role: StaffRole, pinHash: string): StaffRow | undefined;
  setStaffDisabled(id: string, disabled: boolean): boolean;
  staff(id: string): StaffRow | undefined;
  /** Every staff account, by id (no PIN hashes). */
  staffList(): StaffListEntry[];
  /** Staff names by id (disabled accounts too: their past actions still show who did them). */
  staffNames(): Map<string, string>;

  createSession(row: SessionRow): void;
  session(tokenHash: string): SessionRow | undefined;
  touchSession(tokenHash: string, lastSeenAt: string): void;
  deleteSession(tokenHash: string): boolean;
  /** Ends every session of a staff member; returns how many there were. */
  deleteSessionsOf(staffId: string): number;
  /** Ends every staff session on a tablet (a removed device); returns how many there were. */
  deleteSessionsOnDevice(deviceId: string): number;
  /** Forgets sessions past their absolute end; returns how many. */
  pruneSessions(now: Date): number;
  /** Every stored tablet session (live or not; the caller applies the idle rule), newest first. */
  tabletSessions(): SessionRow[];

  createAdminSession(row: AdminSessionRow): void;
  adminSession(tokenHash: string): AdminSessionRow | undefined;
  touchAdminSession(tokenHash: string, lastSeenAt: string): void;
  deleteAdminSession(tokenHash: string): boolean;
  /** Ends every admin session of a staff member (a disabled account); returns how many there were. */
  deleteAdminSessionsOf(staffId: string): number;
  /** Forgets admin sessions past their absolute end; returns how many. */
  pruneAdminSessions(now: Date): number;

  /** Staff on duty per class on a business day, as entered on a tablet. */
  staffOnDuty(date: string): Map<string, number>;
  /**
   * Sets the count of a class on a day, and records the change with its instant and who made it (call
   * within a transaction). Returns the count before (undefined: none entered).
   */
  setStaffOnDuty(classId: string, date: string, count: number, staffId: string): number | undefined;
  /** Every count entered on a business day, oldest first (the dated staffing record). */
  staffOnDutyChanges(date: string): StaffCountChange[];
  /** Deletes the staff-on-duty counts of days before `date` (retention); returns how many. */
  deleteStaffOnDutyBefore(date: string): number;
  /** Deletes the recorded changes of days before `date` (retention); returns how many. */
  deleteStaffOnDutyChangesBefore(date: string): number;
}

export class SqlitePeopleStore implements PeopleStore {
  private readonly db: Db;
  private readonly clock: Clock;

  constructor(db: Db, clock: Clock) {
    this.db = db;
    this.clock = clock;
  }

  // ---- staff accounts -------------------------------------------------------------------------------

  upsertStaff(id: string, name: string, role: StaffRole, pinHash: string): StaffRow | undefined {
    const before = this.staff(id);
    this.db
      .prepare(
        `INSERT INTO staff (id, name, role, pin_hash, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role, pin_hash = excluded.pin_hash`,
      )
      .run(id, name, role, pinHash, this.clock.now().toISOString());
    return before;
  }

  setStaffDisabled(id: string, disabled: boolean): boolean {
    return (
      this.db.prepare('UPDATE staff SET disabled = ? WHERE id = ?').run(disabled ? 1 : 0, id).changes === 1
    );
  }

  staff(id: string): StaffRow | undefined {
    const r = this.db
      .prepare<
        [string],
        {
          id: string;
          name: string;
          role: StaffRole;
          pin_hash: string;
          disabled: number;
          pin_short: number | null;
        }
      >('SELECT id, name, role, pin_hash, disabled, pin_short FROM staff WHERE id = ?')
      .get(id);
    return (
      r && {
        id: r.id,
        name: r.name,
        role: r.role,
        pinHash: r.pin_hash,
        disabled: r.disabled === 1,
        pinShort: r.pin_short === null ? null : r.pin_short === 1,
      }
    );
  }

  staffList(): StaffListEntry[] {
    return this.db
      .prepare<[], { id: string; name: string; role: StaffRole; disabled: number; pin_short: number | null }>(
        'SELECT id, name, role, disabled, pin_short FROM staff ORDER BY id',
      )
      .all()
      .map(({ pin_short, ...r }) => ({
        ...r,
        disabled: r.disabled === 1,
        // Flagged for admins only: a staff member's 4-digit PIN is allowed.
        ...(r.role === 'admin' && pin_short === 1 && { pinTooShort: true as const }),
      }));
  }

  staffNames(): Map<string, string> {
    const rows = this.db.prepare<[], { id: string; name: string }>('SELECT id, name FROM staff').all();
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  // ---- tablet sessions ------------------------------------------------------------------------------

  createSession(row: SessionRow): void {
    this.db
      .prepare(
        `INSERT INTO sessions (token_hash, staff_id, device_id, created_at, last_seen_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(row.tokenHash, row.staffId, row.deviceId, row.createdAt, row.lastSeenAt, row.expiresAt);
  }

  session(tokenHash: string): SessionRow | undefined {
    return this.db
      .prepare<[string], SessionRow>(
        `SELECT token_hash AS tokenHash, staff_id AS staffId, device_id AS deviceId, created_at AS createdAt,
           last_seen_at AS lastSeenAt, expires_at AS expiresAt FROM sessions WHERE token_hash = ?`,
      )
      .get(tokenHash);
  }

  touchSession(tokenHash: string, lastSeenAt: string): void {
    this.db.prepare('UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?').run(lastSeenAt, tokenHash);
  }

  deleteSession(tokenHash: string): boolean {
    return this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash).changes === 1;
  }

  deleteSessionsOf(staffId: string): number {
    return this.db.prepare('DELETE FROM sessions WHERE staff_id = ?').run(staffId).changes;
  }

  deleteSessionsOnDevice(deviceId: string): number {
    return this.db.prepare('DELETE FROM sessions WHERE device_id = ?').run(deviceId).changes;
  }

  pruneSessions(now: Date): number {
    return this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now.toISOString()).changes;
  }

  tabletSessions(): SessionRow[] {
    return this.db
      .prepare<[], SessionRow>(
        `SELECT token_hash AS tokenHash, staff_id AS staffId, device_id AS deviceId, created_at AS createdAt,
           last_seen_at AS lastSeenAt, expires_at AS expiresAt FROM sessions ORDER BY created_at DESC`,
      )
      .all();
  }

  // ---- admin sessions (web app at /admin: edge-hub/admin/auth.ts) -----------------------------------

  createAdminSession(row: AdminSessionRow): void {
    this.db
      .prepare(
        `INSERT INTO admin_sessions (token_hash, staff_id, created_at, last_seen_at, expires_at)
         VALUES (?, ?, ?, ?, ?)`,
      )
      .run(row.tokenHash, row.staffId, row.createdAt, row.lastSeenAt, row.expiresAt);
  }

  adminSession(tokenHash: string): AdminSessionRow | undefined {
    return this.db
      .prepare<[string], AdminSessionRow>(
        `SELECT token_hash AS tokenHash, staff_id AS staffId, created_at AS createdAt,
           last_seen_at AS lastSeenAt, expires_at AS expiresAt FROM admin_sessions WHERE token_hash = ?`,
      )
      .get(tokenHash);
  }

  touchAdminSession(tokenHash: string, lastSeenAt: string): void {
    this.db
      .prepare('UPDATE admin_sessions SET last_seen_at = ? WHERE token_hash = ?')
      .run(lastSeenAt, tokenHash);
  }

  deleteAdminSession(tokenHash: string): boolean {
    return this.db.prepare('DELETE FROM admin_sessions WHERE token_hash = ?').run(tokenHash).changes === 1;
  }

  deleteAdminSessionsOf(staffId: string): number {
    return this.db.prepare('DELETE FROM admin_sessions WHERE staff_id = ?').run(staffId).changes;
  }

  pruneAdminSessions(now: Date): number {
    return this.db.prepare('DELETE FROM admin_sessions WHERE expires_at <= ?').run(now.toISOString()).changes;
  }

  // ---- staff on duty --------------------------------------------------------------------------------

  staffOnDuty(date: string): Map<string, number> {
    const rows = this.db
      .prepare<[string], { class_id: string; count: number }>(
        'SELECT class_id, count FROM staff_on_duty WHERE local_date = ?',
      )
      .all(date);
    return new Map(rows.map((r) => [r.class_id, r.count]));
  }

  setStaffOnDuty(classId: string, date: string, count: number, staffId: string): number | undefined {
    const before = this.staffOnDuty(date).get(classId);
    const at = this.clock.now().toISOString();
    this.db
      .prepare(
        `INSERT INTO staff_on_duty (class_id, local_date, count, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (class_id, local_date) DO UPDATE SET count = excluded.count,
           updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      )
      .run(classId, date, count, staffId, at);
    this.db
      .prepare(
        'INSERT INTO staff_on_duty_changes (class_id, local_date, at, count, staff_id) VALUES (?, ?, ?, ?, ?)',
      )
      .run(classId, date, at, count, staffId);
    return before;
  }

  staffOnDutyChanges(date: string): StaffCountChange[] {
    return this.db
      .prepare<[string], StaffCountChange>(
        `SELECT class_id AS classId, local_date AS date, at, count, staff_id AS staffId
           FROM staff_on_duty_changes WHERE local_date = ? ORDER BY at, id`,
      )
      .all(date);
  }

  deleteStaffOnDutyBefore(date: string): number {
    return this.db.prepare('DELETE FROM staff_on_duty WHERE local_date < ?').run(date).changes;
  }

  deleteStaffOnDutyChangesBefore(date: string): number {
    return this.db.prepare('DELETE FROM staff_on_duty_changes WHERE local_date < ?').run(date).changes;
  }
}
