import { join } from 'node:path';
import type { Statement, Transaction } from 'better-sqlite3';
import { GenkanError, ValidationError } from '../common/errors.ts';
import {
  eventFromColumns,
  type EventColumns,
  type EventStore,
  type InsertResult,
} from '../common/event-store.ts';
import { openDatabase, type Db } from '../common/sqlite.ts';
import { DEFAULT_TIME_ZONE, isValidTimeZone, LocalDates, systemClock, type Clock } from '../common/time.ts';
import {
  describeIssues,
  ErrorCodes,
  EventSchema,
  generateQrKeyPair,
  ID_RE,
  importQrPrivateKey,
  newCredentialKey,
  textProblem,
  type AttendanceEvent,
} from '../protocol/index.ts';
import type { StaffRole } from '../protocol/tablet.ts';
import {
  DEFAULT_SETTINGS,
  type CareType,
  type ClassSettings,
  type FacilitySettings,
  type Rounding,
} from '../protocol/settings.ts';
import type { KeyObject } from 'node:crypto';
import { hubMigrations } from './migrations.ts';

export const HUB_DB_FILE = 'hub.sqlite';
export const DEFAULT_FACILITY_ID = 'demo';

export interface HubMeta {
  /** Null until the hub's first start fixes it (claimFacility). */
  facilityId: string | null;
  facilityName: string | null;
  timeZone: string;
  /** base64 HMAC key for credential hashes; handed to kiosks in the roster. */
  credentialKey: string;
  rosterVersion: number;
  adminTokenHash: string | null;
  /** base64 raw Ed25519 public key for guardian QR codes; handed to kiosks in the roster. */
  qrPublicKey: string;
}

export type DeviceRole = 'kiosk' | 'tablet';

export interface StaffRow {
  id: string;
  name: string;
  role: StaffRole;
  pinHash: string;
  disabled: boolean;
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

/** The settings that apply to the whole facility (all but the zone and the per-class ones). */
export type FacilityWideSettings = Omit<FacilitySettings, 'timeZone' | 'classes'>;

interface FacilitySettingsRow {
  closing_time: string;
  default_cutoff: string;
  standard_start: string;
  standard_end: string;
  short_start: string;
  short_end: string;
  grace_minutes: number;
  rounding_minutes: number;
  rounding: Rounding;
  undo_window_minutes: number;
}
export const DEVICE_ROLES: readonly DeviceRole[] = ['kiosk', 'tablet'];

/** Who acted: a device, a staff member, the CLI on the hub's machine, or the admin API's token. */
export type AuditActorKind = 'device' | 'staff' | 'cli' | 'api';

/** One row of the audit log. Never card ids or names; a credential hash only where it is needed. */
export interface AuditEntry {
  actorKind: AuditActorKind;
  /** Device id, staff id, or null (the CLI, or staff known only by the kiosk PIN). */
  actorId: string | null;
  /** What happened, e.g. `credential.enroll`, `device.pair`. */
  action: string;
  /** What it happened to, e.g. `guardian:g001`, `device:kiosk-1`. */
  subject: string | null;
  /** The device through which it happened, when there was one. */
  deviceId?: string | null;
  /** `ok`, or the error code of a refusal. */
  outcome: string;
  before?: unknown;
  after?: unknown;
}

export interface AuditRecord extends Required<AuditEntry> {
  id: number;
  at: string;
}

interface AuditRow {
  id: number;
  at: string;
  actor_kind: AuditActorKind;
  actor_id: string | null;
  action: string;
  subject: string | null;
  device_id: string | null;
  outcome: string;
  before_json: string | null;
  after_json: string | null;
}

function auditRecord(r: AuditRow): AuditRecord {
  const parse = (v: string | null): unknown => (v === null ? null : JSON.parse(v));
  return {
    id: r.id,
    at: r.at,
    actorKind: r.actor_kind,
    actorId: r.actor_id,
    action: r.action,
    subject: r.subject,
    deviceId: r.device_id,
    outcome: r.outcome,
    before: parse(r.before_json),
    after: parse(r.after_json),
  };
}

/** A card enrolled at a kiosk (kept apart from the roster file's credentials). */
export interface EnrolledCredential {
  hash: string;
  guardianId: string;
  deviceId: string;
  staffId: string | null;
  enrolledAt: string;
}

export type EnrollOutcome =
  | { ok: true; changed: boolean; rosterVersion: number }
  | { ok: false; code: 'unknown_guardian' | 'credential_in_use'; message: string };

export interface PairingCodeRow {
  id: number;
  codeHash: string;
  deviceId: string;
  role: DeviceRole;
}

/** The roster as stored: classes in file order, children and guardians by id. */
export interface RosterData {
  classes: { id: string; name: string }[];
  children: { id: string; name: string; kana: string; classId: string; careType: CareType }[];
  guardians: { id: string; name: string; childIds: string[]; credentials: string[] }[];
}

/** An event just stored, with the business day it was filed under. */
export interface StoredEvent {
  event: AttendanceEvent;
  localDate: string;
}

/** A stored event as ingest's checks see it. */
export interface EventRef {
  childId: string;
  deviceId: string;
  /** occurredAt as epoch milliseconds. */
  occurredMs: number;
}

export interface InsertOutcome {
  inserted: StoredEvent[];
  /** Ids already stored, or repeated within the same call. */
  duplicates: string[];
}

export interface RelayReject {
  id: string;
  code: string;
  message: string;
}

/** What waits for the cloud: events after the relay cursor, and when the hub received the first of them. */
export interface RelayBacklog {
  waiting: number;
  /** received_at of the oldest waiting event (UTC ISO 8601); null when none waits. */
  oldestReceivedAt: string | null;
}

/** A cloud-refused event with what the admin app shows of it. */
export interface RejectedEventRow extends RelayReject {
  type: AttendanceEvent['type'];
  childId: string;
  occurredAt: string;
  deviceId: string;
  rejectedAt: string;
}

/** An event a kiosk stamped while its clock was in doubt. */
export interface ClockDoubtEventRow {
  id: string;
  type: AttendanceEvent['type'];
  childId: string;
  deviceId: string;
  occurredAt: string;
  receivedAt: string;
  clockDoubt: NonNullable<AttendanceEvent['clockDoubt']>;
}

export interface StoreOpenOptions {
  /** Time zone of a new data dir (default Asia/Tokyo); an existing one must match when given. */
  timeZone?: string;
  clock?: Clock;
}

interface EventRow extends EventColumns {
  hub_seq: number;
}

interface MetaRow {
  facility_id: string | null;
  facility_name: string | null;
  time_zone: string;
  credential_key: string;
  roster_version: number;
  admin_token_hash: string | null;
  qr_public_key: string | null;
}

const EVENT_COLUMNS =
  'hub_seq, id, type, child_id, occurred_at, device_id, seq, method, actor, voids, note, clock_doubt';
/** The order EventStore.eventsOn promises; id last so that the order is total. */
const EVENT_ORDER = 'occurred_ms, device_id, seq, id';

/**
 * The hub's SQLite store. Synchronous on purpose: better-sqlite3 is synchronous, and the ingest path
 * relies on a group of events being checked and committed without yielding to the event loop.
 */
export class HubStore {
  readonly db: Db;
  private readonly clock: Clock;
  private readonly stmts: {
    meta: Statement<[], MetaRow>;
    rosterVersion: Statement<[], { roster_version: number }>;
    insertEvent: Statement;
    eventRef: Statement<[string], { child_id: string; device_id: string; occurred_ms: number }>;
    eventsOn: Statement<[string], EventRow>;
    countEvents: Statement<[], { n: number }>;
    eventsAfter: Statement<[number, number], EventRow>;
    relayCursor: Statement<[], { cursor: number }>;
  };
  private readonly insertTx: Transaction<
    (events: readonly AttendanceEvent[], receivedAt: string) => InsertOutcome
  >;
  private localDates: LocalDates;

