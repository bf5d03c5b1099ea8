import type { Db, Migration } from '../../common/sqlite.ts';
import { newCardHashScheme, slowCardHashSync } from '../../protocol/index.ts';

/**
 * Slow card hashes (protocol/credentials.ts cardHash): the facility gets a scheme (scrypt cost and salt) in
 * meta.card_hash_scheme, and every stored card hash, an HMAC until now, becomes scrypt(HMAC) in place —
 * no card number is needed, because the new hash wraps the old one. Where card hashes live: the live
 * roster (credentials), the cards enrolled at kiosks (enrolled_credentials), the removed cards
 * (removed_cards, migration 16), the dated roster history (roster_imports.roster_json) and the audit
 * entries that name one (`credentialHash` in before/after).
 * The roster version moves on so that kiosks take the new hashes together with the scheme.
 *
 * One scrypt per distinct hash (~30 ms each): a few seconds for a facility's cards, once. A new database
 * has no facility row yet: init gives it a scheme (edge-hub/store/facility.ts).
 */
export function cardHashMigration(version: number): Migration {
  return {
    version,
    name: 'slow card hashes',
    up: (db) => {
      db.exec('ALTER TABLE meta ADD COLUMN card_hash_scheme TEXT');
      if (db.prepare('SELECT 1 FROM meta WHERE id = 1').get() === undefined) return;
      const scheme = newCardHashScheme();
      // Within this migration only: the same card is in the live roster and in every import.
      const done = new Map<string, string>();
      const slow = (hmac: string): string => {
        let hash = done.get(hmac);
        if (hash === undefined) {
          hash = slowCardHashSync(hmac, scheme);
          done.set(hmac, hash);
        }
        return hash;
      };
      rehashColumn(db, 'credentials', slow);
      rehashColumn(db, 'enrolled_credentials', slow);
      rehashColumn(db, 'removed_cards', slow);
      rehashImports(db, slow);
      rehashAudit(db, slow);
      db.prepare(
        'UPDATE meta SET card_hash_scheme = ?, roster_version = roster_version + 1 WHERE id = 1',
      ).run(JSON.stringify(scheme));
    },
  };
}

/** A table whose `hash` column (its primary key) holds card hashes. */
function rehashColumn(db: Db, table: string, slow: (hmac: string) => string): void {
  const hashes = db
    .prepare<[], { hash: string }>(`SELECT hash FROM ${table}`)
    .all()
    .map((r) => r.hash);
  const update = db.prepare(`UPDATE ${table} SET hash = ? WHERE hash = ?`);
  for (const hash of hashes) update.run(slow(hash), hash);
}

interface StoredImport {
  guardians?: { credentials?: unknown }[];
}

function rehashImports(db: Db, slow: (hmac: string) => string): void {
  const rows = db
    .prepare<[], { id: number; roster_json: string }>('SELECT id, roster_json FROM roster_imports')
    .all();
  const update = db.prepare('UPDATE roster_imports SET roster_json = ? WHERE id = ?');
  for (const row of rows) {
    const roster = JSON.parse(row.roster_json) as StoredImport;
    for (const g of roster.guardians ?? []) {
      if (Array.isArray(g.credentials)) {
        g.credentials = (g.credentials as unknown[]).map((c) => (typeof c === 'string' ? slow(c) : c));
      }
    }
    update.run(JSON.stringify(roster), row.id);
  }
}

/** Audit entries name a card by `credentialHash` (enrolment, its removal): kept findable by the new hash. */
function rehashAudit(db: Db, slow: (hmac: string) => string): void {
  for (const column of ['before_json', 'after_json'] as const) {
    const rows = db
      .prepare<[], { id: number; json: string }>(
        `SELECT id, ${column} AS json FROM audit_log WHERE ${column} LIKE '%"credentialHash"%'`,
      )
      .all();
    const update = db.prepare(`UPDATE audit_log SET ${column} = ? WHERE id = ?`);
    for (const row of rows) {
      const value = JSON.parse(row.json) as unknown;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
      const entry = value as Record<string, unknown>;
      const hash = entry.credentialHash;
      if (typeof hash !== 'string') continue;
      update.run(JSON.stringify({ ...entry, credentialHash: slow(hash) }), row.id);
    }
  }
}
