import type { Db, Migration } from '../../../common/sqlite.ts';

/** Wrong guardian PINs at this kiosk, per guardian: counted on disk so a restart does not reset them. */
export interface PinLockout {
  /** Wrong PINs in a row since the last right one or lockout. */
  failures: number;
  /** ms since 1970 until which the guardian's PIN is refused here; null when not locked. */
  lockedUntil: number | null;
}

export interface PinLockoutStore {
  get(guardianId: string): PinLockout | undefined;
  /** Every guardian with a lockout running at `now` (ms) → its end. */
  lockedAt(now: number): Map<string, number>;
  /** Records the state, or with undefined forgets the guardian (a right PIN). */
  set(guardianId: string, value: PinLockout | undefined): void;
}

/** Kiosk migration adding guardian_pin_lockouts (listed in migrations.ts). */
export const pinLockoutsMigration = (version: number): Migration => ({
  version,
  name: 'guardian PIN lockouts',
  up: (db) => {
    db.exec(`
      CREATE TABLE guardian_pin_lockouts (
        guardian_id TEXT PRIMARY KEY NOT NULL,
        failures INTEGER NOT NULL,
        locked_until INTEGER
      ) STRICT;
    `);
  },
});

export class SqlitePinLockoutStore implements PinLockoutStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  get(guardianId: string): PinLockout | undefined {
    const row = this.#db
      .prepare<[string], { failures: number; locked_until: number | null }>(
        'SELECT failures, locked_until FROM guardian_pin_lockouts WHERE guardian_id = ?',
      )
      .get(guardianId);
    return row && { failures: row.failures, lockedUntil: row.locked_until };
  }

  lockedAt(now: number): Map<string, number> {
    const rows = this.#db
      .prepare<[number], { guardian_id: string; locked_until: number }>(
        'SELECT guardian_id, locked_until FROM guardian_pin_lockouts WHERE locked_until > ?',
      )
      .all(now);
    return new Map(rows.map((r) => [r.guardian_id, r.locked_until]));
  }

  set(guardianId: string, value: PinLockout | undefined): void {
    if (value === undefined) {
      this.#db.prepare('DELETE FROM guardian_pin_lockouts WHERE guardian_id = ?').run(guardianId);
      return;
    }
    this.#db
      .prepare(
        `INSERT INTO guardian_pin_lockouts (guardian_id, failures, locked_until) VALUES (?, ?, ?)
         ON CONFLICT (guardian_id) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until`,
      )
      .run(guardianId, value.failures, value.lockedUntil);
  }
}
