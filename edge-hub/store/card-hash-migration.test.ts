import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { schemaVersion } from '../../common/sqlite.ts';
import {
  CARD_HASH_COST,
  credentialHash,
  credentialLookupHash,
  generateQrKeyPair,
  RosterSchema,
  slowCardHashSync,
} from '../../protocol/index.ts';
import { columns } from '../../test/support/sqlite-schema.ts';
import { migrationDir } from '../../test/support/hub-database.ts';
import { cardCredentialOf } from '../facility/card-hash.ts';
import { rosterMessage } from '../facility/roster.ts';
import { HubStore } from './hub-store.ts';
import { hubMigrations } from './migrations.ts';

const KEY = Buffer.alloc(32, 3).toString('base64');
const v1 = (uid: string): string => credentialHash(KEY, { kind: 'card', value: uid });
/** g1's card from the roster file, g2's enrolled at a kiosk, and a card removed from g1. */
const FILE_CARD = '04a23b4c';
const ENROLLED_CARD = '0102030405060708';
const REMOVED_CARD = 'aabbccdd';

function datedRoster(cards: string[]): string {
  return JSON.stringify({
    classes: [{ id: 'a', name: 'あお' }],
    children: [
      {
        id: 'c1',
        name: '佐藤 陽',
        kana: 'さとう よう',
        classId: 'a',
        careType: 'standard',
        enrolledOn: null,
        leftOn: null,
      },
    ],
    guardians: [
      { id: 'g1', name: '佐藤 花', childIds: ['c1'], credentials: cards.map(v1) },
      { id: 'g2', name: '佐藤 空', childIds: ['c1'], credentials: [] },
    ],
  });
}

