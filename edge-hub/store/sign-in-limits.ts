import type { Db, Migration } from '../../common/sqlite.ts';

/** One staff id's failed sign-ins as stored (instants UTC ISO 8601, so that text order is time order). */
export interface SignInFailures {
  failures: number;
  lastFailedAt: string;
  /** Until when every sign-in of this id is refused (429); null before the back-off starts. */
  blockedUntil: string | null;
}

/**
 * Failed PIN sign-ins per staff id (table staff_sign_in_failures), kept in the database so that a restart
 * of the hub does not reset the back-off (edge-hub/access/sign-in-backoff.ts holds the policy). Ids that
 * are not staff are counted too: answering unknown ids differently would tell which ids exist.
 */
export interface SignInLimitStore {
  failures(staffId: string): SignInFailures | undefined;
  /** Stores the count after one more failure; forgets rows failed last before `forgetBefore`, and keeps at most `maxRows`. */
  recordFailure(staffId: string, state: SignInFailures, forgetBefore: string, maxRows: number): void;
  /** A right PIN after the wait: the count starts again. */
  clear(staffId: string): void;
  /** Staff accounts of role admin whose PIN is known to be shorter than an admin's minimum. */
  adminsWithShortPin(): string[];
  /** Records whether a staff account's PIN is shorter than an admin's minimum (known at set-up and sign-in). */
  setPinShort(staffId: string, short: boolean): void;
}

/** Hub migration 15: the sign-in back-off, and which accounts' PINs are short (listed in migrations.ts). */
export const signInLimitsMigration = (version: number): Migration => ({
  version,
  name: 'staff sign-in back-off, short admin PINs',
  up: (db) => {
    db.exec(`
      CREATE TABLE staff_sign_in_failures (
        staff_id TEXT PRIMARY KEY NOT NULL,
        failures INTEGER NOT NULL CHECK (failures > 0),
        -- UTC ISO 8601
        last_failed_at TEXT NOT NULL,
        blocked_until TEXT
      ) STRICT;
      CREATE INDEX staff_sign_in_failures_last ON staff_sign_in_failures (last_failed_at);
      -- 1: the PIN is shorter than an admin's minimum (6); NULL: not known (set before the rule, not
      -- signed in since). A PIN's length cannot be read from its hash: it is learnt when it is typed.
      ALTER TABLE staff ADD COLUMN pin_short INTEGER CHECK (pin_short IN (0, 1));
    `);
  },
});

export class SqliteSignInLimitStore implements SignInLimitStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  failures(staffId: string): SignInFailures | undefined {
    return this.#db
      .prepare<[string], SignInFailures>(
        `SELECT failures, last_failed_at AS lastFailedAt, blocked_until AS blockedUntil
           FROM staff_sign_in_failures WHERE staff_id = ?`,
      )
      .get(staffId);
  }

  recordFailure(staffId: string, state: SignInFailures, forgetBefore: string, maxRows: number): void {
    this.#db.transaction(() => {
      this.#db
        .prepare(
          `INSERT INTO staff_sign_in_failures (staff_id, failures, last_failed_at, blocked_until)
           VALUES (?, ?, ?, ?)
           ON CONFLICT (staff_id) DO UPDATE SET failures = excluded.failures,
             last_failed_at = excluded.last_failed_at, blocked_until = excluded.blocked_until`,
        )
        .run(staffId, state.failures, state.lastFailedAt, state.blockedUntil);
      // Bounded: a spray of made-up ids cannot grow the table without end.
      this.#db
        .prepare(
          `DELETE FROM staff_sign_in_failures WHERE last_failed_at < ?
              OR staff_id IN (SELECT staff_id FROM staff_sign_in_failures
                               ORDER BY last_failed_at DESC LIMIT -1 OFFSET ?)`,
        )
        .run(forgetBefore, maxRows);
    })();
  }

  clear(staffId: string): void {
    this.#db.prepare('DELETE FROM staff_sign_in_failures WHERE staff_id = ?').run(staffId);
  }

  adminsWithShortPin(): string[] {
    return this.#db
      .prepare<[], { id: string }>(
        "SELECT id FROM staff WHERE role = 'admin' AND pin_short = 1 AND disabled = 0 ORDER BY id",
      )
      .all()
      .map((r) => r.id);
  }

  setPinShort(staffId: string, short: boolean): void {
    this.#db.prepare('UPDATE staff SET pin_short = ? WHERE id = ?').run(short ? 1 : 0, staffId);
  }
}
