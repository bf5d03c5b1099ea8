import type { ClientBase } from 'pg';
import { GenkanError } from '../../common/errors.ts';

export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Key of the transaction-level advisory lock taken around migrating. Advisory locks are scoped to the
 * database, so replicas sharing one database serialise while other databases on the server do not.
 */
export const MIGRATION_LOCK_KEY = 0x67656e6b616e; // "genkan"

/**
 * Schema of the PostgreSQL cloud store. Append only: a released migration is never edited.
 * Same tables as the SQLite schema (store/migrations.ts). Identifier and text columns that take part in
 * ordering or keys use COLLATE "C", so that order is bytewise like SQLite's, whatever the database locale.
 */
export const pgCloudMigrations: readonly PgMigration[] = [
  {
    version: 1,
    name: 'facilities and hubs',
    sql: `
      CREATE TABLE facilities (
        facility_id text COLLATE "C" PRIMARY KEY,
        time_zone   text NOT NULL,
        created_at  timestamptz NOT NULL
      );
      CREATE TABLE hubs (
        hub_id          text COLLATE "C" PRIMARY KEY,
        facility_id     text COLLATE "C" NOT NULL REFERENCES facilities (facility_id),
        -- SHA-256 of the whole token; the token itself is never stored.
        token_hash      bytea NOT NULL,
        created_at      timestamptz NOT NULL,
        token_issued_at timestamptz NOT NULL
      );
      CREATE INDEX hubs_by_facility ON hubs (facility_id);
    `,
  },
  {
    version: 2,
    name: 'events',
    sql: `
      CREATE TABLE events (
        facility_id     text COLLATE "C" NOT NULL REFERENCES facilities (facility_id),
        id              text COLLATE "C" NOT NULL,
        type            text NOT NULL,
        child_id        text NOT NULL,
        -- The original text, so that events round-trip exactly.
        occurred_at     text NOT NULL,
        device_id       text COLLATE "C" NOT NULL,
        seq             bigint NOT NULL,
        method          text NOT NULL,
        actor           text,
        voids           text,
        note            text,
        -- Derived at insert: instant for ordering (finer than timestamptz's microseconds), business date
        -- in the facility's time zone.
        occurred_ms     bigint NOT NULL,
        occurred_sub_ms integer NOT NULL,
        local_date      date NOT NULL,
        hub_id          text NOT NULL,
        received_at     timestamptz NOT NULL,
        PRIMARY KEY (facility_id, id)
      );
      CREATE INDEX events_by_day
        ON events (facility_id, local_date, occurred_ms, occurred_sub_ms, device_id, seq);
    `,
  },
  {
    version: 3,
    name: 'facility snapshots and void lookup',
    sql: `
      -- The roster and care rules a hub last relayed (PUT /v1/snapshot): what the ledgers need besides
      -- the events. One row per facility, replaced by each upload.
      CREATE TABLE facility_snapshots (
        facility_id text COLLATE "C" PRIMARY KEY REFERENCES facilities (facility_id),
        -- FacilitySnapshotSchema as JSON text (not jsonb: stored and served as sent).
        snapshot    text NOT NULL,
        hub_id      text NOT NULL,
        updated_at  timestamptz NOT NULL
      );
      -- Ledgers fetch the voids of a date range's events whatever the void's own date. COLLATE "C" as
      -- events.id, which the voids column is compared with.
      CREATE INDEX events_by_voided ON events (facility_id, (voids COLLATE "C")) WHERE voids IS NOT NULL;
    `,
  },
  {
    version: 4,
    name: 'organisations, org tokens, hub token rotation and relay times',
    sql: `
      -- A city or a chain running one cloud for many facilities.
      CREATE TABLE organisations (
        org_id     text COLLATE "C" PRIMARY KEY,
        name       text NOT NULL,
        created_at timestamptz NOT NULL
      );
      -- Optional: a facility without an organisation is readable only with the global admin token.
      ALTER TABLE facilities ADD COLUMN org_id text COLLATE "C" REFERENCES organisations (org_id);
      CREATE INDEX facilities_by_org ON facilities (org_id) WHERE org_id IS NOT NULL;
      -- Org admin tokens, SHA-256 of the whole token only; several per organisation.
      CREATE TABLE org_tokens (
        token_hash bytea PRIMARY KEY,
        org_id     text COLLATE "C" NOT NULL REFERENCES organisations (org_id),
        created_at timestamptz NOT NULL
      );
      CREATE INDEX org_tokens_by_org ON org_tokens (org_id);
      -- The token replaced by the last rotation, valid until it expires or the new one is used.
      ALTER TABLE hubs ADD COLUMN prev_token_hash bytea;
      ALTER TABLE hubs ADD COLUMN prev_token_expires_at timestamptz;
      -- Set by a revocation: no token of the hub works until it is added or rotated again.
      ALTER TABLE hubs ADD COLUMN revoked_at timestamptz;
      -- Last batch or snapshot received from the hub.
      ALTER TABLE hubs ADD COLUMN last_relay_at timestamptz;
    `,
  },
  {
    version: 5,
    name: 'clock doubt of events',
    sql: `
      -- Set by a kiosk whose clock was in doubt as it stamped occurredAt (protocol/schemas.ts clockDoubt);
      -- NULL for every event before. Adding a nullable column without a default changes only the catalog.
      ALTER TABLE events ADD COLUMN clock_doubt text;
      -- NOT VALID: enforced for new rows without scanning the existing ones (all NULL) under the table's
      -- exclusive lock, which would hold up every replica's inserts on a large table.
      ALTER TABLE events ADD CONSTRAINT events_clock_doubt_check
        CHECK (clock_doubt IN ('unsynced', 'held_back')) NOT VALID;
    `,
  },
  {
    version: 6,
    name: 'snapshot versions and amendments',
    sql: `
      -- Every version of a facility's snapshot a hub relayed (PUT /v1/snapshots/V): the snapshot in effect
      -- on a day is that of the highest version whose effective_from is on or before it.
      CREATE TABLE snapshot_versions (
        facility_id    text COLLATE "C" NOT NULL REFERENCES facilities (facility_id),
        version        bigint NOT NULL CHECK (version >= 1),
        -- YYYY-MM-DD, a local date of the facility (text: compared as SQLite compares it).
        effective_from text COLLATE "C" NOT NULL,
        -- FacilitySnapshotSchema as JSON text (not jsonb: stored and served as sent).
        snapshot       text NOT NULL,
        -- From the deprecated PUT /v1/snapshot or this migration; replaced by the first real version.
        legacy         boolean NOT NULL DEFAULT false,
        hub_id         text NOT NULL,
        received_at    timestamptz NOT NULL,
        PRIMARY KEY (facility_id, version)
      );
      -- The single snapshot of before held for all days: version 1 from the beginning of time.
      INSERT INTO snapshot_versions
        (facility_id, version, effective_from, snapshot, legacy, hub_id, received_at)
        SELECT facility_id, 1, '0001-01-01', snapshot, true, hub_id, updated_at FROM facility_snapshots;
      DROP TABLE facility_snapshots;
      -- Corrections of days in closed months (PUT /v1/amendments/ID), listed at the end of the ledgers.
      CREATE TABLE amendments (
        facility_id   text COLLATE "C" NOT NULL REFERENCES facilities (facility_id),
        correction_id text COLLATE "C" NOT NULL,
        -- The corrected day, YYYY-MM-DD.
        local_date    text COLLATE "C" NOT NULL,
        -- When it was made (RFC 3339 with the facility's offset); ordered bytewise, as the hub does.
        at            text COLLATE "C" NOT NULL,
        -- AmendmentSchema as JSON text.
        amendment     text NOT NULL,
        hub_id        text NOT NULL,
        received_at   timestamptz NOT NULL,
        PRIMARY KEY (facility_id, correction_id)
      );
      CREATE INDEX amendments_by_day ON amendments (facility_id, local_date);
    `,
  },
  {
    version: 7,
    name: 'disposal records',
    sql: `
      -- What the retention job (cloud-relay/retention.ts) deleted of a facility: counts only.
      CREATE TABLE disposals (
        id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        facility_id     text COLLATE "C" NOT NULL REFERENCES facilities (facility_id),
        at              timestamptz NOT NULL,
        -- The first day kept, YYYY-MM-DD.
        cutoff          text COLLATE "C" NOT NULL,
        retention_years integer NOT NULL,
        -- {events, snapshots, amendments}
        counts_json     text NOT NULL
      );
      CREATE INDEX disposals_by_facility ON disposals (facility_id, id);
    `,
  },
  {
    version: 8,
    name: 'events by receipt',
    sql: `
      -- A restored hub catches up on what the cloud received after its backup (GET /v1/hub/events).
      CREATE INDEX events_by_receipt ON events (facility_id, received_at, id);
    `,
  },
  {
    version: 9,
    name: 'parent access',
    sql: `
      -- A guardian the facility invited to the parent app (PUT /v1/hub/parents/G): what the app needs.
      CREATE TABLE parent_guardians (
        facility_id        text COLLATE "C" NOT NULL REFERENCES facilities (facility_id),
        guardian_id        text COLLATE "C" NOT NULL,
        -- The hub's version of this record: a lower or equal one is ignored.
        version            integer NOT NULL CHECK (version >= 1),
        name               text NOT NULL,
        -- JSON array of child ids.
        child_ids          text NOT NULL,
        revoked            boolean NOT NULL,
        -- The open invitation: hex SHA-256 of the link's token, its expiry, and when a passkey used it.
        invitation_hash    text COLLATE "C",
        invitation_expires timestamptz,
        invitation_used_at timestamptz,
        hub_id             text NOT NULL,
        updated_at         timestamptz NOT NULL,
        PRIMARY KEY (facility_id, guardian_id)
      );
      CREATE INDEX parent_guardians_by_invitation ON parent_guardians (invitation_hash)
        WHERE invitation_hash IS NOT NULL;
      -- The guardians' passkeys (WebAuthn credentials); the id is the credential id in base64url.
      CREATE TABLE parent_credentials (
        credential_id text COLLATE "C" PRIMARY KEY,
        facility_id   text COLLATE "C" NOT NULL,
        guardian_id   text COLLATE "C" NOT NULL,
        -- COSE public key.
        public_key    bytea NOT NULL,
        counter       bigint NOT NULL,
        -- JSON array of transports, as the browser reported them.
        transports    text NOT NULL,
        created_at    timestamptz NOT NULL,
        last_used_at  timestamptz,
        FOREIGN KEY (facility_id, guardian_id) REFERENCES parent_guardians (facility_id, guardian_id)
      );
      CREATE INDEX parent_credentials_by_guardian ON parent_credentials (facility_id, guardian_id);
      -- Signed-in parents: SHA-256 of the session cookie only.
      CREATE TABLE parent_sessions (
        session_hash bytea PRIMARY KEY,
        facility_id  text COLLATE "C" NOT NULL,
        guardian_id  text COLLATE "C" NOT NULL,
        created_at   timestamptz NOT NULL,
        -- Slides forward as the parent uses the app.
        expires_at   timestamptz NOT NULL,
        FOREIGN KEY (facility_id, guardian_id) REFERENCES parent_guardians (facility_id, guardian_id)
      );
      CREATE INDEX parent_sessions_by_guardian ON parent_sessions (facility_id, guardian_id);
      -- WebAuthn challenges, single use and short-lived; here so that any cloud process can finish a
      -- ceremony another began. A registration's names its guardian, a sign-in's none.
      CREATE TABLE parent_challenges (
        challenge   text COLLATE "C" PRIMARY KEY,
        purpose     text NOT NULL CHECK (purpose IN ('register', 'login')),
        facility_id text COLLATE "C",
        guardian_id text COLLATE "C",
        expires_at  timestamptz NOT NULL
      );
      CREATE INDEX parent_challenges_by_expiry ON parent_challenges (expires_at);
    `,
  },
  {
    version: 10,
    name: 'parent notices',
    sql: `
      -- Parents' absence and lateness notices (POST /parent/api/notices), in the facility's message
      -- order (seq) the hub fetches them by (GET /v1/hub/parent-messages?after=SEQ).
      CREATE TABLE parent_notices (
        facility_id text COLLATE "C" NOT NULL REFERENCES facilities (facility_id),
        seq         bigint NOT NULL CHECK (seq >= 1),
        id          uuid NOT NULL,
        guardian_id text COLLATE "C" NOT NULL,
        kind        text NOT NULL CHECK (kind IN ('absence', 'late')),
        -- JSON array of child ids.
        child_ids   text NOT NULL,
        -- First and last day, both included.
        date        date NOT NULL,
        until       date NOT NULL,
        reason      text NOT NULL,
        -- JSON array of symptoms, or NULL.
        symptoms    text,
        temperature double precision,
        note        text,
        arrive_at   text,
        sent_at     timestamptz NOT NULL,
        read_at     timestamptz,
        PRIMARY KEY (facility_id, id),
        UNIQUE (facility_id, seq)
      );
      CREATE INDEX parent_notices_by_guardian ON parent_notices (facility_id, guardian_id, until);
      CREATE INDEX parent_notices_by_until ON parent_notices (facility_id, until);
      -- The last seq given per facility. An insert locks its facility's row (INSERT … ON CONFLICT, then
      -- UPDATE … RETURNING) until it commits, so seq order is commit order within a facility: a plain
      -- sequence would let a reader of seq > N see N+2 committed before N+1 and skip N+1 for ever.
      CREATE TABLE parent_message_seq (
        facility_id text COLLATE "C" PRIMARY KEY REFERENCES facilities (facility_id),
        last_seq    bigint NOT NULL CHECK (last_seq >= 0)
      );
      -- The facility's cut-offs as its hub uploads them (PUT /v1/hub/parent-settings).
      CREATE TABLE parent_settings (
        facility_id    text COLLATE "C" PRIMARY KEY REFERENCES facilities (facility_id),
        version        integer NOT NULL CHECK (version >= 1),
        default_cutoff text NOT NULL,
        -- JSON object class id → HH:MM.
        class_cutoffs  text NOT NULL,
        hub_id         text NOT NULL,
        updated_at     timestamptz NOT NULL
      );
      -- Every parent action at the cloud: ids, codes and counts only, never names or secrets.
      CREATE TABLE parent_audit (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        facility_id text COLLATE "C" NOT NULL,
        at          timestamptz NOT NULL,
        guardian_id text COLLATE "C" NOT NULL,
        action      text NOT NULL,
        outcome     text NOT NULL CHECK (outcome IN ('ok', 'refused')),
        -- JSON object, or NULL.
        detail      text
      );
      CREATE INDEX parent_audit_by_facility ON parent_audit (facility_id, at);
    `,
  },
  {
    version: 11,
    name: 'parent push subscriptions',
    sql: `
      -- A parent's browser subscribed to Web Push (POST /parent/api/push/subscriptions): the push
      -- service's URL for it and its keys (base64url) to encrypt for it. An endpoint names one browser.
      CREATE TABLE parent_push_subscriptions (
        facility_id     text COLLATE "C" NOT NULL,
        guardian_id     text COLLATE "C" NOT NULL,
        endpoint        text COLLATE "C" NOT NULL,
        p256dh          text NOT NULL,
        auth            text NOT NULL,
        created_at      timestamptz NOT NULL,
        last_success_at timestamptz,
        -- Failed sends since the last success (a gone subscription, 404/410, is deleted instead).
        failures        integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
        PRIMARY KEY (facility_id, endpoint),
        FOREIGN KEY (facility_id, guardian_id) REFERENCES parent_guardians (facility_id, guardian_id)
      );
      CREATE INDEX parent_push_by_guardian ON parent_push_subscriptions (facility_id, guardian_id);
      -- The cloud's VAPID key pair (one row, base64url), made on first use: every cloud process signs
      -- with the same keys, so that a browser's subscription works whichever process sends.
      CREATE TABLE push_vapid (
        id          integer PRIMARY KEY CHECK (id = 1),
        public_key  text NOT NULL,
        private_key text NOT NULL,
        subject     text NOT NULL,
        created_at  timestamptz NOT NULL
      );
    `,
  },
  {
    version: 12,
    name: 'facility webhooks',
    sql: `
      -- A facility's outgoing webhook (docs/webhooks.md), as in the SQLite schema.
      CREATE TABLE facility_webhooks (
        facility_id     text COLLATE "C" PRIMARY KEY REFERENCES facilities (facility_id),
        url             text NOT NULL,
        -- The HMAC key as "genkan cloud webhook set" showed it: signing needs the key itself.
        secret          text NOT NULL,
        created_at      timestamptz NOT NULL,
        -- Events received at or after this instant are delivered: when the webhook was first set.
        since           timestamptz NOT NULL,
        -- Receipt position (received_at, id) of the last event a receiver acknowledged; NULL before.
        cursor_at       timestamptz,
        cursor_id       text COLLATE "C",
        -- The last event of a batch whose attempt failed: the retry sends the same events (same id).
        batch_end_at    timestamptz,
        batch_end_id    text COLLATE "C",
        attempts        integer NOT NULL CHECK (attempts >= 0),
        next_attempt_at timestamptz NOT NULL,
        last_attempt_at timestamptz,
        last_status     text,
        last_error      text,
        -- The delivery in progress: its lease's token and expiry (one process at a time).
        lease_owner     text,
        lease_until     timestamptz,
        CHECK ((cursor_at IS NULL) = (cursor_id IS NULL)),
        CHECK ((batch_end_at IS NULL) = (batch_end_id IS NULL))
      );
      CREATE INDEX facility_webhooks_by_due ON facility_webhooks (next_attempt_at);
    `,
  },
  {
    version: 13,
    name: 'pickup people, pickup plans, facility notices',
    sql: `
      -- Pickup people, pickup plans and facility notices, as in the SQLite schema. Plans and reads take
      -- their seq from parent_message_seq (the notices' counter) with its row locked, like notices.
      CREATE TABLE pickup_people (
        facility_id text COLLATE "C" NOT NULL REFERENCES facilities (facility_id),
        child_id    text COLLATE "C" NOT NULL,
        version     integer NOT NULL CHECK (version >= 1),
        -- JSON array of PickupPerson.
        people      text NOT NULL,
        hub_id      text NOT NULL,
        updated_at  timestamptz NOT NULL,
        PRIMARY KEY (facility_id, child_id)
      );
      CREATE TABLE parent_pickups (
        facility_id text COLLATE "C" NOT NULL REFERENCES facilities (facility_id),
        seq         bigint NOT NULL CHECK (seq >= 1),
        id          uuid NOT NULL,
        guardian_id text COLLATE "C" NOT NULL,
        -- JSON array of child ids.
        child_ids   text NOT NULL,
        date        date NOT NULL,
        time        text NOT NULL,
        -- JSON object {id, kind, name, relation}.
        person      text NOT NULL,
        note        text,
        sent_at     timestamptz NOT NULL,
        read_at     timestamptz,
        PRIMARY KEY (facility_id, id),
        UNIQUE (facility_id, seq)
      );
      CREATE INDEX parent_pickups_by_date ON parent_pickups (facility_id, date);
      CREATE TABLE facility_notices (
        facility_id  text COLLATE "C" NOT NULL REFERENCES facilities (facility_id),
        id           uuid NOT NULL,
        version      integer NOT NULL CHECK (version >= 1),
        title        text NOT NULL,
        body         text NOT NULL,
        -- JSON array of class ids, or NULL for every guardian.
        class_ids    text,
        published_at timestamptz NOT NULL,
        withdrawn    boolean NOT NULL,
        -- JSON array of guardian ids.
        guardian_ids text NOT NULL,
        pushed       boolean NOT NULL DEFAULT false,
        hub_id       text NOT NULL,
        updated_at   timestamptz NOT NULL,
        PRIMARY KEY (facility_id, id)
      );
      CREATE INDEX facility_notices_by_published ON facility_notices (facility_id, published_at);
      CREATE TABLE facility_notice_reads (
        facility_id text COLLATE "C" NOT NULL REFERENCES facilities (facility_id),
        notice_id   uuid NOT NULL,
        guardian_id text COLLATE "C" NOT NULL,
        read_at     timestamptz NOT NULL,
        seq         bigint NOT NULL CHECK (seq >= 1),
        PRIMARY KEY (facility_id, notice_id, guardian_id),
        UNIQUE (facility_id, seq)
      );
    `,
  },
];