  private constructor(db: Db, clock: Clock) {
    this.db = db;
    this.clock = clock;
    this.stmts = {
      meta: db.prepare(
        `SELECT facility_id, facility_name, time_zone, credential_key, roster_version, admin_token_hash,
           qr_public_key FROM meta WHERE id = 1`,
      ),
      rosterVersion: db.prepare('SELECT roster_version FROM meta WHERE id = 1'),
      insertEvent: db.prepare(
        `INSERT INTO events (id, type, child_id, occurred_at, occurred_ms, device_id, seq, method, actor, voids,
           note, clock_doubt, local_date, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      ),
      eventRef: db.prepare('SELECT child_id, device_id, occurred_ms FROM events WHERE id = ?'),
      eventsOn: db.prepare(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE local_date = ? ORDER BY ${EVENT_ORDER}`,
      ),
      countEvents: db.prepare('SELECT count(*) AS n FROM events'),
      eventsAfter: db.prepare(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE hub_seq > ? ORDER BY hub_seq LIMIT ?`,
      ),
      relayCursor: db.prepare('SELECT cursor FROM relay_state WHERE id = 1'),
    };
    this.localDates = new LocalDates(DEFAULT_TIME_ZONE);
    this.insertTx = db.transaction((events: readonly AttendanceEvent[], receivedAt: string) =>
      this.insertInTransaction(events, receivedAt),
    );
  }

  /** Opens (creating and migrating when needed) DIR/hub.sqlite and makes sure the facility row exists. */
  static open(dataDir: string, options: StoreOpenOptions = {}): HubStore {
    const db = openDatabase(join(dataDir, HUB_DB_FILE), { migrations: hubMigrations });
    try {
      const store = new HubStore(db, options.clock ?? systemClock);
      store.initMeta(options);
      return store;
    } catch (err) {
      db.close();
      throw err;
    }
  }

  private initMeta(options: StoreOpenOptions): void {
    const { timeZone } = options;
    if (timeZone !== undefined && !isValidTimeZone(timeZone)) {
      throw new ValidationError('bad_time_zone', `unknown time zone: ${timeZone}`, 'timeZone');
    }
    // OR IGNORE: a CLI command and the hub may create the row at the same moment; the first one wins.
    const qr = generateQrKeyPair();
    this.db
      .prepare(
        `INSERT OR IGNORE INTO meta (id, time_zone, credential_key, roster_version, qr_private_key, qr_public_key)
         VALUES (1, ?, ?, 0, ?, ?)`,
      )
      .run(timeZone ?? DEFAULT_TIME_ZONE, newCredentialKey(), qr.privateKey, qr.publicKey);
    const meta = this.meta();
    if (timeZone !== undefined && meta.timeZone !== timeZone) {
      throw new GenkanError(
        'time_zone_mismatch',
        `this data directory uses time zone ${meta.timeZone}, not ${timeZone}`,
      );
    }
    this.localDates = new LocalDates(meta.timeZone);
  }

  /**
   * Fixes the facility on the hub's first start (`facilityId`, default "demo") and returns it. Later starts
   * may omit it; naming another facility fails, because devices and the cloud know the hub by it.
   */
  claimFacility(facilityId?: string, facilityName?: string): string {
    if (facilityId !== undefined && !ID_RE.test(facilityId)) {
      throw new ValidationError('bad_facility', `not a valid facility id: ${facilityId}`, 'facilityId');
    }
    // The snapshot carries the name to the cloud (at most 200 characters there), and ledgers print it.
    const nameProblem = facilityName === undefined ? undefined : textProblem(facilityName, 200);
    if (nameProblem !== undefined || facilityName?.trim() === '') {
      throw new ValidationError(
        'bad_facility_name',
        `the facility name ${nameProblem ?? 'is empty'}`,
        'facilityName',
      );
    }
    return this.db
      .transaction(() => {
        const meta = this.meta();
        const id = meta.facilityId ?? facilityId ?? DEFAULT_FACILITY_ID;
        if (facilityId !== undefined && facilityId !== id) {
          throw new GenkanError(
            'facility_mismatch',
            `this data directory belongs to facility "${id}", not "${facilityId}"`,
          );
        }
        const name = facilityName ?? meta.facilityName ?? id;
        if (id !== meta.facilityId || name !== meta.facilityName) {
          this.db.prepare('UPDATE meta SET facility_id = ?, facility_name = ? WHERE id = 1').run(id, name);
        }
        return id;
      })
      .immediate();
  }

  meta(): HubMeta {
    const r = this.stmts.meta.get();
    if (!r) throw new GenkanError('no_meta', 'hub database has no facility row');
    // Never null in practice: migration 4 fills an existing row and initMeta creates new rows with a pair.
    if (r.qr_public_key === null) throw new GenkanError('no_qr_key', 'hub database has no QR key pair');
    return {
      facilityId: r.facility_id,
      facilityName: r.facility_name,
      timeZone: r.time_zone,
      credentialKey: r.credential_key,
      rosterVersion: r.roster_version,
      adminTokenHash: r.admin_token_hash,
      qrPublicKey: r.qr_public_key,
    };
  }

  /**
   * The facility's QR signing key. Only `genkan qr issue` (and tests) call this; the key is not part of
   * HubMeta so that it cannot end up in a roster, a log line or an API answer by accident.
   */
  qrSigningKey(): KeyObject {
    const r = this.db
      .prepare<[], { qr_private_key: string | null }>('SELECT qr_private_key FROM meta WHERE id = 1')
      .get();
    if (!r?.qr_private_key) throw new GenkanError('no_qr_key', 'hub database has no QR signing key');
    return importQrPrivateKey(r.qr_private_key);
  }

  /** Cheap enough to poll: another process (roster import) may bump it while the hub runs. */
  rosterVersion(): number {
    return this.stmts.rosterVersion.get()?.roster_version ?? 0;
  }

  setAdminTokenHash(hash: string): void {
    this.db.prepare('UPDATE meta SET admin_token_hash = ? WHERE id = 1').run(hash);
  }

  // ---- devices -------------------------------------------------------------------------------------

  /** Creates the device, or replaces the password of an existing one (its role is updated too). */
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

  // ---- roster ----------------------------------------------------------------------------------------

  roster(): RosterData {
    const db = this.db;
    const classes = db
      .prepare<[], { id: string; name: string }>('SELECT id, name FROM classes ORDER BY position')
      .all();
    const children = db
      .prepare<[], { id: string; name: string; kana: string; classId: string; careType: CareType }>(
        'SELECT id, name, kana, class_id AS classId, care_type AS careType FROM children ORDER BY id',
      )
      .all();
    const guardians = db
      .prepare<[], { id: string; name: string }>('SELECT id, name FROM guardians ORDER BY id')
      .all()
      .map((g) => ({ ...g, childIds: [] as string[], credentials: [] as string[] }));
    const byId = new Map(guardians.map((g) => [g.id, g]));
    for (const link of db
      .prepare<[], { guardian_id: string; child_id: string }>(
        'SELECT guardian_id, child_id FROM guardian_children ORDER BY guardian_id, child_id',
      )
      .all()) {
      byId.get(link.guardian_id)?.childIds.push(link.child_id);
    }
    // Cards enrolled at a kiosk join the file's; the file wins a card both name (replaceRoster removes such
    // enrolments, the NOT EXISTS keeps the rule even so), and enrolments of guardians not on the roster
    // are left out by the lookup below.
    for (const c of db
      .prepare<[], { guardian_id: string; hash: string }>(
        `SELECT guardian_id, hash FROM credentials
         UNION ALL
         SELECT e.guardian_id, e.hash FROM enrolled_credentials e
          WHERE NOT EXISTS (SELECT 1 FROM credentials c WHERE c.hash = e.hash)
         ORDER BY hash`,
      )
      .all()) {
      byId.get(c.guardian_id)?.credentials.push(c.hash);
    }
    return { classes, children, guardians };
  }

  /**
   * Replaces the whole roster in one transaction and returns the new roster version. Cards enrolled at a
   * kiosk are kept, except those of guardians the new roster drops and those the new file assigns itself
   * (to anyone: the director's file wins); each removal is audited with the hash, so it can be undone.
   */
  replaceRoster(roster: RosterData): number {
    const db = this.db;
    const run = db.transaction(() => {
      db.exec(
        'DELETE FROM credentials; DELETE FROM guardian_children; DELETE FROM guardians; DELETE FROM children; DELETE FROM classes;',
      );
      const insClass = db.prepare('INSERT INTO classes (id, name, position) VALUES (?, ?, ?)');
      roster.classes.forEach((c, i) => insClass.run(c.id, c.name, i));
      const insChild = db.prepare(
        'INSERT INTO children (id, name, kana, class_id, care_type) VALUES (?, ?, ?, ?, ?)',
      );
      for (const c of roster.children) insChild.run(c.id, c.name, c.kana, c.classId, c.careType);
      const insGuardian = db.prepare('INSERT INTO guardians (id, name) VALUES (?, ?)');
      const insLink = db.prepare('INSERT INTO guardian_children (guardian_id, child_id) VALUES (?, ?)');
      const insCredential = db.prepare('INSERT INTO credentials (hash, guardian_id) VALUES (?, ?)');
      for (const g of roster.guardians) {
        insGuardian.run(g.id, g.name);
        for (const childId of g.childIds) insLink.run(g.id, childId);
        for (const hash of g.credentials) insCredential.run(hash, g.id);
      }
      const dropped = db
        .prepare<[], { hash: string; guardian_id: string; in_file: number }>(
          `SELECT hash, guardian_id, hash IN (SELECT hash FROM credentials) AS in_file
             FROM enrolled_credentials
            WHERE guardian_id NOT IN (SELECT id FROM guardians) OR hash IN (SELECT hash FROM credentials)
            ORDER BY hash`,
        )
        .all();
      const delEnrolled = db.prepare('DELETE FROM enrolled_credentials WHERE hash = ?');
      for (const d of dropped) {
        delEnrolled.run(d.hash);
        this.audit({
          actorKind: 'cli',
          actorId: null,
          action: 'credential.enrollment_removed',
          subject: `guardian:${d.guardian_id}`,
          outcome: 'ok',
          before: { credentialHash: d.hash },
          after: { reason: d.in_file === 1 ? 'card_in_roster_file' : 'guardian_not_on_roster' },
        });
      }
      db.prepare('UPDATE meta SET roster_version = roster_version + 1 WHERE id = 1').run();
      return this.rosterVersion();
    });
    return run.immediate();
  }

  // ---- card enrolment --------------------------------------------------------------------------------

  /**
   * Adds a card (its keyed hash) to a guardian, within the caller's transaction. A card the roster file or
   * an earlier enrolment gives to another guardian is refused; one the guardian has already is a no-op.
   * A change bumps the roster version.
   */
  enrollCredential(
    guardianId: string,
    hash: string,
    by: { deviceId: string; staffId: string | null },
  ): EnrollOutcome {
    const db = this.db;
    const guardian = db
      .prepare<[string], { id: string }>('SELECT id FROM guardians WHERE id = ?')
      .get(guardianId);
    if (!guardian) {
      return { ok: false, code: 'unknown_guardian', message: `guardian ${guardianId} is not on the roster` };
    }
    // The file's assignment first: it is what the published roster shows for this card.
    const owner =
      db
        .prepare<[string], { guardian_id: string }>('SELECT guardian_id FROM credentials WHERE hash = ?')
        .get(hash) ??
      db
        .prepare<[string], { guardian_id: string }>(
          `SELECT guardian_id FROM enrolled_credentials
            WHERE hash = ? AND guardian_id IN (SELECT id FROM guardians)`,
        )
        .get(hash);
    if (owner && owner.guardian_id !== guardianId) {
      // The other guardian is not named: the kiosk shows this to whoever holds the card.
      return { ok: false, code: 'credential_in_use', message: 'this card is registered to another guardian' };
    }
    if (owner) return { ok: true, changed: false, rosterVersion: this.rosterVersion() };
    db.prepare(
      `INSERT INTO enrolled_credentials (hash, guardian_id, device_id, staff_id, enrolled_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (hash) DO UPDATE SET guardian_id = excluded.guardian_id, device_id = excluded.device_id,
         staff_id = excluded.staff_id, enrolled_at = excluded.enrolled_at`,
    ).run(hash, guardianId, by.deviceId, by.staffId, this.clock.now().toISOString());
    db.prepare('UPDATE meta SET roster_version = roster_version + 1 WHERE id = 1').run();
    return { ok: true, changed: true, rosterVersion: this.rosterVersion() };
  }

  enrolledCredentials(): EnrolledCredential[] {
    return this.db
      .prepare<[], EnrolledCredential>(
        `SELECT hash, guardian_id AS guardianId, device_id AS deviceId, staff_id AS staffId,
           enrolled_at AS enrolledAt FROM enrolled_credentials ORDER BY hash`,
      )
      .all();
  }

  // ---- device requests ------------------------------------------------------------------------------

  /** The answer already given to a device's request, as sent (JSON text). */
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

  /** Forgets answered requests received before `before`; returns how many. */
  pruneRequests(before: Date): number {
    return this.db.prepare('DELETE FROM device_requests WHERE received_at < ?').run(before.toISOString())
      .changes;
  }

  // ---- pairing codes --------------------------------------------------------------------------------

  addPairingCode(codeHash: string, deviceId: string, role: DeviceRole, expiresAt: Date): void {
    this.db
      .prepare(
        `INSERT INTO pairing_codes (code_hash, device_id, role, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
      )
      .run(codeHash, deviceId, role, this.clock.now().toISOString(), expiresAt.toISOString());
  }

  /** The device's codes still usable at `now` (unused and unexpired). */
  livePairingCodes(deviceId: string, now: Date): PairingCodeRow[] {
    return this.db
      .prepare<[string, string], PairingCodeRow>(
        `SELECT id, code_hash AS codeHash, device_id AS deviceId, role FROM pairing_codes
          WHERE device_id = ? AND used_at IS NULL AND expires_at > ? ORDER BY id`,
      )
      .all(deviceId, now.toISOString());
  }

  /** Marks a code used, within the caller's transaction; false when it was used or expired meanwhile. */
  usePairingCode(id: number, now: Date): boolean {
    const iso = now.toISOString();
    return (
      this.db
        .prepare('UPDATE pairing_codes SET used_at = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?')
        .run(iso, id, iso).changes === 1
    );
  }

  deviceRole(id: string): DeviceRole | undefined {
    return this.db.prepare<[string], { role: DeviceRole }>('SELECT role FROM devices WHERE id = ?').get(id)
      ?.role;
  }

  // ---- staff, tablets, sessions -----------------------------------------------------------------------

  /** Creates a staff account or updates an existing one; returns the account as it was (undefined: new). */
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

  /** Every staff account, by id (no PIN hashes). */
  staffList(): { id: string; name: string; role: StaffRole; disabled: boolean }[] {
    return this.db
      .prepare<[], { id: string; name: string; role: StaffRole; disabled: number }>(
        'SELECT id, name, role, disabled FROM staff ORDER BY id',
      )
      .all()
      .map((r) => ({ ...r, disabled: r.disabled === 1 }));
  }

  /** Ends every session of a staff member; returns how many there were. */
  deleteSessionsOf(staffId: string): number {
    return this.db.prepare('DELETE FROM sessions WHERE staff_id = ?').run(staffId).changes;
  }

  staff(id: string): StaffRow | undefined {
    const r = this.db
      .prepare<[string], { id: string; name: string; role: StaffRole; pin_hash: string; disabled: number }>(
        'SELECT id, name, role, pin_hash, disabled FROM staff WHERE id = ?',
      )
      .get(id);
    return r && { id: r.id, name: r.name, role: r.role, pinHash: r.pin_hash, disabled: r.disabled === 1 };
  }

  /** Staff names by id (disabled accounts too: their past actions still show who did them). */
  staffNames(): Map<string, string> {
    const rows = this.db.prepare<[], { id: string; name: string }>('SELECT id, name FROM staff').all();
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  addTabletToken(tokenHash: string, deviceId: string): void {
    this.db
      .prepare('INSERT INTO tablet_tokens (token_hash, device_id, created_at) VALUES (?, ?, ?)')
      .run(tokenHash, deviceId, this.clock.now().toISOString());
  }

  /** The tablet a device cookie belongs to, while that device exists with role tablet. */
  tabletOfToken(tokenHash: string): string | undefined {
    return this.db
      .prepare<[string], { device_id: string }>(
        `SELECT t.device_id FROM tablet_tokens t JOIN devices d ON d.id = t.device_id
          WHERE t.token_hash = ? AND d.role = 'tablet'`,
      )
      .get(tokenHash)?.device_id;
  }

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

  /** Forgets sessions past their absolute end; returns how many. */
  pruneSessions(now: Date): number {
    return this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now.toISOString()).changes;
  }

  /**
   * The next sequence number of an event the hub records for a device (staff actions of a tablet), within
   * the caller's transaction. Never below what the device's stored events already use.
   */
  nextDeviceSeq(deviceId: string): number {
    const stored =
      this.db
        .prepare<[string], { m: number | null }>('SELECT max(seq) AS m FROM events WHERE device_id = ?')
        .get(deviceId)?.m ?? 0;
    const counted =
      this.db
        .prepare<[string], { last_seq: number }>('SELECT last_seq FROM device_seq WHERE device_id = ?')
        .get(deviceId)?.last_seq ?? 0;
    const next = Math.max(stored, counted) + 1;
    this.db
      .prepare(
        `INSERT INTO device_seq (device_id, last_seq) VALUES (?, ?)
         ON CONFLICT (device_id) DO UPDATE SET last_seq = excluded.last_seq`,
      )
      .run(deviceId, next);
    return next;
  }

  eventById(id: string): AttendanceEvent | undefined {
    const r = this.db.prepare<[string], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE id = ?`).get(id);
    return r && eventFromColumns(r);
  }

  /** Ids of the events that void `id`. */
  voidersOf(id: string): string[] {
    return this.db
      .prepare<[string], { id: string }>('SELECT id FROM events WHERE voids = ? ORDER BY hub_seq')
      .all(id)
      .map((r) => r.id);
  }

  /** The facility-wide settings (protocol/settings.ts; the zone and per-class ones are apart). */
  facilitySettings(): FacilityWideSettings {
    const r = this.db
      .prepare<[], FacilitySettingsRow>(
        `SELECT closing_time, default_cutoff, standard_start, standard_end, short_start, short_end,
           grace_minutes, rounding_minutes, rounding, undo_window_minutes FROM facility_settings WHERE id = 1`,
      )
      .get();
    if (!r) return DEFAULT_SETTINGS;
    return {
      closingTime: r.closing_time,
      defaultCutoff: r.default_cutoff,
      careBands: {
        standard: { start: r.standard_start, end: r.standard_end },
        short: { start: r.short_start, end: r.short_end },
      },
      extendedCare: {
        graceMinutes: r.grace_minutes,
        roundingMinutes: r.rounding_minutes,
        rounding: r.rounding,
      },
      undoWindowMinutes: r.undo_window_minutes,
    };
  }

  /** Writes all facility-wide settings (validated by the caller: settings.ts). */
  setFacilitySettings(s: FacilityWideSettings): void {
    this.db
      .prepare(
        `UPDATE facility_settings SET closing_time = ?, default_cutoff = ?, standard_start = ?, standard_end = ?,
           short_start = ?, short_end = ?, grace_minutes = ?, rounding_minutes = ?, rounding = ?,
           undo_window_minutes = ? WHERE id = 1`,
      )
      .run(
        s.closingTime,
        s.defaultCutoff,
        s.careBands.standard.start,
        s.careBands.standard.end,
        s.careBands.short.start,
        s.careBands.short.end,
        s.extendedCare.graceMinutes,
        s.extendedCare.roundingMinutes,
        s.extendedCare.rounding,
        s.undoWindowMinutes,
      );
  }

  classSettings(): Map<string, ClassSettings> {
    const rows = this.db
      .prepare<[], { class_id: string; cutoff: string | null; max_children_per_staff: number | null }>(
        'SELECT class_id, cutoff, max_children_per_staff FROM class_settings',
      )
      .all();
    return new Map(
      rows.map((r) => [r.class_id, { cutoff: r.cutoff, maxChildrenPerStaff: r.max_children_per_staff }]),
    );
  }

  setClassSettings(classId: string, settings: ClassSettings): void {
    this.db
      .prepare(
        `INSERT INTO class_settings (class_id, cutoff, max_children_per_staff) VALUES (?, ?, ?)
         ON CONFLICT (class_id) DO UPDATE SET cutoff = excluded.cutoff,
           max_children_per_staff = excluded.max_children_per_staff`,
      )
      .run(classId, settings.cutoff, settings.maxChildrenPerStaff);
  }

  /** Staff on duty per class on a business day, as entered on a tablet. */
  staffOnDuty(date: string): Map<string, number> {
    const rows = this.db
      .prepare<[string], { class_id: string; count: number }>(
        'SELECT class_id, count FROM staff_on_duty WHERE local_date = ?',
      )
      .all(date);
    return new Map(rows.map((r) => [r.class_id, r.count]));
  }

  /** Returns the count before (undefined: none entered). */
  setStaffOnDuty(classId: string, date: string, count: number, staffId: string): number | undefined {
    const before = this.staffOnDuty(date).get(classId);
    this.db
      .prepare(
        `INSERT INTO staff_on_duty (class_id, local_date, count, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (class_id, local_date) DO UPDATE SET count = excluded.count,
           updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      )
      .run(classId, date, count, staffId, this.clock.now().toISOString());
    return before;
  }

  // ---- audit log ------------------------------------------------------------------------------------

  /** Appends to the audit log (within the caller's transaction when there is one). */
  audit(entry: AuditEntry): void {
    const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
    this.db
      .prepare(
        `INSERT INTO audit_log (at, actor_kind, actor_id, action, subject, device_id, outcome, before_json,
           after_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        this.clock.now().toISOString(),
        entry.actorKind,
        entry.actorId,
        entry.action,
        entry.subject,
        entry.deviceId ?? null,
        entry.outcome,
        json(entry.before),
        json(entry.after),
      );
  }

  /** The whole audit log, oldest first (tests, export). */
  auditLog(): AuditRecord[] {
    return this.db.prepare<[], AuditRow>('SELECT * FROM audit_log ORDER BY id').all().map(auditRecord);
  }

  // ---- events ----------------------------------------------------------------------------------------

  /** What ingest checks of a stored event (duplicates, voids): its child, device and instant. */
  eventRef(id: string): EventRef | undefined {
    const r = this.stmts.eventRef.get(id);
    return r && { childId: r.child_id, deviceId: r.device_id, occurredMs: r.occurred_ms };
  }

  /**
   * Inserts already-validated events idempotently, all in one IMMEDIATE transaction (IMMEDIATE so that a
   * concurrent writer in another process makes us wait on the busy timeout instead of failing).
   */
  insertEvents(
    events: readonly AttendanceEvent[],
    receivedAt = this.clock.now().toISOString(),
  ): InsertOutcome {
    return this.insertTx.immediate(events, receivedAt);
  }

  /**
   * Runs `fn` in one IMMEDIATE transaction; `fn` may call insertInTransaction. Used by ingest, whose checks
   * must see the same database state as the inserts.
   */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** Inserts within the caller's transaction. */
  insertInTransaction(events: readonly AttendanceEvent[], receivedAt: string): InsertOutcome {
    const out: InsertOutcome = { inserted: [], duplicates: [] };
    const insert = this.stmts.insertEvent;
    const dates = this.localDates;
    for (const e of events) {
      const day = dates.of(e.occurredAt);
      const changes = insert.run(
        e.id,
        e.type,
        e.childId,
        e.occurredAt,
        Date.parse(e.occurredAt),
        e.deviceId,
        e.seq,
        e.method,
        e.actor,
        e.voids ?? null,
        e.note ?? null,
        e.clockDoubt ?? null,
        day,
        receivedAt,
      ).changes;
      if (changes === 1) out.inserted.push({ event: e, localDate: day });
      else out.duplicates.push(e.id);
    }
    return out;
  }

  /** Events filed under business day `date`, by occurredAt then deviceId, seq. */
  eventsOn(date: string): AttendanceEvent[] {
    return this.stmts.eventsOn.all(date).map(eventFromColumns);
  }

  /**
   * What the roll-call of `date` needs: the day's events plus voids made on other days that cancel one of
   * them (staff correcting yesterday's record this morning).
   */
  rollcallEventsOn(date: string): AttendanceEvent[] {
    const rows = this.db
      .prepare<[string, string, string], EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE local_date = ?
         UNION ALL
         SELECT ${EVENT_COLUMNS} FROM events
          WHERE local_date <> ? AND voids IN (SELECT id FROM events WHERE local_date = ?)`,
      )
      .all(date, date, date);
    return rows.map(eventFromColumns);
  }

  /**
   * What the ledgers of the business days `from`…`to` (inclusive) need: those days' events plus voids made
   * on any other day that cancel one of them. One query; the cloud's ledgerEvents answers the same.
   */
  ledgerEvents(from: string, to: string): AttendanceEvent[] {
    const rows = this.db
      .prepare<[string, string, string, string, string, string], EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE local_date BETWEEN ? AND ?
         UNION ALL
         SELECT ${EVENT_COLUMNS} FROM events
          WHERE local_date NOT BETWEEN ? AND ?
            AND voids IN (SELECT id FROM events WHERE local_date BETWEEN ? AND ?)`,
      )
      .all(from, to, from, to, from, to);
    return rows.map(eventFromColumns);
  }

  countEvents(): number {
    return this.stmts.countEvents.get()?.n ?? 0;
  }

  // ---- relay -----------------------------------------------------------------------------------------

  relayCursor(): number {
    return this.stmts.relayCursor.get()?.cursor ?? 0;
  }

  /** Up to `limit` events stored after hub_seq `cursor`, in storage order. */
  eventsAfter(cursor: number, limit: number): { hubSeq: number; event: AttendanceEvent }[] {
    return this.stmts.eventsAfter
      .all(cursor, limit)
      .map((r) => ({ hubSeq: r.hub_seq, event: eventFromColumns(r) }));
  }

  /** Records the cloud's answer to a batch: its rejects, and the new cursor, in one transaction. */
  advanceRelay(cursor: number, rejects: readonly (RelayReject & { hubSeq: number })[]): void {
    const db = this.db;
    db.transaction(() => {
      const ins = db.prepare(
        `INSERT INTO relay_rejects (event_id, hub_seq, code, message, rejected_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (event_id) DO UPDATE SET code = excluded.code, message = excluded.message,
           rejected_at = excluded.rejected_at`,
      );
      const at = this.clock.now().toISOString();
      for (const r of rejects) ins.run(r.id, r.hubSeq, r.code, r.message, at);
      db.prepare('UPDATE relay_state SET cursor = ? WHERE id = 1 AND cursor < ?').run(cursor, cursor);
    }).immediate();
  }

  relayRejects(): (RelayReject & { hubSeq: number })[] {
    return this.db
      .prepare<[], RelayReject & { hubSeq: number }>(
        'SELECT event_id AS id, hub_seq AS hubSeq, code, message FROM relay_rejects ORDER BY hub_seq',
      )
      .all();
  }

  /** One read, so that the count and the oldest agree (relay health). */
  relayBacklog(): RelayBacklog {
    const r = this.db
      .prepare<[], { waiting: number; oldest: string | null }>(
        `SELECT (SELECT count(*) FROM events WHERE hub_seq > s.cursor) AS waiting,
           (SELECT received_at FROM events WHERE hub_seq > s.cursor ORDER BY hub_seq LIMIT 1) AS oldest
         FROM relay_state s WHERE s.id = 1`,
      )
      .get();
    return { waiting: r?.waiting ?? 0, oldestReceivedAt: r?.oldest ?? null };
  }

  relayRejectCount(): number {
    return this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM relay_rejects').get()?.n ?? 0;
  }

  /** The newest `limit` cloud-refused events, with the event's own fields (admin app). */
  rejectedEvents(limit: number): RejectedEventRow[] {
    return this.db
      .prepare<[number], RejectedEventRow>(
        `SELECT r.event_id AS id, r.code, r.message, r.rejected_at AS rejectedAt, e.type, e.child_id AS childId,
           e.occurred_at AS occurredAt, e.device_id AS deviceId
         FROM relay_rejects r JOIN events e ON e.hub_seq = r.hub_seq
         ORDER BY r.rejected_at DESC, r.hub_seq DESC LIMIT ?`,
      )
      .all(limit);
  }

  // Events stamped while the kiosk's clock was in doubt: both read the partial index events_clock_doubt.

  clockDoubtCount(): number {
    return (
      this.db
        .prepare<[], { n: number }>('SELECT count(*) AS n FROM events WHERE clock_doubt IS NOT NULL')
        .get()?.n ?? 0
    );
  }

  /** The `limit` most recently stored events with a clock doubt, newest first (admin app). */
  clockDoubtEvents(limit: number): ClockDoubtEventRow[] {
    return this.db
      .prepare<[number], ClockDoubtEventRow>(
        `SELECT id, type, child_id AS childId, device_id AS deviceId, occurred_at AS occurredAt,
           received_at AS receivedAt, clock_doubt AS clockDoubt
         FROM events WHERE clock_doubt IS NOT NULL ORDER BY hub_seq DESC LIMIT ?`,
      )
      .all(limit);
  }

  // ---- admin (web app at /admin: edge-hub/admin-auth.ts, admin-api.ts) -----------------------------

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

  /** Ends every admin session of a staff member (a disabled account); returns how many there were. */
  deleteAdminSessionsOf(staffId: string): number {
    return this.db.prepare('DELETE FROM admin_sessions WHERE staff_id = ?').run(staffId).changes;
  }

  /** Forgets admin sessions past their absolute end; returns how many. */
  pruneAdminSessions(now: Date): number {
    return this.db.prepare('DELETE FROM admin_sessions WHERE expires_at <= ?').run(now.toISOString()).changes;
  }

  /** Every paired or added device, by id. */
  deviceList(): { id: string; role: DeviceRole }[] {
    return this.db
      .prepare<[], { id: string; role: DeviceRole }>('SELECT id, role FROM devices ORDER BY id')
      .all();
  }

  /** Up to `limit` audit entries with an id below `before` (all when undefined), newest first. */
  auditPage(before: number | undefined, limit: number): AuditRecord[] {
    return this.db
      .prepare<[number, number], AuditRow>('SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?')
      .all(before ?? Number.MAX_SAFE_INTEGER, limit)
      .map(auditRecord);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
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
 * The hub store behind the shared EventStore contract (test/contract/event-store.ts). Unlike ingest it
 * does no roster checks: it is the storage layer only. Events are validated against the protocol
 * schema; one bad event rejects the whole call and stores nothing.
 */
export function openHubEventStore(dataDir: string, timeZone: string): EventStore {
  const store = HubStore.open(dataDir, { timeZone });
  // The Promise constructor turns a synchronous throw into a rejection.
  const settle = <T>(fn: () => T) =>
    new Promise<T>((resolve) => {
      resolve(fn());
    });
  return {
    insertEvents: (events) =>
      settle(() => {
        for (const e of events) {
          const r = EventSchema.safeParse(e);
          if (!r.success)
            throw new ValidationError(ErrorCodes.invalidEvent, describeIssues(r.error), 'events');
        }
        const out = store.insertEvents(events);
        const result: InsertResult = {
          inserted: out.inserted.map((s) => s.event.id),
          duplicates: out.duplicates,
        };
        return result;
      }),
    eventsOn: (date) => settle(() => store.eventsOn(date)),
    countEvents: () => settle(() => store.countEvents()),
    close: () =>
      settle(() => {
        store.close();
      }),
  };
}
