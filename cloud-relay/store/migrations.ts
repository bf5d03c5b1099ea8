import type { Migration } from '../../common/sqlite.ts';

/** Schema of DATA/cloud.sqlite. Append only: a released migration is never edited. */
export const cloudMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'facilities and hubs',
    up: (db) => {
      db.exec(`
        CREATE TABLE facilities (
          facility_id TEXT PRIMARY KEY,
          time_zone   TEXT NOT NULL,
          created_at  TEXT NOT NULL
        ) STRICT;
        CREATE TABLE hubs (
          hub_id          TEXT PRIMARY KEY,
          facility_id     TEXT NOT NULL REFERENCES facilities (facility_id),
          -- SHA-256 of the whole token; the token itself is never stored.
          token_hash      BLOB NOT NULL,
          created_at      TEXT NOT NULL,
          token_issued_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX hubs_by_facility ON hubs (facility_id);
      `);
    },
  },
  {
    version: 2,
    name: 'events',
    up: (db) => {
      db.exec(`
        CREATE TABLE events (
          facility_id     TEXT    NOT NULL REFERENCES facilities (facility_id),
          id              TEXT    NOT NULL,
          type            TEXT    NOT NULL,
          child_id        TEXT    NOT NULL,
          occurred_at     TEXT    NOT NULL,
          device_id       TEXT    NOT NULL,
          seq             INTEGER NOT NULL,
          method          TEXT    NOT NULL,
          actor           TEXT,
          voids           TEXT,
          note            TEXT,
          -- Derived at insert: instant for ordering, business date in the facility's time zone.
          occurred_ms     INTEGER NOT NULL,
          occurred_sub_ms INTEGER NOT NULL,
          local_date      TEXT    NOT NULL,
          hub_id          TEXT    NOT NULL,
          received_at     TEXT    NOT NULL,
          PRIMARY KEY (facility_id, id)
        ) STRICT;
        CREATE INDEX events_by_day
          ON events (facility_id, local_date, occurred_ms, occurred_sub_ms, device_id, seq);
      `);
    },
  },
  {
    version: 3,
    name: 'facility snapshots and void lookup',
    up: (db) => {
      db.exec(`
        -- The roster and care rules a hub last relayed (PUT /v1/snapshot): what the ledgers need besides
        -- the events. One row per facility, replaced by each upload.
        CREATE TABLE facility_snapshots (
          facility_id TEXT PRIMARY KEY REFERENCES facilities (facility_id),
          -- FacilitySnapshotSchema as JSON text.
          snapshot    TEXT NOT NULL,
          hub_id      TEXT NOT NULL,
          updated_at  TEXT NOT NULL
        ) STRICT;
        -- Ledgers fetch the voids of a date range's events whatever the void's own date.
        CREATE INDEX events_by_voided ON events (facility_id, voids) WHERE voids IS NOT NULL;
      `);
    },
  },
  {
    version: 4,
    name: 'organisations, org tokens, hub token rotation and relay times',
    up: (db) => {
      db.exec(`
        -- A city or a chain running one cloud for many facilities.
        CREATE TABLE organisations (
          org_id     TEXT PRIMARY KEY,
          name       TEXT NOT NULL,
          created_at TEXT NOT NULL
        ) STRICT;
        -- Optional: a facility without an organisation is readable only with the global admin token.
        ALTER TABLE facilities ADD COLUMN org_id TEXT REFERENCES organisations (org_id);
        CREATE INDEX facilities_by_org ON facilities (org_id) WHERE org_id IS NOT NULL;
        -- Org admin tokens, SHA-256 of the whole token only; several per organisation.
        CREATE TABLE org_tokens (
          token_hash BLOB PRIMARY KEY,
          org_id     TEXT NOT NULL REFERENCES organisations (org_id),
          created_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX org_tokens_by_org ON org_tokens (org_id);
        -- The token replaced by the last rotation, valid until it expires or the new one is used.
        ALTER TABLE hubs ADD COLUMN prev_token_hash BLOB;
        ALTER TABLE hubs ADD COLUMN prev_token_expires_at TEXT;
        -- Set by a revocation: no token of the hub works until it is added or rotated again.
        ALTER TABLE hubs ADD COLUMN revoked_at TEXT;
        -- Last batch or snapshot received from the hub.
        ALTER TABLE hubs ADD COLUMN last_relay_at TEXT;
      `);
    },
  },
  {
    version: 5,
    name: 'clock doubt of events',
    up: (db) => {
      db.exec(`
        -- Set by a kiosk whose clock was in doubt as it stamped occurredAt (protocol/schemas.ts
        -- clockDoubt); NULL for every event before. The values of the hub's column (its migration 11).
        ALTER TABLE events ADD COLUMN clock_doubt TEXT CHECK (clock_doubt IN ('unsynced', 'held_back'));
      `);
    },
  },
];