/**
 * Applies the pending migrations in one transaction under MIGRATION_LOCK_KEY, recording each version in
 * schema_migrations. Several replicas starting at once queue on the lock; those after the first find
 * nothing to do. `client` must be a dedicated connection (not a pool): BEGIN and COMMIT must share it.
 * Returns the schema version after migrating.
 */
export async function migratePostgres(
  client: ClientBase,
  migrations: readonly PgMigration[] = pgCloudMigrations,
  targetVersion?: number,
): Promise<number> {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new GenkanError(
        'migration_order',
        `migration ${m.name} has version ${m.version}, expected ${i + 1}`,
      );
    }
  });
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    // Created under the lock: CREATE TABLE IF NOT EXISTS alone is not safe against a concurrent creator.
    await client.query(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const { rows } = await client.query<{ v: number }>(
      'SELECT coalesce(max(version), 0)::integer AS v FROM schema_migrations',
    );
    const current = rows[0]?.v ?? 0;
    if (current > migrations.length) {
      throw new GenkanError(
        'schema_too_new',
        `database schema version ${current} is newer than this program (${migrations.length}); upgrade Genkan`,
      );
    }
    let version = current;
    for (const m of migrations) {
      if (m.version <= current) continue;
      if (targetVersion !== undefined && m.version > targetVersion) break;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        m.version,
        m.name,
      ]);
      version = m.version;
    }
    await client.query('COMMIT');
    return version;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
