import { createPublicKey } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../common/sqlite.ts';
import { exportQrPublicKey, importQrPrivateKey, isQrPublicKey } from '../../protocol/index.ts';
import { removeDir, tempDir } from '../../test/support/hub.ts';
import { columns, indexes, tables } from '../../test/support/sqlite-schema.ts';
import { HUB_DB_FILE, HubStore } from './hub-store.ts';
import { hubMigrations } from './migrations.ts';

describe('hub migrations', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await tempDir();
    file = join(dir, HUB_DB_FILE);
  });
  afterEach(async () => {
    await removeDir(dir);
  });

  it('are numbered 1..n', () => {
    expect(hubMigrations.map((m) => m.version)).toEqual(hubMigrations.map((_, i) => i + 1));
  });

  it('1 creates the facility, device and roster tables', () => {
    const db = openDatabase(file, { migrations: hubMigrations, targetVersion: 1 });
    try {
      expect(schemaVersion(db)).toBe(1);
      expect(tables(db)).toEqual([
        'children',
        'classes',
        'credentials',
        'devices',
        'guardian_children',
        'guardians',
        'meta',
      ]);
      expect(columns(db, 'meta')).toEqual([
        'id',
        'facility_id',
        'facility_name',
        'time_zone',
        'credential_key',
        'roster_version',
        'admin_token_hash',
      ]);
      expect(columns(db, 'devices')).toEqual(['id', 'role', 'password_hash', 'created_at']);
      expect(columns(db, 'children')).toEqual(['id', 'name', 'kana', 'class_id']);
      expect(columns(db, 'credentials')).toEqual(['hash', 'guardian_id']);
      expect(() => db.prepare("INSERT INTO devices VALUES ('d', 'printer', 'x', 'now')").run()).toThrow(
        /CHECK/,
      );
    } finally {
      db.close();
    }
  });

  it('2 creates the events table with a unique id and the local_date index', () => {
    const db = openDatabase(file, { migrations: hubMigrations, targetVersion: 2 });
    try {
      expect(schemaVersion(db)).toBe(2);
      expect(tables(db)).toContain('events');
      expect(tables(db)).not.toContain('relay_state');
      expect(columns(db, 'events')).toEqual([
        'hub_seq',
        'id',
        'type',
        'child_id',
        'occurred_at',
        'occurred_ms',
        'device_id',
        'seq',
        'method',
        'actor',
        'voids',
        'note',
        'local_date',
        'received_at',
      ]);
      expect(indexes(db, 'events')).toEqual(expect.arrayContaining(['events_local_date', 'events_voids']));
      const insert = db.prepare(
        `INSERT INTO events (id, type, child_id, occurred_at, occurred_ms, device_id, seq, method, local_date,
           received_at) VALUES ('e1', 'check_in', 'c1', 't', 0, 'd', 1, 'card', '2026-04-01', 'now')`,
      );
      insert.run();
      expect(() => insert.run()).toThrow(/UNIQUE/);
    } finally {
      db.close();
    }
  });

  it('3 creates the relay cursor (starting at 0) and the rejects table', () => {
    const db = openDatabase(file, { migrations: hubMigrations, targetVersion: 3 });
    try {
      expect(schemaVersion(db)).toBe(3);
      expect(db.prepare('SELECT cursor FROM relay_state').all()).toEqual([{ cursor: 0 }]);
      expect(columns(db, 'relay_rejects')).toEqual(['event_id', 'hub_seq', 'code', 'message', 'rejected_at']);
    } finally {
      db.close();
    }
  });

  it('4 adds the QR key pair, generating one for an existing facility row', () => {
    const old = openDatabase(file, { migrations: hubMigrations, targetVersion: 3 });
    old.prepare("INSERT INTO meta (id, credential_key) VALUES (1, 'k')").run();
    old.close();
    const db = openDatabase(file, { migrations: hubMigrations, targetVersion: 4 });
    try {
      expect(schemaVersion(db)).toBe(4);
      expect(columns(db, 'meta').slice(-2)).toEqual(['qr_private_key', 'qr_public_key']);
      const row = db
        .prepare<[], { qr_private_key: string; qr_public_key: string }>(
          'SELECT qr_private_key, qr_public_key FROM meta',
        )
        .get();
      expect(row && isQrPublicKey(row.qr_public_key)).toBe(true);
      const priv = importQrPrivateKey(row?.qr_private_key ?? '');
      // the pair belongs together: the public key is the private key's
      expect(exportQrPublicKey(createPublicKey(priv))).toBe(row?.qr_public_key);
    } finally {
      db.close();
    }
  });

  it('5 creates the enrolled cards, answered requests and audit log tables, keeping existing data', () => {
    const old = openDatabase(file, { migrations: hubMigrations, targetVersion: 4 });
    old.prepare("INSERT INTO devices VALUES ('kiosk-1', 'kiosk', 'hash', 'now')").run();
    old.close();
    const db = openDatabase(file, { migrations: hubMigrations, targetVersion: 5 });
    try {
      expect(schemaVersion(db)).toBe(5);
      expect(tables(db)).toEqual(
        expect.arrayContaining(['audit_log', 'device_requests', 'enrolled_credentials']),
      );
      expect(tables(db)).not.toContain('pairing_codes');
      expect(columns(db, 'enrolled_credentials')).toEqual([
        'hash',
        'guardian_id',
        'device_id',
        'staff_id',
        'enrolled_at',
      ]);
      expect(columns(db, 'device_requests')).toEqual([
        'device_id',
        'request_id',
        'op',
        'response_json',
        'received_at',
      ]);
      expect(columns(db, 'audit_log')).toEqual([
        'id',
        'at',
        'actor_kind',
        'actor_id',
        'action',
        'subject',
        'device_id',
        'outcome',
        'before_json',
        'after_json',
      ]);
      expect(indexes(db, 'enrolled_credentials')).toContain('enrolled_credentials_guardian');
      expect(indexes(db, 'device_requests')).toContain('device_requests_received_at');
      expect(db.prepare('SELECT id FROM devices').all()).toEqual([{ id: 'kiosk-1' }]);
      // an enrolled card belongs to one guardian; a request is answered once per device
      const enrol = db.prepare("INSERT INTO enrolled_credentials VALUES ('h', ?, 'kiosk-1', NULL, 'now')");
      enrol.run('g1');
      expect(() => enrol.run('g2')).toThrow(/UNIQUE|PRIMARY/);
      const answer = db.prepare("INSERT INTO device_requests VALUES (?, 'r1', 'enroll_card', '{}', 'now')");
      answer.run('kiosk-1');
      answer.run('kiosk-2');
      expect(() => answer.run('kiosk-1')).toThrow(/UNIQUE|PRIMARY/);
      expect(() =>
        db
          .prepare(
            "INSERT INTO audit_log (at, actor_kind, action, outcome) VALUES ('now', 'robot', 'x', 'ok')",
          )
          .run(),
      ).toThrow(/CHECK/);
    } finally {
      db.close();
    }
  });

  it('6 creates the pairing code table', () => {
    const db = openDatabase(file, { migrations: hubMigrations, targetVersion: 6 });
    try {
      expect(schemaVersion(db)).toBe(6);
      expect(columns(db, 'pairing_codes')).toEqual([
        'id',
        'code_hash',
        'device_id',
        'role',
        'created_at',
        'expires_at',
        'used_at',
      ]);
      expect(indexes(db, 'pairing_codes')).toContain('pairing_codes_device');
      const insert = db.prepare(
        "INSERT INTO pairing_codes (code_hash, device_id, role, created_at, expires_at) VALUES ('h', 'd', ?, 'a', 'b')",
      );
      expect(() => insert.run('printer')).toThrow(/CHECK/);
      insert.run('kiosk');
      expect(() => insert.run('tablet')).toThrow(/UNIQUE/);
    } finally {
      db.close();
    }
  });

  it('7 creates staff, tablet tokens, sessions, device sequences and class settings', () => {
    const db = openDatabase(file, { migrations: hubMigrations, targetVersion: 7 });
    try {
      expect(schemaVersion(db)).toBe(7);
      expect(columns(db, 'staff')).toEqual(['id', 'name', 'role', 'pin_hash', 'created_at', 'disabled']);
      expect(columns(db, 'sessions')).toEqual([
        'token_hash',
        'staff_id',
        'device_id',
        'created_at',
        'last_seen_at',
        'expires_at',
      ]);
      expect(columns(db, 'tablet_tokens')).toEqual(['token_hash', 'device_id', 'created_at']);
      expect(columns(db, 'device_seq')).toEqual(['device_id', 'last_seq']);
      expect(columns(db, 'staff_on_duty')).toEqual([
        'class_id',
        'local_date',
        'count',
        'updated_by',
        'updated_at',
      ]);
      expect(db.prepare('SELECT closing_time, default_cutoff FROM facility_settings').all()).toEqual([
        { closing_time: '19:00', default_cutoff: '10:00' },
      ]);
      const staff = db.prepare(
        "INSERT INTO staff (id, name, role, pin_hash, created_at) VALUES (?, 'n', ?, 'h', 'now')",
      );
      expect(() => staff.run('s1', 'boss')).toThrow(/CHECK/);
      staff.run('s1', 'admin');
      expect(() => staff.run('s1', 'staff')).toThrow(/UNIQUE|PRIMARY/);
      expect(() => db.prepare("INSERT INTO class_settings VALUES ('k1', NULL, 0)").run()).toThrow(/CHECK/);
      expect(() =>
        db.prepare("INSERT INTO staff_on_duty VALUES ('k1', '2026-04-01', -1, 's1', 'now')").run(),
      ).toThrow(/CHECK/);
    } finally {
      db.close();
    }
  });

  it('8 adds care bands and extended-care rules, and lets the admin API write the audit log', () => {
    const db = openDatabase(file, { migrations: hubMigrations, targetVersion: 7 });
    db.prepare("UPDATE facility_settings SET closing_time = '18:30'").run();
    db.prepare(
      "INSERT INTO audit_log (at, actor_kind, action, outcome) VALUES ('2026-04-01T00:00:00Z', 'cli', 'x', 'ok')",
    ).run();
    db.close();
    const up = openDatabase(file, { migrations: hubMigrations, targetVersion: 8 });
    try {
      expect(schemaVersion(up)).toBe(8);
      expect(up.prepare('SELECT * FROM facility_settings').all()).toEqual([
        {
          id: 1,
          closing_time: '18:30',
          default_cutoff: '10:00',
          standard_start: '07:00',
          standard_end: '18:00',
          short_start: '08:30',
          short_end: '16:30',
          grace_minutes: 5,
          rounding_minutes: 30,
          rounding: 'up',
        },
      ]);
      expect(() => up.prepare("UPDATE facility_settings SET rounding = 'sideways'").run()).toThrow(/CHECK/);
      expect(() => up.prepare('UPDATE facility_settings SET rounding_minutes = 0').run()).toThrow(/CHECK/);
      // The audit log kept its row and id, its index, and takes the new actor kind.
      expect(up.prepare('SELECT id, actor_kind, action FROM audit_log').all()).toEqual([
        { id: 1, actor_kind: 'cli', action: 'x' },
      ]);
      expect(indexes(up, 'audit_log')).toContain('audit_log_at');
      const add = up.prepare(
        "INSERT INTO audit_log (at, actor_kind, action, outcome) VALUES ('t', ?, 'y', 'ok')",
      );
      add.run('api');
      expect(() => add.run('robot')).toThrow(/CHECK/);
      expect(up.prepare('SELECT max(id) AS m FROM audit_log').get()).toEqual({ m: 2 });
    } finally {
      up.close();
    }
  });

  it('9 gives every child a care type, standard for the existing ones', () => {
    const db = openDatabase(file, { migrations: hubMigrations, targetVersion: 8 });
    db.prepare("INSERT INTO classes (id, name, position) VALUES ('k1', 'ひよこ組', 0)").run();
    db.prepare("INSERT INTO children (id, name, kana, class_id) VALUES ('c1', 'n', 'k', 'k1')").run();
    db.close();
    const up = openDatabase(file, { migrations: hubMigrations, targetVersion: 9 });
    try {
      expect(up.prepare('SELECT id, care_type FROM children').all()).toEqual([
        { id: 'c1', care_type: 'standard' },
      ]);
      expect(() => up.prepare("UPDATE children SET care_type = 'long'").run()).toThrow(/CHECK/);
      up.prepare("UPDATE children SET care_type = 'short'").run();
    } finally {
      up.close();
    }
  });

  it('10 creates the admin sessions table, keeping the tablet sessions', () => {
    const db = openDatabase(file, { migrations: hubMigrations, targetVersion: 9 });
    db.prepare(
      "INSERT INTO sessions VALUES ('t', 's1', 'tab-1', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-01T12:00:00Z')",
    ).run();
    db.close();
    const up = openDatabase(file, { migrations: hubMigrations, targetVersion: 10 });
    try {
      expect(tables(up)).toContain('admin_sessions');
      expect(columns(up, 'admin_sessions')).toEqual([
        'token_hash',
        'staff_id',
        'created_at',
        'last_seen_at',
        'expires_at',
      ]);
      expect(indexes(up, 'admin_sessions')).toContain('admin_sessions_expires_at');
      expect(up.prepare('SELECT count(*) AS n FROM sessions').get()).toEqual({ n: 1 });
    } finally {
      up.close();
    }
  });

  it('11 adds the undo window (10 minutes for an existing facility) and the clock doubt of events', () => {
    const db = openDatabase(file, { migrations: hubMigrations, targetVersion: 10 });
    db.prepare(
      `INSERT INTO events (id, type, child_id, occurred_at, occurred_ms, device_id, seq, method, actor,
         local_date, received_at)
       VALUES ('e1', 'check_in', 'c1', '2026-04-01T08:00:00+09:00', 0, 'kiosk-1', 1, 'card', 'g1',
         '2026-04-01', '2026-03-31T23:00:00Z')`,
    ).run();
    db.close();
    const up = openDatabase(file, { migrations: hubMigrations, targetVersion: 11 });
    try {
      expect(up.prepare('SELECT undo_window_minutes AS m FROM facility_settings').get()).toEqual({ m: 10 });
      expect(() => up.prepare('UPDATE facility_settings SET undo_window_minutes = 0').run()).toThrow(/CHECK/);
      expect(up.prepare('SELECT id, clock_doubt FROM events').all()).toEqual([
        { id: 'e1', clock_doubt: null },
      ]);
      expect(() => up.prepare("UPDATE events SET clock_doubt = 'maybe'").run()).toThrow(/CHECK/);
      up.prepare("UPDATE events SET clock_doubt = 'held_back'").run();
      expect(indexes(up, 'events')).toContain('events_clock_doubt');
    } finally {
      up.close();
    }
  });

  it('15 adds the staff sign-in back-off table and the short-PIN mark, unknown for existing staff', () => {
    const db = openDatabase(file, { migrations: hubMigrations, targetVersion: 14 });
    db.prepare(
      "INSERT INTO staff (id, name, role, pin_hash, created_at) VALUES ('boss', '園長', 'admin', 'h', 'now')",
    ).run();
    db.close();
    const up = openDatabase(file, { migrations: hubMigrations, targetVersion: 15 });
    try {
      expect(columns(up, 'staff_sign_in_failures')).toEqual([
        'staff_id',
        'failures',
        'last_failed_at',
        'blocked_until',
      ]);
      expect(indexes(up, 'staff_sign_in_failures')).toContain('staff_sign_in_failures_last');
      expect(up.prepare('SELECT id, pin_short FROM staff').all()).toEqual([{ id: 'boss', pin_short: null }]);
      expect(() => up.prepare('UPDATE staff SET pin_short = 2').run()).toThrow(/CHECK/);
    } finally {
      up.close();
    }
  });

  it('18 adds the JSON settings groups (null: the defaults) and an optional birth date of each child', () => {
    const db = openDatabase(file, { migrations: hubMigrations, targetVersion: 17 });
    db.prepare("INSERT INTO classes (id, name, position) VALUES ('k1', 'ひよこ組', 0)").run();
    db.prepare("INSERT INTO children (id, name, kana, class_id) VALUES ('c1', 'n', 'k', 'k1')").run();
    db.close();
    const up = openDatabase(file, { migrations: hubMigrations, targetVersion: 18 });
    try {
      expect(columns(up, 'facility_settings').slice(-3)).toEqual([
        'ledger_json',
        'extended_report_json',
        'staffing_json',
      ]);
      expect(columns(up, 'children').at(-1)).toBe('birth_date');
      expect(
        up.prepare('SELECT ledger_json, extended_report_json, staffing_json FROM facility_settings').all(),
      ).toEqual([{ ledger_json: null, extended_report_json: null, staffing_json: null }]);
      expect(up.prepare('SELECT id, birth_date FROM children').all()).toEqual([
        { id: 'c1', birth_date: null },
      ]);
      expect(() => up.prepare("UPDATE facility_settings SET staffing_json = '{not json'").run()).toThrow(
        /CHECK|JSON/,
      );
      up.prepare('UPDATE facility_settings SET staffing_json = ?').run('{"minimumStaff":2}');
      expect(() => up.prepare("UPDATE children SET birth_date = '1 April 2024'").run()).toThrow(/CHECK/);
      up.prepare("UPDATE children SET birth_date = '2024-04-01'").run();
    } finally {
      up.close();
    }
  });

  it('19 keeps every staff count entered as a dated row, starting from the counts already there', () => {
    const db = openDatabase(file, { migrations: hubMigrations, targetVersion: 18 });
    db.prepare(
      "INSERT INTO staff_on_duty VALUES ('k1', '2026-04-01', 3, 's1', '2026-04-01T00:30:00.000Z')",
    ).run();
    db.close();
    const up = openDatabase(file, { migrations: hubMigrations, targetVersion: 19 });
    try {
      expect(columns(up, 'staff_on_duty_changes')).toEqual([
        'id',
        'class_id',
        'local_date',
        'at',
        'count',
        'staff_id',
      ]);
      expect(indexes(up, 'staff_on_duty_changes')).toContain('staff_on_duty_changes_day');
      // The count already entered is known from its last change; staff_on_duty keeps it as it was.
      expect(
        up.prepare('SELECT class_id, local_date, at, count, staff_id FROM staff_on_duty_changes').all(),
      ).toEqual([
        {
          class_id: 'k1',
          local_date: '2026-04-01',
          at: '2026-04-01T00:30:00.000Z',
          count: 3,
          staff_id: 's1',
        },
      ]);
      expect(up.prepare('SELECT count FROM staff_on_duty').all()).toEqual([{ count: 3 }]);
      expect(() =>
        up
          .prepare(
            "INSERT INTO staff_on_duty_changes (class_id, local_date, at, count, staff_id) VALUES ('k1', '2026-04-01', 't', -1, 's1')",
          )
          .run(),
      ).toThrow(/CHECK/);
    } finally {
      up.close();
    }
  });

  it("20 adds parents' access and the cloud URL, none yet", () => {
    openDatabase(file, { migrations: hubMigrations, targetVersion: 19 }).close();
    const up = openDatabase(file, { migrations: hubMigrations, targetVersion: 20 });
    try {
      expect(columns(up, 'parent_access')).toEqual([
        'guardian_id',
        'version',
        'relayed_version',
        'name',
        'child_ids_json',
        'token_hash',
        'expires',
        'revoked',
        'updated_at',
      ]);
      expect(indexes(up, 'parent_access')).toContain('parent_access_unrelayed');
      expect(columns(up, 'meta')).toContain('cloud_url');
      // An invitation is a token hash with its expiry, or neither.
      expect(() =>
        up
          .prepare(
            "INSERT INTO parent_access (guardian_id, version, name, child_ids_json, token_hash, revoked, updated_at) VALUES ('g1', 1, 'n', '[]', 'ab', 0, 't')",
          )
          .run(),
      ).toThrow(/CHECK/);
    } finally {
      up.close();
    }
  });

  it("21 adds parents' notices, their fetch cursor and the cut-offs upload, none yet", () => {
    openDatabase(file, { migrations: hubMigrations, targetVersion: 20 }).close();
    const up = openDatabase(file, { migrations: hubMigrations, targetVersion: 21 });
    try {
      expect(columns(up, 'parent_notices')).toEqual([
        'id',
        'guardian_id',
        'kind',
        'child_ids_json',
        'date',
        'until',
        'reason',
        'symptoms_json',
        'temperature',
        'note',
        'arrive_at',
        'sent_at',
        'received_at',
        'read_at',
        'read_by',
        'read_relayed',
      ]);
      expect(indexes(up, 'parent_notices')).toEqual(
        expect.arrayContaining(['parent_notices_until', 'parent_notices_read_at']),
      );
      expect(columns(up, 'meta')).toContain('parent_messages_cursor');
      expect(up.prepare('SELECT * FROM parent_settings_upload').all()).toEqual([
        { id: 1, version: 0, content_json: null, relayed_version: 0 },
      ]);
      // A confirmation names who confirmed it, and a kind is one the wire has.
      const insert = (kind: string, readAt: string | null, readBy: string | null) =>
        up
          .prepare(
            `INSERT INTO parent_notices (id, guardian_id, kind, child_ids_json, date, until, reason, sent_at,
               received_at, read_at, read_by) VALUES (?, 'g1', ?, '[]', 'd', 'd', 'sick', 't', 't', ?, ?)`,
          )
          .run(`n-${kind}-${String(readAt)}-${String(readBy)}`, kind, readAt, readBy);
      expect(() => insert('absence', 't', null)).toThrow(/CHECK/);
      expect(() => insert('pickup', null, null)).toThrow(/CHECK/);
      insert('late', 't', 's1');
    } finally {
      up.close();
    }
  });

  it("24 adds staff's confirmations of pickup plans, none for the plans already there", () => {
    const old = openDatabase(file, { migrations: hubMigrations, targetVersion: 23 });
    old
      .prepare(
        `INSERT INTO pickup_plans (id, child_id, guardian_id, date, time, person_kind, person_name, relation,
           sent_at, status, received_at) VALUES ('p1', 'c1', 'g1', 'd', '17:30', 'guardian', 'n', '', 't', 'sent', 't')`,
      )
      .run();
    old.close();
    const up = openDatabase(file, { migrations: hubMigrations, targetVersion: 24 });
    try {
      expect(columns(up, 'pickup_plans').slice(-3)).toEqual(['read_at', 'read_by', 'read_relayed']);
      expect(indexes(up, 'pickup_plans')).toContain('pickup_plans_read_at');
      expect(up.prepare('SELECT read_at, read_by, read_relayed FROM pickup_plans').all()).toEqual([
        { read_at: null, read_by: null, read_relayed: 0 },
      ]);
      // A confirmation names who confirmed it, as a notice's does.
      const confirm = (readAt: string | null, readBy: string | null) =>
        up.prepare('UPDATE pickup_plans SET read_at = ?, read_by = ?').run(readAt, readBy);
      expect(() => confirm('t', null)).toThrow(/CHECK/);
      expect(() => up.prepare('UPDATE pickup_plans SET read_relayed = 2').run()).toThrow(/CHECK/);
      confirm('t', 's1');
    } finally {
      up.close();
    }
  });

  it('a new data directory gets its QR key pair on first open, and keeps it', () => {
    const store = HubStore.open(dir);
    const publicKey = store.facility.meta().qrPublicKey;
    const signing = store.facility.qrSigningKey();
    store.close();
    expect(isQrPublicKey(publicKey)).toBe(true);
    expect(exportQrPublicKey(createPublicKey(signing))).toBe(publicKey);
    const again = HubStore.open(dir);
    try {
      expect(again.facility.meta().qrPublicKey).toBe(publicKey);
    } finally {
      again.close();
    }
  });

  it('upgrades a database left at an older version, keeping its data', () => {
    const old = openDatabase(file, { migrations: hubMigrations, targetVersion: 1 });
    old.prepare("INSERT INTO devices VALUES ('kiosk-1', 'kiosk', 'hash', 'now')").run();
    old.close();
    const store = HubStore.open(dir);
    try {
      expect(schemaVersion(store.db)).toBe(hubMigrations.length);
      expect(store.devices.devicePasswordHash('kiosk-1')).toBe('hash');
    } finally {
      store.close();
    }
  });

  it('opening an already-migrated database is a no-op', () => {
    const first = HubStore.open(dir);
    const meta = first.facility.meta();
    const schema = first.db.prepare('SELECT sql FROM sqlite_master ORDER BY name').all();
    first.close();
    const again = HubStore.open(dir);
    try {
      expect(schemaVersion(again.db)).toBe(hubMigrations.length);
      expect(again.db.prepare('SELECT sql FROM sqlite_master ORDER BY name').all()).toEqual(schema);
      // the facility row (and its credential key) is created once, never replaced
      expect(again.facility.meta()).toEqual(meta);
    } finally {
      again.close();
    }
  });
});
