import { describe, expect, it } from 'vitest';
import { schemaVersion } from '../../common/sqlite.ts';
import { columns, tables } from '../../test/support/sqlite-schema.ts';
import { migrationDir } from '../../test/support/hub-database.ts';

/** Hub migration 16 (edge-hub/store/revocations.ts); the store's rules are tested in facility/revocation.test.ts. */
describe('hub migration 16', () => {
  const hub = migrationDir();

  it('adds the removed cards and the QR generations, keeping what was there', () => {
    const old = hub.at(15);
    const before = tables(old);
    old.prepare("INSERT INTO devices VALUES ('kiosk-1', 'kiosk', 'hash', 'now')").run();
    old.close();
    const db = hub.at(16);
    try {
      expect(schemaVersion(db)).toBe(16);
      expect(tables(db)).toEqual([...before, 'guardian_qr_generations', 'removed_cards'].sort());
      expect(columns(db, 'removed_cards')).toEqual(['hash', 'guardian_id', 'removed_at']);
      expect(columns(db, 'guardian_qr_generations')).toEqual(['guardian_id', 'generation', 'revoked_at']);
      // Generation 0 is "never revoked": it has no row.
      expect(() => db.prepare("INSERT INTO guardian_qr_generations VALUES ('g1', 0, 'now')").run()).toThrow(
        /CHECK/,
      );
      expect(db.prepare('SELECT id FROM devices').all()).toEqual([{ id: 'kiosk-1' }]);
    } finally {
      db.close();
    }
  });
});
