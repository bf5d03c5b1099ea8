import type { Db, Migration } from '../../common/sqlite.ts';
import type { Clock } from '../../common/time.ts';
import { decodeStoredJson } from '../../protocol/decode.ts';
import { DatedRosterSchema } from './history.ts';

/** Where a guardian's card comes from: the roster file (an import) or an enrolment at a kiosk. */
export type CardSource = 'roster_file' | 'enrolled';

/** One card of a guardian as the admin app lists it: its keyed hash, never the card number. */
export interface GuardianCard {
  hash: string;
  source: CardSource;
  /** When it was enrolled at a kiosk; null for a card of the roster file. */
  enrolledAt: string | null;
}

export interface RemovedCard {
  guardianId: string;
  /** Where it was found: the live roster file's cards, enrolments, the roster imports of the history. */
  removedFrom: (CardSource | 'roster_history')[];
}

/**
 * Revocations (tables removed_cards, guardian_qr_generations): cards taken away from their guardian, and
 * each guardian's QR generation (protocol/qr.ts). Both change what kiosks accept, so each change bumps the
 * roster version. Card hashes only, never card numbers.
 */
export interface RevocationStore {
  /** The cards of a guardian on the live roster (file and enrolled), by hash. */
  cardsOf(guardianId: string): GuardianCard[];
  /**
   * Takes a card (its keyed hash) away from whoever holds it, within the caller's transaction: the live
   * roster's file cards, enrolments, and every roster import of the dated history (so that a scheduled
   * import or the calendar does not bring it back), and remembers it removed so that a later import of a
   * file that still lists it leaves it out (edge-hub/store/roster.ts replaceRoster). Undefined when no
   * guardian holds it (nothing changes).
   */
  removeCard(hash: string): RemovedCard | undefined;
  /** Whether the card was removed (and not enrolled again since). */
  isRemoved(hash: string): boolean;
  /** The guardian's QR generation: 0 until their codes are first revoked. */
  qrGeneration(guardianId: string): number;
  /** guardian id → QR generation, for every guardian whose codes were ever revoked. */
  qrGenerations(): Map<string, number>;
  /** Moves the guardian's QR generation on (every code issued so far is refused); returns the new one. */
  revokeQr(guardianId: string): number;
}

/** Hub migration adding the revocation tables (listed in migrations.ts). */
export const revocationsMigration = (version: number): Migration => ({
  version,
  name: 'revoked cards and QR generations',
  up: (db) => {
    // No foreign keys to guardians: a roster import replaces every guardian row, and both must outlive it.
    db.exec(`
      CREATE TABLE removed_cards (
        hash TEXT PRIMARY KEY NOT NULL,
        guardian_id TEXT NOT NULL,
        -- UTC ISO 8601
        removed_at TEXT NOT NULL
      ) STRICT;
      CREATE TABLE guardian_qr_generations (
        guardian_id TEXT PRIMARY KEY NOT NULL,
        generation INTEGER NOT NULL CHECK (generation >= 1),
        -- UTC ISO 8601: the last revocation
        revoked_at TEXT NOT NULL
      ) STRICT;
    `);
  },
});

export class SqliteRevocationStore implements RevocationStore {
  readonly #db: Db;
  readonly #clock: Clock;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  cardsOf(guardianId: string): GuardianCard[] {
    // As the live roster reads them (store/roster.ts read): the file wins a card both name.
    return this.#db
      .prepare<[string, string], GuardianCard>(
        `SELECT hash, 'roster_file' AS source, NULL AS enrolledAt FROM credentials WHERE guardian_id = ?
         UNION ALL
         SELECT e.hash, 'enrolled' AS source, e.enrolled_at AS enrolledAt FROM enrolled_credentials e
          WHERE e.guardian_id = ? AND NOT EXISTS (SELECT 1 FROM credentials c WHERE c.hash = e.hash)
         ORDER BY hash`,
      )
      .all(guardianId, guardianId);
  }

  removeCard(hash: string): RemovedCard | undefined {
    const db = this.#db;
    const removedFrom: RemovedCard['removedFrom'] = [];
    let guardianId =
      db
        .prepare<[string], { guardian_id: string }>('SELECT guardian_id FROM credentials WHERE hash = ?')
        .get(hash)?.guardian_id ??
      db
        .prepare<[string], { guardian_id: string }>(
          `SELECT guardian_id FROM enrolled_credentials
            WHERE hash = ? AND guardian_id IN (SELECT id FROM guardians)`,
        )
        .get(hash)?.guardian_id;
    if (db.prepare('DELETE FROM credentials WHERE hash = ?').run(hash).changes > 0) {
      removedFrom.push('roster_file');
    }
    if (db.prepare('DELETE FROM enrolled_credentials WHERE hash = ?').run(hash).changes > 0) {
      removedFrom.push('enrolled');
    }
    // The dated history: an import that takes effect later (or the calendar) must not bring it back.
    const update = db.prepare('UPDATE roster_imports SET roster_json = ? WHERE id = ?');
    let inHistory = false;
    for (const row of db
      .prepare<[], { id: number; roster_json: string }>('SELECT id, roster_json FROM roster_imports')
      .all()) {
      const roster = decodeStoredJson(DatedRosterSchema, row.roster_json);
      const holder = roster.guardians.find((g) => g.credentials.includes(hash));
      if (holder === undefined) continue;
      guardianId ??= holder.id;
      inHistory = true;
      const guardians = roster.guardians.map((g) =>
        g === holder ? { ...g, credentials: g.credentials.filter((c) => c !== hash) } : g,
      );
      update.run(JSON.stringify({ ...roster, guardians }), row.id);
    }
    if (guardianId === undefined) return undefined;
    if (inHistory && removedFrom.length === 0) removedFrom.push('roster_history');
    db.prepare(
      `INSERT INTO removed_cards (hash, guardian_id, removed_at) VALUES (?, ?, ?)
       ON CONFLICT (hash) DO UPDATE SET guardian_id = excluded.guardian_id, removed_at = excluded.removed_at`,
    ).run(hash, guardianId, this.#clock.now().toISOString());
    this.#bumpRosterVersion();
    return { guardianId, removedFrom };
  }

  isRemoved(hash: string): boolean {
    return this.#db.prepare('SELECT 1 FROM removed_cards WHERE hash = ?').get(hash) !== undefined;
  }

  qrGeneration(guardianId: string): number {
    return (
      this.#db
        .prepare<[string], { generation: number }>(
          'SELECT generation FROM guardian_qr_generations WHERE guardian_id = ?',
        )
        .get(guardianId)?.generation ?? 0
    );
  }

  qrGenerations(): Map<string, number> {
    const rows = this.#db
      .prepare<[], { guardian_id: string; generation: number }>(
        'SELECT guardian_id, generation FROM guardian_qr_generations ORDER BY guardian_id',
      )
      .all();
    return new Map(rows.map((r) => [r.guardian_id, r.generation]));
  }

  revokeQr(guardianId: string): number {
    this.#db
      .prepare(
        `INSERT INTO guardian_qr_generations (guardian_id, generation, revoked_at) VALUES (?, 1, ?)
         ON CONFLICT (guardian_id) DO UPDATE SET generation = generation + 1, revoked_at = excluded.revoked_at`,
      )
      .run(guardianId, this.#clock.now().toISOString());
    this.#bumpRosterVersion();
    return this.qrGeneration(guardianId);
  }

  #bumpRosterVersion(): void {
    this.#db.prepare('UPDATE meta SET roster_version = roster_version + 1 WHERE id = 1').run();
  }
}
