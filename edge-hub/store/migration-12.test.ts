import { describe, expect, it } from 'vitest';
import { columns, tables } from '../../test/support/sqlite-schema.ts';
import { migrationDir } from '../../test/support/hub-database.ts';

describe('hub migration 12 (dated history)', () => {
  const hub = migrationDir();

  it('adds the history tables and seeds version 1 with the roster and rules as they are, for all days', () => {
    const db = hub.at(11);
    db.exec(`
      INSERT INTO meta (id, facility_id, facility_name, credential_key) VALUES (1, 'f1', 'ひまわり園', 'k');
      INSERT INTO classes (id, name, position) VALUES ('b', 'ばら', 1), ('a', 'あお', 0);
      INSERT INTO children (id, name, kana, class_id, care_type) VALUES
        ('c2', '鈴木 花', 'すずき はな', 'b', 'short'), ('c1', '佐藤 陽', 'さとう よう', 'a', 'standard');
      UPDATE facility_settings SET standard_end = '18:30', grace_minutes = 0;
    `);
    db.close();
    const up = hub.at(12);
    try {
      expect(tables(up)).toEqual(
        expect.arrayContaining(['snapshot_versions', 'roster_imports', 'corrections', 'month_closures']),
      );
      expect(columns(up, 'meta')).toContain('roster_materialised');
      expect(up.prepare('SELECT retention_years AS y FROM facility_settings').get()).toEqual({ y: 5 });
      expect(() => up.prepare('UPDATE facility_settings SET retention_years = 0').run()).toThrow(/CHECK/);
      const rows = up
        .prepare<
          [],
          { version: number; effective_from: string; content_json: string; relayed_at: string | null }
        >('SELECT version, effective_from, content_json, relayed_at FROM snapshot_versions')
        .all();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ version: 1, effective_from: '0001-01-01', relayed_at: null });
      expect(JSON.parse(rows[0]?.content_json ?? '')).toEqual({
        facilityName: 'ひまわり園',
        careBands: { standard: { start: '07:00', end: '18:30' }, short: { start: '08:30', end: '16:30' } },
        extendedCare: { graceMinutes: 0, roundingMinutes: 30, rounding: 'up' },
        classes: [
          { id: 'a', name: 'あお' },
          { id: 'b', name: 'ばら' },
        ],
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
          {
            id: 'c2',
            name: '鈴木 花',
            kana: 'すずき はな',
            classId: 'b',
            careType: 'short',
            enrolledOn: null,
            leftOn: null,
          },
        ],
        retentionYears: 5,
      });
      expect(() =>
        up
          .prepare(
            "INSERT INTO corrections (id, child_id, local_date, created_at, actor, actor_name, child_name, reason, before_json, after_json, event_ids_json, amendment) VALUES ('x','c1','2026-01-01','t','s','n','c','r','{}','{}','[]', 2)",
          )
          .run(),
      ).toThrow(/CHECK/);
    } finally {
      up.close();
    }
  });

  it('seeds an empty version on a new data directory (no facility row yet)', () => {
    const db = hub.at(12);
    try {
      const row = db
        .prepare<[], { content_json: string }>('SELECT content_json FROM snapshot_versions')
        .get();
      expect(JSON.parse(row?.content_json ?? '')).toMatchObject({
        facilityName: null,
        classes: [],
        children: [],
      });
    } finally {
      db.close();
    }
  });
});
