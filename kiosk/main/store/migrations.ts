import type { Migration } from '../../../common/sqlite.ts';
import { pinLockoutsMigration } from './guardian-pin-lockouts.ts';

export const kioskMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'outbox and meta',
    up: (db) => {
      db.exec(`
        CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) STRICT;
        CREATE TABLE outbox (
          id TEXT PRIMARY KEY NOT NULL,
          seq INTEGER NOT NULL,
          device_id TEXT NOT NULL,
          child_id TEXT NOT NULL,
          type TEXT NOT NULL,
          occurred_at TEXT NOT NULL,
          occurred_ms INTEGER NOT NULL,
          payload TEXT NOT NULL,
          created_at TEXT NOT NULL,
          acked_at TEXT,
          rejected_code TEXT,
          rejected_message TEXT
        ) STRICT;
        -- The resend queue: small, read oldest first on every (re)connect.
        CREATE INDEX outbox_pending ON outbox (seq) WHERE acked_at IS NULL AND rejected_code IS NULL;
        CREATE INDEX outbox_child_day ON outbox (child_id, occurred_ms);
        CREATE INDEX outbox_occurred ON outbox (occurred_ms);
      `);
    },
  },
  {
    version: 2,
    name: 'roster and roll-call cache',
    up: (db) => {
      // Keyed by facility: a kiosk moved to another facility never reads the old one's roster.
      db.exec(`
        CREATE TABLE roster_cache (
          facility_id TEXT PRIMARY KEY NOT NULL,
          version INTEGER NOT NULL,
          json TEXT NOT NULL,
          received_at TEXT NOT NULL
        ) STRICT;
        CREATE TABLE rollcall_cache (
          facility_id TEXT PRIMARY KEY NOT NULL,
          date TEXT NOT NULL,
          json TEXT NOT NULL,
          received_at TEXT NOT NULL
        ) STRICT;
      `);
    },
  },
  pinLockoutsMigration(3),
];
