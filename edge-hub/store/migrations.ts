import { facilityNoticesMigration } from './facility-notices.ts';
import { pickupsMigration } from './pickups.ts';
import { pickupPlanReadsMigration } from './pickup-plans.ts';
import type { Migration } from '../../common/sqlite.ts';
import { migration12 } from './migration-12.ts';
import { guardianPinsMigration } from './guardian-pins.ts';
import { signInLimitsMigration } from './sign-in-limits.ts';
import { revocationsMigration } from './revocations.ts';
import { cardHashMigration } from './card-hash-migration.ts';
import { parentAccessMigration } from './parent-access.ts';
import { parentNoticesMigration } from './parent-notices.ts';
import { generateQrKeyPair } from '../../protocol/index.ts';

/**
 * Schema of DATA/hub.sqlite. Append new migrations at the end; never edit one that has shipped, because
 * hubs in the field already ran it.
 */
export const hubMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'facility, devices and roster',
    up: (db) => {
      db.exec(`
        CREATE TABLE meta (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          -- NULL until the hub's first start fixes it: devices and the roster may be set up before that
          facility_id TEXT,
          facility_name TEXT,
          time_zone TEXT NOT NULL DEFAULT 'Asia/Tokyo',
          credential_key TEXT NOT NULL,
          roster_version INTEGER NOT NULL DEFAULT 0,
          admin_token_hash TEXT
        ) STRICT;
        CREATE TABLE devices (
          id TEXT PRIMARY KEY,
          role TEXT NOT NULL CHECK (role IN ('kiosk', 'tablet')),
          password_hash TEXT NOT NULL,
          created_at TEXT NOT NULL
        ) STRICT;
        CREATE TABLE classes (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          -- order of first appearance in the imported file: the roll-call lists classes in this order
          position INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE children (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          kana TEXT NOT NULL,
          class_id TEXT NOT NULL REFERENCES classes (id)
        ) STRICT;
        CREATE TABLE guardians (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL
        ) STRICT;
        CREATE TABLE guardian_children (
          guardian_id TEXT NOT NULL REFERENCES guardians (id) ON DELETE CASCADE,
          child_id TEXT NOT NULL REFERENCES children (id) ON DELETE CASCADE,
          PRIMARY KEY (guardian_id, child_id)
        ) STRICT;
        -- keyed hashes only (protocol credentialHash): a card number is never stored in clear
        CREATE TABLE credentials (
          hash TEXT PRIMARY KEY,
          guardian_id TEXT NOT NULL REFERENCES guardians (id) ON DELETE CASCADE
        ) STRICT;
      `);
    },
  },
  {
    version: 2,
    name: 'events',
    up: (db) => {
      // Events deliberately have no foreign key to children: a roster import removes children, never
      // their history.
      db.exec(`
        CREATE TABLE events (
          hub_seq INTEGER PRIMARY KEY AUTOINCREMENT,
          id TEXT NOT NULL UNIQUE,
          type TEXT NOT NULL,
          child_id TEXT NOT NULL,
          occurred_at TEXT NOT NULL,
          -- occurred_at as epoch ms: offsets may differ between devices, so the text does not sort
          occurred_ms INTEGER NOT NULL,
          device_id TEXT NOT NULL,
          seq INTEGER NOT NULL,
          method TEXT NOT NULL,
          actor TEXT,
          voids TEXT,
          note TEXT,
          -- business day in the facility's time zone, fixed when the event is stored
          local_date TEXT NOT NULL,
          received_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX events_local_date ON events (local_date, occurred_ms);
        CREATE INDEX events_voids ON events (voids) WHERE voids IS NOT NULL;
      `);
    },
  },
  {
    version: 3,
    name: 'cloud relay state',
    up: (db) => {
      db.exec(`
        CREATE TABLE relay_state (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          -- last hub_seq the cloud has answered for (accepted, duplicate or rejected)
          cursor INTEGER NOT NULL
        ) STRICT;
        INSERT INTO relay_state (id, cursor) VALUES (1, 0);
        CREATE TABLE relay_rejects (
          event_id TEXT PRIMARY KEY,
          hub_seq INTEGER NOT NULL,
          code TEXT NOT NULL,
          message TEXT NOT NULL,
          rejected_at TEXT NOT NULL
        ) STRICT;
      `);
    },
  },
  {
    version: 4,
    name: 'guardian QR signing key',
    up: (db) => {
      // Ed25519 key pair for signed guardian QR codes (protocol/qr.ts). The private key (PKCS#8 DER,
      // base64) never leaves this database; the public key (raw 32 bytes, base64) goes out in the roster.
      // NULL only until the facility row exists: HubStore.open creates the row with a key pair.
      db.exec(`
        ALTER TABLE meta ADD COLUMN qr_private_key TEXT;
        ALTER TABLE meta ADD COLUMN qr_public_key TEXT;
      `);
      const pair = generateQrKeyPair();
      db.prepare('UPDATE meta SET qr_private_key = ?, qr_public_key = ? WHERE id = 1').run(
        pair.privateKey,
        pair.publicKey,
      );
    },
  },
  {
    version: 5,
    name: 'enrolled cards, device requests, audit log',
    up: (db) => {
      // Cards enrolled at a kiosk live apart from the CSV's credentials table, which every
      // `genkan roster import` replaces. No foreign key to guardians for the same reason: the import deletes
      // and re-inserts every guardian; it removes the rows of guardians it drops itself (roster.ts).
      // device_requests remembers each answered request so that a resend is answered, not done, again.
      db.exec(`
        CREATE TABLE enrolled_credentials (
          hash TEXT PRIMARY KEY,
          guardian_id TEXT NOT NULL,
          device_id TEXT NOT NULL,
          staff_id TEXT,
          enrolled_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX enrolled_credentials_guardian ON enrolled_credentials (guardian_id);
        CREATE TABLE device_requests (
          device_id TEXT NOT NULL,
          request_id TEXT NOT NULL,
          op TEXT NOT NULL,
          response_json TEXT NOT NULL,
          -- UTC ISO 8601, so that text order is time order (pruning)
          received_at TEXT NOT NULL,
          PRIMARY KEY (device_id, request_id)
        ) STRICT;
        CREATE INDEX device_requests_received_at ON device_requests (received_at);
        CREATE TABLE audit_log (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          at TEXT NOT NULL,
          actor_kind TEXT NOT NULL CHECK (actor_kind IN ('device', 'staff', 'cli')),
          actor_id TEXT,
          action TEXT NOT NULL,
          subject TEXT,
          -- the device through which it happened (staff act at a kiosk), when there was one
          device_id TEXT,
          -- 'ok', or the error code of a refusal
          outcome TEXT NOT NULL,
          before_json TEXT,
          after_json TEXT
        ) STRICT;
        CREATE INDEX audit_log_at ON audit_log (at);
      `);
    },
  },
  {
    version: 6,
    name: 'device pairing codes',
    up: (db) => {
      // Only a SHA-256 of each code is stored: the code is 192 random bits, so a slow hash adds nothing.
      db.exec(`
        CREATE TABLE pairing_codes (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          code_hash TEXT NOT NULL UNIQUE,
          device_id TEXT NOT NULL,
          role TEXT NOT NULL CHECK (role IN ('kiosk', 'tablet')),
          created_at TEXT NOT NULL,
          expires_at TEXT NOT NULL,
          used_at TEXT
        ) STRICT;
        CREATE INDEX pairing_codes_device ON pairing_codes (device_id);
      `);
    },
  },
  {
    version: 7,
    name: 'staff accounts, tablet devices, sessions, class settings',
    up: (db) => {
      // Tokens (device cookies, sessions) are 256 random bits: only their SHA-256 is stored, a slow hash
      // adds nothing. PINs are chosen by people and short, so they get scrypt (common/passwords.ts).
      // device_seq numbers the events the hub records for a tablet (staff actions), per device.
      // Absence reasons need no column: an absent event carries `sick|family|other[: note]` in its note.
      db.exec(`
        CREATE TABLE staff (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          role TEXT NOT NULL CHECK (role IN ('staff', 'admin')),
          pin_hash TEXT NOT NULL,
          created_at TEXT NOT NULL,
          disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
        ) STRICT;
        CREATE TABLE tablet_tokens (
          token_hash TEXT PRIMARY KEY,
          device_id TEXT NOT NULL,
          created_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX tablet_tokens_device ON tablet_tokens (device_id);
        CREATE TABLE sessions (
          token_hash TEXT PRIMARY KEY,
          staff_id TEXT NOT NULL,
          device_id TEXT NOT NULL,
          -- UTC ISO 8601, so that text order is time order
          created_at TEXT NOT NULL,
          last_seen_at TEXT NOT NULL,
          expires_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX sessions_expires_at ON sessions (expires_at);
        CREATE TABLE device_seq (
          device_id TEXT PRIMARY KEY,
          last_seq INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE facility_settings (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          closing_time TEXT NOT NULL DEFAULT '19:00',
          default_cutoff TEXT NOT NULL DEFAULT '10:00'
        ) STRICT;
        INSERT INTO facility_settings (id) VALUES (1);
        -- no foreign key to classes: a roster import replaces every class row
        CREATE TABLE class_settings (
          class_id TEXT PRIMARY KEY,
          cutoff TEXT,
          max_children_per_staff REAL CHECK (max_children_per_staff IS NULL OR max_children_per_staff > 0)
        ) STRICT;
        CREATE TABLE staff_on_duty (
          class_id TEXT NOT NULL,
          local_date TEXT NOT NULL,
          count INTEGER NOT NULL CHECK (count >= 0),
          updated_by TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          PRIMARY KEY (class_id, local_date)
        ) STRICT;
      `);
    },
  },
  {
    version: 8,
    name: 'care bands and extended-care rules; audit entries by the admin API',
    up: (db) => {
      // Defaults as protocol/settings.ts DEFAULT_SETTINGS; the CHECKs repeat its rules as a last guard.
      // SQLite cannot alter a CHECK, so audit_log is rebuilt (same ids) to allow actor_kind 'api'.
      db.exec(`
        CREATE TABLE audit_log_new (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          at TEXT NOT NULL,
          actor_kind TEXT NOT NULL CHECK (actor_kind IN ('device', 'staff', 'cli', 'api')),
          actor_id TEXT,
          action TEXT NOT NULL,
          subject TEXT,
          device_id TEXT,
          outcome TEXT NOT NULL,
          before_json TEXT,
          after_json TEXT
        ) STRICT;
        INSERT INTO audit_log_new SELECT * FROM audit_log;
        DROP TABLE audit_log;
        ALTER TABLE audit_log_new RENAME TO audit_log;
        CREATE INDEX audit_log_at ON audit_log (at);
        ALTER TABLE facility_settings ADD COLUMN standard_start TEXT NOT NULL DEFAULT '07:00';
        ALTER TABLE facility_settings ADD COLUMN standard_end TEXT NOT NULL DEFAULT '18:00';
        ALTER TABLE facility_settings ADD COLUMN short_start TEXT NOT NULL DEFAULT '08:30';
        ALTER TABLE facility_settings ADD COLUMN short_end TEXT NOT NULL DEFAULT '16:30';
        ALTER TABLE facility_settings ADD COLUMN grace_minutes INTEGER NOT NULL DEFAULT 5
          CHECK (grace_minutes BETWEEN 0 AND 120);
        ALTER TABLE facility_settings ADD COLUMN rounding_minutes INTEGER NOT NULL DEFAULT 30
          CHECK (rounding_minutes BETWEEN 1 AND 120);
        ALTER TABLE facility_settings ADD COLUMN rounding TEXT NOT NULL DEFAULT 'up'
          CHECK (rounding IN ('up', 'down', 'nearest'));
      `);
    },
  },
  {
    version: 9,
    name: 'care type of each child',
    up: (db) => {
      // 保育標準時間 (standard) or 保育短時間 (short): which care band of the settings applies.
      db.exec(`
        ALTER TABLE children ADD COLUMN care_type TEXT NOT NULL DEFAULT 'standard'
          CHECK (care_type IN ('standard', 'short'));
      `);
    },
  },
  {
    version: 10,
    name: 'admin web app sessions',
    up: (db) => {
      // The director's browser sessions (edge-hub/admin/auth.ts): not bound to a tablet, shorter lived.
      db.exec(`
        CREATE TABLE admin_sessions (
          token_hash TEXT PRIMARY KEY,
          staff_id TEXT NOT NULL,
          -- UTC ISO 8601, so that text order is time order
          created_at TEXT NOT NULL,
          last_seen_at TEXT NOT NULL,
          expires_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX admin_sessions_expires_at ON admin_sessions (expires_at);
      `);
    },
  },
  {
    version: 11,
    name: 'undo window, clock doubt of events',
    up: (db) => {
      // The kiosk undo window (protocol/settings.ts), and the kiosk's flag on events stamped while its clock
      // was in doubt (protocol/schemas.ts clockDoubt), listed in the admin app.
      db.exec(`
        ALTER TABLE facility_settings ADD COLUMN undo_window_minutes INTEGER NOT NULL DEFAULT 10
          CHECK (undo_window_minutes BETWEEN 1 AND 60);
        ALTER TABLE events ADD COLUMN clock_doubt TEXT CHECK (clock_doubt IN ('unsynced', 'held_back'));
        CREATE INDEX events_clock_doubt ON events (hub_seq) WHERE clock_doubt IS NOT NULL;
      `);
    },
  },
  migration12,
  guardianPinsMigration(13),
  {
    version: 14,
    name: 'kiosk reversal guard',
    up: (db) => {
      // A kiosk asks before reversing a child's event of less than this many minutes ago (protocol/settings.ts).
      db.exec(`
        ALTER TABLE facility_settings ADD COLUMN reversal_guard_minutes INTEGER NOT NULL DEFAULT 10
          CHECK (reversal_guard_minutes BETWEEN 1 AND 120);
      `);
    },
  },
  signInLimitsMigration(15),
  revocationsMigration(16),
  cardHashMigration(17),
  {
    version: 18,
    name: 'ledger, extended-care report and staffing settings; birth dates',
    up: (db) => {
      // Each group is one JSON value checked by protocol/settings.ts when read; NULL reads as the default.
      // A child's birth date (YYYY-MM-DD) is optional: the staffing standard goes by age.
      db.exec(`
        ALTER TABLE facility_settings ADD COLUMN ledger_json TEXT CHECK (json_valid(ledger_json));
        ALTER TABLE facility_settings ADD COLUMN extended_report_json TEXT
          CHECK (json_valid(extended_report_json));
        ALTER TABLE facility_settings ADD COLUMN staffing_json TEXT CHECK (json_valid(staffing_json));
        ALTER TABLE children ADD COLUMN birth_date TEXT CHECK (birth_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]');
      `);
    },
  },
  {
    version: 19,
    name: 'dated record of the staff on duty',
    up: (db) => {
      // Every staff count entered on a tablet, with its instant and who entered it: the daily staffing
      // report takes the count in effect at each time from here. staff_on_duty keeps the latest count per
      // class and day. A count entered before this migration is known from its last change only.
      db.exec(`
        CREATE TABLE staff_on_duty_changes (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          class_id TEXT NOT NULL,
          local_date TEXT NOT NULL,
          -- UTC ISO 8601, so that text order is time order
          at TEXT NOT NULL,
          count INTEGER NOT NULL CHECK (count >= 0),
          staff_id TEXT NOT NULL
        ) STRICT;
        CREATE INDEX staff_on_duty_changes_day ON staff_on_duty_changes (local_date, class_id, at);
        INSERT INTO staff_on_duty_changes (class_id, local_date, at, count, staff_id)
          SELECT class_id, local_date, updated_at, count, updated_by FROM staff_on_duty
          ORDER BY local_date, updated_at;
      `);
    },
  },
  parentAccessMigration(20),
  parentNoticesMigration(21),
  pickupsMigration(22),
  facilityNoticesMigration(23),
  pickupPlanReadsMigration(24),
];
