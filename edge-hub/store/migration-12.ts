import type { Migration } from '../../common/sqlite.ts';

/** Hub migration 12 (issue 13), in a file of its own: migrations.ts lists them all. Never edit it. */
export const migration12: Migration = {
  version: 12,
  name: 'dated snapshots and roster imports, corrections, month close, retention',
  up: (db) => {
    // snapshot_versions: what the ledgers of each day are built from (protocol/ledger.ts
    // SnapshotVersion, without the facility id and zone, which never change). The version in effect on a
    // day is the highest one starting on or before it (common/ledger/timeline.ts).
    // roster_imports: every import with its effective date; the live roster tables hold the one in
    // effect today, restricted to the children enrolled today (meta.roster_materialised says which).
    // corrections: past-day corrections (the events they recorded are in events); amendments are those
    // made to a closed month. month_closures: months closed (確定).
    db.exec(`
        CREATE TABLE snapshot_versions (
          version INTEGER PRIMARY KEY,
          effective_from TEXT NOT NULL,
          issued_at TEXT NOT NULL,
          content_json TEXT NOT NULL,
          -- when the cloud took it; NULL while it is to be relayed
          relayed_at TEXT
        ) STRICT;
        CREATE INDEX snapshot_versions_unrelayed ON snapshot_versions (version) WHERE relayed_at IS NULL;
        CREATE TABLE roster_imports (
          id INTEGER PRIMARY KEY,
          effective_from TEXT NOT NULL,
          imported_at TEXT NOT NULL,
          roster_json TEXT NOT NULL
        ) STRICT;
        ALTER TABLE meta ADD COLUMN roster_materialised TEXT;
        CREATE TABLE corrections (
          id TEXT PRIMARY KEY,
          child_id TEXT NOT NULL,
          local_date TEXT NOT NULL,
          created_at TEXT NOT NULL,
          actor TEXT NOT NULL,
          actor_name TEXT NOT NULL,
          child_name TEXT NOT NULL,
          reason TEXT NOT NULL,
          before_json TEXT NOT NULL,
          after_json TEXT NOT NULL,
          event_ids_json TEXT NOT NULL,
          amendment INTEGER NOT NULL CHECK (amendment IN (0, 1)),
          relayed_at TEXT
        ) STRICT;
        CREATE INDEX corrections_date ON corrections (local_date);
        CREATE INDEX corrections_child ON corrections (child_id, local_date);
        CREATE TABLE month_closures (
          month TEXT PRIMARY KEY,
          closed_at TEXT NOT NULL,
          closed_by TEXT NOT NULL
        ) STRICT;
        ALTER TABLE facility_settings ADD COLUMN retention_years INTEGER NOT NULL DEFAULT 5
          CHECK (retention_years BETWEEN 1 AND 100);
      `);
    // The roster and rules as they are now hold for all of history: the ledgers so far were built so.
    const settings = db
      .prepare<
        [],
        {
          standard_start: string;
          standard_end: string;
          short_start: string;
          short_end: string;
          grace_minutes: number;
          rounding_minutes: number;
          rounding: string;
        }
      >('SELECT * FROM facility_settings WHERE id = 1')
      .get();
    const meta = db
      .prepare<[], { facility_name: string | null }>('SELECT facility_name FROM meta WHERE id = 1')
      .get();
    const content = {
      facilityName: meta?.facility_name ?? null,
      careBands: {
        standard: { start: settings?.standard_start ?? '07:00', end: settings?.standard_end ?? '18:00' },
        short: { start: settings?.short_start ?? '08:30', end: settings?.short_end ?? '16:30' },
      },
      extendedCare: {
        graceMinutes: settings?.grace_minutes ?? 5,
        roundingMinutes: settings?.rounding_minutes ?? 30,
        rounding: settings?.rounding ?? 'up',
      },
      classes: db.prepare('SELECT id, name FROM classes ORDER BY position').all(),
      children: db
        .prepare<[], { id: string; name: string; kana: string; classId: string; careType: string }>(
          'SELECT id, name, kana, class_id AS classId, care_type AS careType FROM children ORDER BY id',
        )
        .all()
        .map((c) => ({ ...c, enrolledOn: null, leftOn: null })),
      retentionYears: 5,
    };
    db.prepare(
      `INSERT INTO snapshot_versions (version, effective_from, issued_at, content_json)
         VALUES (1, '0001-01-01', ?, ?)`,
    ).run(new Date().toISOString(), JSON.stringify(content));
  },
};
