import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion, type Db } from '../../common/sqlite.ts';
import { sampleSnapshot } from '../../test/contract/cloud-store.ts';
import { legacySnapshotText } from '../../test/support/cloud-migrations.ts';
import { cloudMigrations } from './migrations.ts';
import { openCloudSqliteStore } from './sqlite.ts';

function tables(db: Db): string[] {
  return db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
    .all()
    .map((r) => r.name);
}

function columns(db: Db, table: string): string[] {
  return db
    .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}')`)
    .all()
    .map((r) => r.name);
}

describe('cloud migrations', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'genkan-cloud-migrations-'));
    file = join(dir, 'cloud.sqlite');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('are numbered 1, 2, … in order', () => {
    expect(cloudMigrations.map((m) => m.version)).toStrictEqual(cloudMigrations.map((_, i) => i + 1));
  });

  it('1 creates facilities and hubs', () => {
    const db = openDatabase(file, { migrations: cloudMigrations, targetVersion: 1 });
    expect(schemaVersion(db)).toBe(1);
    expect(tables(db)).toStrictEqual(['facilities', 'hubs']);
    expect(columns(db, 'hubs')).toStrictEqual([
      'hub_id',
      'facility_id',
      'token_hash',
      'created_at',
      'token_issued_at',
    ]);
    db.prepare("INSERT INTO facilities VALUES ('fac-a', 'Asia/Tokyo', '2026-04-01T00:00:00Z')").run();
    db.prepare("INSERT INTO hubs VALUES ('hub-1', 'fac-a', x'00', 'now', 'now')").run();
    // A hub must name a stored facility.
    expect(() => db.prepare("INSERT INTO hubs VALUES ('hub-2', 'fac-x', x'00', 'now', 'now')").run()).toThrow(
      /FOREIGN KEY/,
    );
    db.close();
  });

  it('2 adds events keyed per facility, keeping the rows of version 1', () => {
    const v1 = openDatabase(file, { migrations: cloudMigrations, targetVersion: 1 });
    v1.prepare("INSERT INTO facilities VALUES ('fac-a', 'Asia/Tokyo', '2026-04-01T00:00:00Z')").run();
    v1.prepare("INSERT INTO hubs VALUES ('hub-1', 'fac-a', x'00', 'now', 'now')").run();
    v1.close();

    const db = openDatabase(file, { migrations: cloudMigrations, targetVersion: 2 });
    expect(schemaVersion(db)).toBe(2);
    expect(tables(db)).toStrictEqual(['events', 'facilities', 'hubs']);
    expect(db.prepare('SELECT hub_id FROM hubs').all()).toStrictEqual([{ hub_id: 'hub-1' }]);
    const insert = db.prepare(
      `INSERT INTO events (facility_id, id, type, child_id, occurred_at, device_id, seq, method, actor, voids, note,
         occurred_ms, occurred_sub_ms, local_date, hub_id, received_at)
       VALUES (?, 'e1', 'check_in', 'c1', 't', 'd1', 1, 'card', NULL, NULL, NULL, 0, 0, '2026-04-01', 'hub-1', 'now')
       ON CONFLICT DO NOTHING`,
    );
    expect(insert.run('fac-a').changes).toBe(1);
    expect(insert.run('fac-a').changes).toBe(0);
    expect(() => insert.run('fac-x')).toThrow(/FOREIGN KEY/);
    const plan = db
      .prepare<[], { detail: string }>(
        "EXPLAIN QUERY PLAN SELECT id FROM events WHERE facility_id = 'fac-a' AND local_date = '2026-04-01' ORDER BY occurred_ms, occurred_sub_ms, device_id, seq",
      )
      .all()
      .map((r) => r.detail)
      .join('\n');
    expect(plan).toContain('events_by_day');
    db.close();
  });

  it('3 adds facility snapshots and a lookup of voids by voided event, keeping the rows of version 2', () => {
    const v2 = openDatabase(file, { migrations: cloudMigrations, targetVersion: 2 });
    v2.prepare("INSERT INTO facilities VALUES ('fac-a', 'Asia/Tokyo', '2026-04-01T00:00:00Z')").run();
    v2.prepare(
      `INSERT INTO events (facility_id, id, type, child_id, occurred_at, device_id, seq, method, actor, voids, note,
         occurred_ms, occurred_sub_ms, local_date, hub_id, received_at)
       VALUES ('fac-a', 'e1', 'check_in', 'c1', 't', 'd1', 1, 'card', NULL, NULL, NULL, 0, 0, '2026-04-01', 'hub-1', 'now')`,
    ).run();
    v2.close();

    const db = openDatabase(file, { migrations: cloudMigrations, targetVersion: 3 });
    expect(schemaVersion(db)).toBe(3);
    expect(tables(db)).toStrictEqual(['events', 'facilities', 'facility_snapshots', 'hubs']);
    expect(columns(db, 'facility_snapshots')).toStrictEqual([
      'facility_id',
      'snapshot',
      'hub_id',
      'updated_at',
    ]);
    expect(db.prepare('SELECT id FROM events').all()).toStrictEqual([{ id: 'e1' }]);
    const upsert = db.prepare(
      `INSERT INTO facility_snapshots VALUES (?, '{}', 'hub-1', 'now')
       ON CONFLICT (facility_id) DO UPDATE SET snapshot = '{"v":2}'`,
    );
    upsert.run('fac-a');
    upsert.run('fac-a');
    expect(db.prepare('SELECT snapshot FROM facility_snapshots').all()).toStrictEqual([
      { snapshot: '{"v":2}' },
    ]);
    // A snapshot must name a stored facility.
    expect(() => upsert.run('fac-x')).toThrow(/FOREIGN KEY/);
    const plan = db
      .prepare<[], { detail: string }>(
        `EXPLAIN QUERY PLAN SELECT v.id FROM events t JOIN events v ON v.facility_id = t.facility_id AND v.voids = t.id
         WHERE t.facility_id = 'fac-a' AND t.local_date BETWEEN '2026-04-01' AND '2026-04-30'
           AND v.voids IS NOT NULL`,
      )
      .all()
      .map((r) => r.detail)
      .join('\n');
    expect(plan).toContain('events_by_voided');
    expect(plan).toContain('events_by_day');
    db.close();
  });

  it('4 adds organisations, org tokens and hub rotation columns, keeping the rows of version 3', () => {
    const v3 = openDatabase(file, { migrations: cloudMigrations, targetVersion: 3 });
    v3.prepare("INSERT INTO facilities VALUES ('fac-a', 'Asia/Tokyo', '2026-04-01T00:00:00Z')").run();
    v3.prepare("INSERT INTO hubs VALUES ('hub-1', 'fac-a', x'00', 'now', 'now')").run();
    v3.close();

    const db = openDatabase(file, { migrations: cloudMigrations, targetVersion: 4 });
    expect(schemaVersion(db)).toBe(4);
    expect(tables(db)).toStrictEqual([
      'events',
      'facilities',
      'facility_snapshots',
      'hubs',
      'org_tokens',
      'organisations',
    ]);
    expect(columns(db, 'facilities')).toStrictEqual(['facility_id', 'time_zone', 'created_at', 'org_id']);
    expect(columns(db, 'hubs')).toStrictEqual([
      'hub_id',
      'facility_id',
      'token_hash',
      'created_at',
      'token_issued_at',
      'prev_token_hash',
      'prev_token_expires_at',
      'revoked_at',
      'last_relay_at',
    ]);
    // Existing facilities belong to no organisation; existing hubs keep their token, unrevoked.
    expect(db.prepare('SELECT facility_id, org_id FROM facilities').all()).toStrictEqual([
      { facility_id: 'fac-a', org_id: null },
    ]);
    expect(db.prepare('SELECT revoked_at, prev_token_hash FROM hubs').all()).toStrictEqual([
      { revoked_at: null, prev_token_hash: null },
    ]);
    expect(() => db.prepare("UPDATE facilities SET org_id = 'city-x'").run()).toThrow(/FOREIGN KEY/);
    db.prepare("INSERT INTO organisations VALUES ('city-a', '市A', 'now')").run();
    db.prepare("UPDATE facilities SET org_id = 'city-a'").run();
    const token = db.prepare("INSERT INTO org_tokens VALUES (?, ?, 'now')");
    token.run(Buffer.from([1]), 'city-a');
    expect(() => token.run(Buffer.from([1]), 'city-a')).toThrow(/UNIQUE/);
    expect(() => token.run(Buffer.from([2]), 'city-x')).toThrow(/FOREIGN KEY/);
    db.close();
  });

  it('5 adds the clock doubt of events, NULL for the rows of version 4, refusing unknown values', () => {
    const v4 = openDatabase(file, { migrations: cloudMigrations, targetVersion: 4 });
    v4.prepare("INSERT INTO facilities VALUES ('fac-a', 'Asia/Tokyo', '2026-04-01T00:00:00Z', NULL)").run();
    v4.prepare(
      `INSERT INTO events (facility_id, id, type, child_id, occurred_at, device_id, seq, method, actor, voids, note,
         occurred_ms, occurred_sub_ms, local_date, hub_id, received_at)
       VALUES ('fac-a', 'e1', 'check_in', 'c1', 't', 'd1', 1, 'card', NULL, NULL, NULL, 0, 0, '2026-04-01', 'hub-1', 'now')`,
    ).run();
    v4.close();

    const db = openDatabase(file, { migrations: cloudMigrations, targetVersion: 5 });
    expect(schemaVersion(db)).toBe(5);
    expect(columns(db, 'events')).toContain('clock_doubt');
    expect(db.prepare('SELECT id, clock_doubt FROM events').all()).toStrictEqual([
      { id: 'e1', clock_doubt: null },
    ]);
    const insert = db.prepare(
      `INSERT INTO events (facility_id, id, type, child_id, occurred_at, device_id, seq, method, actor, voids, note,
         clock_doubt, occurred_ms, occurred_sub_ms, local_date, hub_id, received_at)
       VALUES ('fac-a', ?, 'check_in', 'c1', 't', 'd1', 1, 'card', NULL, NULL, NULL, ?, 0, 0, '2026-04-01', 'hub-1', 'now')`,
    );
    insert.run('e2', 'unsynced');
    insert.run('e3', 'held_back');
    expect(() => insert.run('e4', 'guessed')).toThrow(/CHECK/);
    expect(db.prepare('SELECT id, clock_doubt FROM events ORDER BY id').all()).toStrictEqual([
      { id: 'e1', clock_doubt: null },
      { id: 'e2', clock_doubt: 'unsynced' },
      { id: 'e3', clock_doubt: 'held_back' },
    ]);
    db.close();
  });

  it('6 moves each single snapshot into version 1 for all days, and adds amendments', async () => {
    const old = legacySnapshotText();
    const v5 = openDatabase(file, { migrations: cloudMigrations, targetVersion: 5 });
    v5.prepare("INSERT INTO facilities VALUES ('fac-a', 'Asia/Tokyo', '2026-04-01T00:00:00Z', NULL)").run();
    v5.prepare("INSERT INTO facilities VALUES ('fac-b', 'Asia/Tokyo', '2026-04-01T00:00:00Z', NULL)").run();
    v5.prepare("INSERT INTO facility_snapshots VALUES ('fac-a', ?, 'hub-1', '2026-03-01T00:00:00.000Z')").run(
      old,
    );
    v5.close();

    const db = openDatabase(file, { migrations: cloudMigrations, targetVersion: 6 });
    expect(schemaVersion(db)).toBe(6);
    expect(tables(db)).toStrictEqual([
      'amendments',
      'events',
      'facilities',
      'hubs',
      'org_tokens',
      'organisations',
      'snapshot_versions',
    ]);
    expect(db.prepare('SELECT * FROM snapshot_versions').all()).toStrictEqual([
      {
        facility_id: 'fac-a',
        version: 1,
        effective_from: '0001-01-01',
        snapshot: old,
        legacy: 1,
        hub_id: 'hub-1',
        received_at: '2026-03-01T00:00:00.000Z',
      },
    ]);
    const version = db.prepare(
      `INSERT INTO snapshot_versions (facility_id, version, effective_from, snapshot, hub_id, received_at)
       VALUES (?, ?, '2026-04-01', '{}', 'hub-1', 'now')`,
    );
    version.run('fac-a', 2);
    expect(() => version.run('fac-a', 2)).toThrow(/UNIQUE/);
    expect(() => version.run('fac-a', 0)).toThrow(/CHECK/);
    expect(() => version.run('fac-x', 1)).toThrow(/FOREIGN KEY/);
    const amendment = db.prepare(
      `INSERT INTO amendments VALUES (?, 'corr-1', '2026-04-10', '2026-05-02T10:00:00+09:00', '{}', 'hub-1', 'now')`,
    );
    amendment.run('fac-a');
    expect(() => amendment.run('fac-a')).toThrow(/UNIQUE/);
    expect(() => amendment.run('fac-x')).toThrow(/FOREIGN KEY/);
    db.prepare('DELETE FROM snapshot_versions WHERE version = 2').run();
    db.close();

    // The migrated snapshot reads back with the fields added since at their defaults, for every day.
    const store = await openCloudSqliteStore(dir);
    try {
      expect(await store.getSnapshot('fac-a', '1999-01-01')).toStrictEqual(sampleSnapshot('fac-a'));
      expect(await store.ledgerVersions('fac-a', '2026-04-01', '2026-04-30')).toStrictEqual([
        { version: 1, effectiveFrom: '0001-01-01', snapshot: sampleSnapshot('fac-a') },
      ]);
    } finally {
      await store.close();
    }
  });

  it('refuses a database newer than the program', () => {
    const db = openDatabase(file, { migrations: cloudMigrations });
    db.pragma(`user_version = ${cloudMigrations.length + 1}`);
    db.close();
    expect(() => openDatabase(file, { migrations: cloudMigrations })).toThrow(
      expect.objectContaining({ code: 'schema_too_new' }),
    );
  });
});
