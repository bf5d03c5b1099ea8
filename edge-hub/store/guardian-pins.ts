import type { Db, Migration } from '../../common/sqlite.ts';
import type { Clock } from '../../common/time.ts';

/**
 * Guardians' kiosk PINs (table guardian_pins): salted scrypt hashes only, kept apart from the roster
 * tables (like enrolled cards) so that a roster re-import keeps them. A PIN of a guardian the roster no
 * longer lists stays stored but is not shipped; it comes back if the guardian does.
 */
export interface GuardianPinStore {
  /** guardian id → PIN hash, for every guardian with a PIN. */
  all(): Map<string, string>;
  has(guardianId: string): boolean;
  /**
   * Sets (or with null, clears) a guardian's PIN hash and bumps the roster version so kiosks reload;
   * within the caller's transaction. Returns whether a PIN was set before.
   */
  set(guardianId: string, hash: string | null): boolean;
}

/** Hub migration adding guardian_pins (listed in migrations.ts). */
export const guardianPinsMigration = (version: number): Migration => ({
  version,
  name: 'guardian kiosk PINs',
  up: (db) => {
    db.exec(`
      CREATE TABLE guardian_pins (
        guardian_id TEXT PRIMARY KEY NOT NULL,
        pin_hash TEXT NOT NULL,
        -- UTC ISO 8601
        set_at TEXT NOT NULL
      ) STRICT;
    `);
  },
});

export class SqliteGuardianPinStore implements GuardianPinStore {
  readonly #db: Db;
  readonly #clock: Clock;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  all(): Map<string, string> {
    const rows = this.#db
      .prepare<[], { guardian_id: string; pin_hash: string }>(
        'SELECT guardian_id, pin_hash FROM guardian_pins ORDER BY guardian_id',
      )
      .all();
    return new Map(rows.map((r) => [r.guardian_id, r.pin_hash]));
  }

  has(guardianId: string): boolean {
    return (
      this.#db
        .prepare<[string], { n: number }>('SELECT 1 AS n FROM guardian_pins WHERE guardian_id = ?')
        .get(guardianId) !== undefined
    );
  }

  set(guardianId: string, hash: string | null): boolean {
    const had = this.has(guardianId);
    if (hash === null) {
      this.#db.prepare('DELETE FROM guardian_pins WHERE guardian_id = ?').run(guardianId);
    } else {
      this.#db
        .prepare(
          `INSERT INTO guardian_pins (guardian_id, pin_hash, set_at) VALUES (?, ?, ?)
           ON CONFLICT (guardian_id) DO UPDATE SET pin_hash = excluded.pin_hash, set_at = excluded.set_at`,
        )
        .run(guardianId, hash, this.#clock.now().toISOString());
    }
    if (had || hash !== null) {
      this.#db.prepare('UPDATE meta SET roster_version = roster_version + 1 WHERE id = 1').run();
    }
    return had;
  }
}