describe('hub migration 17 (slow card hashes)', () => {
  const hub = migrationDir();

  it('turns every stored HMAC card hash into scrypt(HMAC), and the old cards still match at a kiosk', async () => {
    // A hub of version 16 with v1 hashes wherever card hashes live.
    const db = hub.at(16);
    const qr = generateQrKeyPair();
    db.prepare(
      `INSERT INTO meta (id, facility_id, facility_name, credential_key, roster_version, qr_private_key,
         qr_public_key) VALUES (1, 'f1', 'ひまわり園', ?, 4, ?, ?)`,
    ).run(KEY, qr.privateKey, qr.publicKey);
    db.exec(`
      INSERT INTO classes (id, name, position) VALUES ('a', 'あお', 0);
      INSERT INTO children (id, name, kana, class_id) VALUES ('c1', '佐藤 陽', 'さとう よう', 'a');
      INSERT INTO guardians (id, name) VALUES ('g1', '佐藤 花'), ('g2', '佐藤 空');
      INSERT INTO guardian_children (guardian_id, child_id) VALUES ('g1', 'c1'), ('g2', 'c1');
    `);
    db.prepare("INSERT INTO credentials (hash, guardian_id) VALUES (?, 'g1')").run(v1(FILE_CARD));
    db.prepare(
      `INSERT INTO enrolled_credentials (hash, guardian_id, device_id, staff_id, enrolled_at)
       VALUES (?, 'g2', 'k1', NULL, '2026-04-01T00:00:00.000Z')`,
    ).run(v1(ENROLLED_CARD));
    db.prepare(
      "INSERT INTO removed_cards (hash, guardian_id, removed_at) VALUES (?, 'g1', '2026-04-02T00:00:00.000Z')",
    ).run(v1(REMOVED_CARD));
    const insImport = db.prepare(
      "INSERT INTO roster_imports (id, effective_from, imported_at, roster_json) VALUES (?, ?, '2026-04-01T00:00:00.000Z', ?)",
    );
    insImport.run(1, '0000-01-01', datedRoster([FILE_CARD, REMOVED_CARD]));
    insImport.run(2, '2026-04-01', datedRoster([FILE_CARD]));
    const insAudit = db.prepare(
      `INSERT INTO audit_log (at, actor_kind, actor_id, action, subject, device_id, outcome, before_json, after_json)
       VALUES ('2026-04-01T00:00:00.000Z', 'device', 'k1', ?, 'guardian:g2', 'k1', 'ok', ?, ?)`,
    );
    insAudit.run('credential.enroll', null, JSON.stringify({ credentialHash: v1(ENROLLED_CARD) }));
    insAudit.run(
      'card.remove',
      JSON.stringify({ credentialHash: v1(REMOVED_CARD), from: ['roster_file'] }),
      null,
    );
    insAudit.run('roster.import', null, JSON.stringify({ guardians: 2 }));
    db.close();

    const store = HubStore.open(hub.dir);
    try {
      const meta = store.facility.meta();
      expect(meta.cardHash).toMatchObject({ alg: 'scrypt-hmac-sha256', ...CARD_HASH_COST });
      expect(Buffer.from(meta.cardHash.salt, 'base64')).toHaveLength(16);
      // Kiosks are sent the new hashes with the scheme: the roster moves on.
      expect(meta.rosterVersion).toBe(5);
      const slow = (uid: string): string => slowCardHashSync(v1(uid), meta.cardHash);
      const raw = store.db;
      expect(schemaVersion(raw)).toBe(hubMigrations.length);
      expect(columns(raw, 'meta')).toContain('card_hash_scheme');
      expect(raw.prepare('SELECT hash FROM credentials').all()).toEqual([{ hash: slow(FILE_CARD) }]);
      expect(store.roster.enrolledCredentials().map((e) => e.hash)).toEqual([slow(ENROLLED_CARD)]);
      expect(store.revocations.isRemoved(slow(REMOVED_CARD))).toBe(true);
      expect(store.revocations.isRemoved(v1(REMOVED_CARD))).toBe(false);
      expect(store.history.imports().map((i) => i.roster.guardians[0]?.credentials)).toEqual([
        [slow(FILE_CARD), slow(REMOVED_CARD)],
        [slow(FILE_CARD)],
      ]);
      const audit = store.audit.all();
      expect(audit.map((a) => [a.before, a.after])).toEqual([
        [null, { credentialHash: slow(ENROLLED_CARD) }],
        [{ credentialHash: slow(REMOVED_CARD), from: ['roster_file'] }, null],
        [null, { guardians: 2 }],
      ]);
      // No v1 hash is left anywhere in the database file's tables.
      const dump = JSON.stringify(
        ['credentials', 'enrolled_credentials', 'removed_cards', 'roster_imports', 'audit_log'].map((t) =>
          raw.prepare(`SELECT * FROM ${t}`).all(),
        ),
      );
      for (const uid of [FILE_CARD, ENROLLED_CARD, REMOVED_CARD]) expect(dump).not.toContain(v1(uid));

      // A kiosk computes what the roster says: the cards hashed before the migration still match.
      const roster = RosterSchema.parse(rosterMessage('f1', meta, store.roster.read()));
      expect(roster.cardHash).toEqual(meta.cardHash);
      const holder = async (uid: string): Promise<string | undefined> => {
        const hash = await credentialLookupHash(roster, { kind: 'card', value: uid });
        return roster.guardians.find((g) => g.credentials.includes(hash))?.id;
      };
      expect(await holder(FILE_CARD)).toBe('g1');
      expect(await holder(ENROLLED_CARD)).toBe('g2');
      expect(await holder(REMOVED_CARD)).toBeUndefined();
      // The hub's own card hash (genkan card remove) is the same.
      expect(await cardCredentialOf(store, '04:A2:3B:4C')).toBe(slow(FILE_CARD));
    } finally {
      store.close();
    }
  });

  it('leaves a new database to init, which gives the facility its own scheme', () => {
    const a = HubStore.open(hub.dir);
    const other = join(hub.dir, 'other');
    const b = HubStore.open(other);
    try {
      expect(a.facility.meta().cardHash).toMatchObject(CARD_HASH_COST);
      // Version 0: nothing was migrated, so there is nothing new for kiosks.
      expect(a.facility.meta().rosterVersion).toBe(0);
      expect(a.facility.meta().cardHash.salt).not.toBe(b.facility.meta().cardHash.salt);
    } finally {
      a.close();
      b.close();
    }
  });
});
