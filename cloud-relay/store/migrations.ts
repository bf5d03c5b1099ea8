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
  {
    version: 6,
    name: 'snapshot versions and amendments',
    up: (db) => {
      db.exec(`
        -- Every version of a facility's snapshot a hub relayed (PUT /v1/snapshots/V): the snapshot in
        -- effect on a day is that of the highest version whose effective_from is on or before it.
        CREATE TABLE snapshot_versions (
          facility_id    TEXT    NOT NULL REFERENCES facilities (facility_id),
          version        INTEGER NOT NULL CHECK (version >= 1),
          -- YYYY-MM-DD, a local date of the facility.
          effective_from TEXT    NOT NULL,
          -- FacilitySnapshotSchema as JSON text.
          snapshot       TEXT    NOT NULL,
          -- 1: from the deprecated PUT /v1/snapshot or this migration; replaced by the first real version.
          legacy         INTEGER NOT NULL DEFAULT 0 CHECK (legacy IN (0, 1)),
          hub_id         TEXT    NOT NULL,
          received_at    TEXT    NOT NULL,
          PRIMARY KEY (facility_id, version)
        ) STRICT;
        -- The single snapshot of before held for all days: version 1 from the beginning of time.
        INSERT INTO snapshot_versions
          (facility_id, version, effective_from, snapshot, legacy, hub_id, received_at)
          SELECT facility_id, 1, '0001-01-01', snapshot, 1, hub_id, updated_at FROM facility_snapshots;
        DROP TABLE facility_snapshots;
        -- Corrections of days in closed months (PUT /v1/amendments/ID), listed at the end of the ledgers.
        CREATE TABLE amendments (
          facility_id   TEXT NOT NULL REFERENCES facilities (facility_id),
          correction_id TEXT NOT NULL,
          -- The corrected day, YYYY-MM-DD.
          local_date    TEXT NOT NULL,
          -- When it was made (RFC 3339 with the facility's offset, as the hub orders them).
          at            TEXT NOT NULL,
          -- AmendmentSchema as JSON text.
          amendment     TEXT NOT NULL,
          hub_id        TEXT NOT NULL,
          received_at   TEXT NOT NULL,
          PRIMARY KEY (facility_id, correction_id)
        ) STRICT;
        CREATE INDEX amendments_by_day ON amendments (facility_id, local_date);
      `);
    },
  },
  {
    version: 7,
    name: 'disposal records',
    up: (db) => {
      db.exec(`
        -- What the retention job (cloud-relay/retention.ts) deleted of a facility: counts only.
        CREATE TABLE disposals (
          id              INTEGER PRIMARY KEY AUTOINCREMENT,
          facility_id     TEXT    NOT NULL REFERENCES facilities (facility_id),
          -- UTC ISO 8601.
          at              TEXT    NOT NULL,
          -- The first day kept, YYYY-MM-DD.
          cutoff          TEXT    NOT NULL,
          retention_years INTEGER NOT NULL,
          -- {events, snapshots, amendments}
          counts_json     TEXT    NOT NULL
        ) STRICT;
        CREATE INDEX disposals_by_facility ON disposals (facility_id, id);
      `);
    },
  },
  {
    version: 8,
    name: 'events by receipt',
    up: (db) => {
      // A restored hub catches up on what the cloud received after its backup (GET /v1/hub/events).
      db.exec('CREATE INDEX events_by_receipt ON events (facility_id, received_at, id);');
    },
  },
  {
    version: 9,
    name: 'parent access',
    up: (db) => {
      db.exec(`
        -- A guardian the facility invited to the parent app (PUT /v1/hub/parents/G): what the app needs.
        CREATE TABLE parent_guardians (
          facility_id        TEXT    NOT NULL REFERENCES facilities (facility_id),
          guardian_id        TEXT    NOT NULL,
          -- The hub's version of this record: a lower or equal one is ignored.
          version            INTEGER NOT NULL CHECK (version >= 1),
          name               TEXT    NOT NULL,
          -- JSON array of child ids.
          child_ids          TEXT    NOT NULL,
          revoked            INTEGER NOT NULL CHECK (revoked IN (0, 1)),
          -- The open invitation: hex SHA-256 of the link's token, its expiry, and when a passkey used it.
          invitation_hash    TEXT,
          invitation_expires TEXT,
          invitation_used_at TEXT,
          hub_id             TEXT    NOT NULL,
          updated_at         TEXT    NOT NULL,
          PRIMARY KEY (facility_id, guardian_id)
        ) STRICT;
        CREATE INDEX parent_guardians_by_invitation ON parent_guardians (invitation_hash)
          WHERE invitation_hash IS NOT NULL;
        -- The guardians' passkeys (WebAuthn credentials); the id is the credential id in base64url.
        CREATE TABLE parent_credentials (
          credential_id TEXT    PRIMARY KEY,
          facility_id   TEXT    NOT NULL,
          guardian_id   TEXT    NOT NULL,
          -- COSE public key.
          public_key    BLOB    NOT NULL,
          counter       INTEGER NOT NULL,
          -- JSON array of transports, as the browser reported them.
          transports    TEXT    NOT NULL,
          created_at    TEXT    NOT NULL,
          last_used_at  TEXT,
          FOREIGN KEY (facility_id, guardian_id) REFERENCES parent_guardians (facility_id, guardian_id)
        ) STRICT;
        CREATE INDEX parent_credentials_by_guardian ON parent_credentials (facility_id, guardian_id);
        -- Signed-in parents: SHA-256 of the session cookie only.
        CREATE TABLE parent_sessions (
          session_hash BLOB PRIMARY KEY,
          facility_id  TEXT NOT NULL,
          guardian_id  TEXT NOT NULL,
          created_at   TEXT NOT NULL,
          -- UTC ISO 8601; slides forward as the parent uses the app.
          expires_at   TEXT NOT NULL,
          FOREIGN KEY (facility_id, guardian_id) REFERENCES parent_guardians (facility_id, guardian_id)
        ) STRICT;
        CREATE INDEX parent_sessions_by_guardian ON parent_sessions (facility_id, guardian_id);
        -- WebAuthn challenges, single use and short-lived; here so that any cloud process can finish a
        -- ceremony another began. A registration's names its guardian, a sign-in's none.
        CREATE TABLE parent_challenges (
          challenge   TEXT PRIMARY KEY,
          purpose     TEXT NOT NULL CHECK (purpose IN ('register', 'login')),
          facility_id TEXT,
          guardian_id TEXT,
          expires_at  TEXT NOT NULL
        ) STRICT;
        CREATE INDEX parent_challenges_by_expiry ON parent_challenges (expires_at);
      `);
    },
  },
  {
    version: 10,
    name: 'parent notices',
    up: (db) => {
      db.exec(`
        -- Parents' absence and lateness notices (POST /parent/api/notices), in the facility's message
        -- order (seq) the hub fetches them by (GET /v1/hub/parent-messages?after=SEQ).
        CREATE TABLE parent_notices (
          facility_id TEXT    NOT NULL REFERENCES facilities (facility_id),
          seq         INTEGER NOT NULL CHECK (seq >= 1),
          id          TEXT    NOT NULL,
          guardian_id TEXT    NOT NULL,
          kind        TEXT    NOT NULL CHECK (kind IN ('absence', 'late')),
          -- JSON array of child ids.
          child_ids   TEXT    NOT NULL,
          -- First and last day (YYYY-MM-DD, both included).
          date        TEXT    NOT NULL,
          until       TEXT    NOT NULL,
          reason      TEXT    NOT NULL,
          -- JSON array of symptoms, or NULL.
          symptoms    TEXT,
          temperature REAL,
          note        TEXT,
          arrive_at   TEXT,
          -- UTC ISO 8601.
          sent_at     TEXT    NOT NULL,
          read_at     TEXT,
          PRIMARY KEY (facility_id, id),
          UNIQUE (facility_id, seq)
        ) STRICT;
        CREATE INDEX parent_notices_by_guardian ON parent_notices (facility_id, guardian_id, until);
        CREATE INDEX parent_notices_by_until ON parent_notices (facility_id, until);
        -- The last seq given per facility: taken and bumped inside each notice's insert transaction.
        CREATE TABLE parent_message_seq (
          facility_id TEXT    PRIMARY KEY REFERENCES facilities (facility_id),
          last_seq    INTEGER NOT NULL CHECK (last_seq >= 0)
        ) STRICT;
        -- The facility's cut-offs as its hub uploads them (PUT /v1/hub/parent-settings).
        CREATE TABLE parent_settings (
          facility_id    TEXT    PRIMARY KEY REFERENCES facilities (facility_id),
          version        INTEGER NOT NULL CHECK (version >= 1),
          default_cutoff TEXT    NOT NULL,
          -- JSON object class id → HH:MM.
          class_cutoffs  TEXT    NOT NULL,
          hub_id         TEXT    NOT NULL,
          updated_at     TEXT    NOT NULL
        ) STRICT;
        -- Every parent action at the cloud: ids, codes and counts only, never names or secrets.
        CREATE TABLE parent_audit (
          id          INTEGER PRIMARY KEY,
          facility_id TEXT NOT NULL,
          at          TEXT NOT NULL,
          guardian_id TEXT NOT NULL,
          action      TEXT NOT NULL,
          outcome     TEXT NOT NULL CHECK (outcome IN ('ok', 'refused')),
          -- JSON object, or NULL.
          detail      TEXT
        ) STRICT;
        CREATE INDEX parent_audit_by_facility ON parent_audit (facility_id, at);
      `);
    },
  },
  {
    version: 11,
    name: 'parent push subscriptions',
    up: (db) => {
      db.exec(`
        -- A parent's browser subscribed to Web Push (POST /parent/api/push/subscriptions): the push
        -- service's URL for it and its keys (base64url) to encrypt for it. An endpoint names one browser.
        CREATE TABLE parent_push_subscriptions (
          facility_id     TEXT    NOT NULL,
          guardian_id     TEXT    NOT NULL,
          endpoint        TEXT    NOT NULL,
          p256dh          TEXT    NOT NULL,
          auth            TEXT    NOT NULL,
          created_at      TEXT    NOT NULL,
          last_success_at TEXT,
          -- Failed sends since the last success (a gone subscription, 404/410, is deleted instead).
          failures        INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
          PRIMARY KEY (facility_id, endpoint),
          FOREIGN KEY (facility_id, guardian_id) REFERENCES parent_guardians (facility_id, guardian_id)
        ) STRICT;
        CREATE INDEX parent_push_by_guardian ON parent_push_subscriptions (facility_id, guardian_id);
        -- The cloud's VAPID key pair (one row, base64url), made on first use: every cloud process signs
        -- with the same keys, so that a browser's subscription works whichever process sends.
        CREATE TABLE push_vapid (
          id          INTEGER PRIMARY KEY CHECK (id = 1),
          public_key  TEXT NOT NULL,
          private_key TEXT NOT NULL,
          subject     TEXT NOT NULL,
          created_at  TEXT NOT NULL
        ) STRICT;
      `);
    },
  },
  {
    version: 12,
    name: 'facility webhooks',
    up: (db) => {
      db.exec(`
        -- A facility's outgoing webhook (docs/webhooks.md): where its events are POSTed, the key they are
        -- signed with, and how far delivery got. At most one per facility.
        CREATE TABLE facility_webhooks (
          facility_id     TEXT    PRIMARY KEY REFERENCES facilities (facility_id),
          url             TEXT    NOT NULL,
          -- The HMAC key as "genkan cloud webhook set" showed it: signing needs the key itself.
          secret          TEXT    NOT NULL,
          created_at      TEXT    NOT NULL,
          -- Events received at or after this instant are delivered: when the webhook was first set.
          since           TEXT    NOT NULL,
          -- Receipt position (received_at, id) of the last event a receiver acknowledged; NULL before.
          cursor_at       TEXT,
          cursor_id       TEXT,
          -- The last event of a batch whose attempt failed: the retry sends the same events (same id).
          batch_end_at    TEXT,
          batch_end_id    TEXT,
          -- Failed attempts since the last success, and when the next one is due.
          attempts        INTEGER NOT NULL CHECK (attempts >= 0),
          next_attempt_at TEXT    NOT NULL,
          last_attempt_at TEXT,
          -- The last attempt's HTTP status, or timeout / network; and why it failed (never the URL).
          last_status     TEXT,
          last_error      TEXT,
          -- The delivery in progress: its lease's token and expiry (one process at a time).
          lease_owner     TEXT,
          lease_until     TEXT,
          CHECK ((cursor_at IS NULL) = (cursor_id IS NULL)),
          CHECK ((batch_end_at IS NULL) = (batch_end_id IS NULL))
        ) STRICT;
        CREATE INDEX facility_webhooks_by_due ON facility_webhooks (next_attempt_at);
      `);
    },
  },
  {
    version: 13,
    name: 'pickup people, pickup plans, facility notices',
    up: (db) => {
      db.exec(`
        -- A child's authorised pickup people as its hub uploads them (PUT /v1/hub/pickup-people/CHILD):
        -- names and relations only (photos stay at the hub). The highest version wins.
        CREATE TABLE pickup_people (
          facility_id TEXT    NOT NULL REFERENCES facilities (facility_id),
          child_id    TEXT    NOT NULL,
          version     INTEGER NOT NULL CHECK (version >= 1),
          -- JSON array of PickupPerson.
          people      TEXT    NOT NULL,
          hub_id      TEXT    NOT NULL,
          updated_at  TEXT    NOT NULL,
          PRIMARY KEY (facility_id, child_id)
        ) STRICT;
        -- Parents' pickup plans (POST /parent/api/pickups), numbered from the same per-facility counter
        -- as the notices (parent_message_seq), so that one cursor orders every parent message.
        CREATE TABLE parent_pickups (
          facility_id TEXT    NOT NULL REFERENCES facilities (facility_id),
          seq         INTEGER NOT NULL CHECK (seq >= 1),
          id          TEXT    NOT NULL,
          guardian_id TEXT    NOT NULL,
          -- JSON array of child ids.
          child_ids   TEXT    NOT NULL,
          date        TEXT    NOT NULL,
          time        TEXT    NOT NULL,
          -- JSON object {id, kind, name, relation}: the person as resolved when sent.
          person      TEXT    NOT NULL,
          note        TEXT,
          sent_at     TEXT    NOT NULL,
          read_at     TEXT,
          PRIMARY KEY (facility_id, id),
          UNIQUE (facility_id, seq)
        ) STRICT;
        CREATE INDEX parent_pickups_by_date ON parent_pickups (facility_id, date);
        -- The facility's notices to parents (PUT /v1/hub/facility-notices/ID) with their recipients.
        CREATE TABLE facility_notices (
          facility_id  TEXT    NOT NULL REFERENCES facilities (facility_id),
          id           TEXT    NOT NULL,
          version      INTEGER NOT NULL CHECK (version >= 1),
          title        TEXT    NOT NULL,
          body         TEXT    NOT NULL,
          -- JSON array of class ids, or NULL for every guardian.
          class_ids    TEXT,
          -- UTC ISO 8601.
          published_at TEXT    NOT NULL,
          withdrawn    INTEGER NOT NULL CHECK (withdrawn IN (0, 1)),
          -- JSON array of guardian ids.
          guardian_ids TEXT    NOT NULL,
          -- 1 once a process claimed its Web Push: never sent twice.
          pushed       INTEGER NOT NULL DEFAULT 0 CHECK (pushed IN (0, 1)),
          hub_id       TEXT    NOT NULL,
          updated_at   TEXT    NOT NULL,
          PRIMARY KEY (facility_id, id)
        ) STRICT;
        CREATE INDEX facility_notices_by_published ON facility_notices (facility_id, published_at);
        -- A guardian's confirmed reading of a facility notice (the first one kept), a parent message too.
        CREATE TABLE facility_notice_reads (
          facility_id TEXT    NOT NULL REFERENCES facilities (facility_id),
          notice_id   TEXT    NOT NULL,
          guardian_id TEXT    NOT NULL,
          read_at     TEXT    NOT NULL,
          seq         INTEGER NOT NULL CHECK (seq >= 1),
          PRIMARY KEY (facility_id, notice_id, guardian_id),
          UNIQUE (facility_id, seq)
        ) STRICT;
      `);
    },
  },
];
