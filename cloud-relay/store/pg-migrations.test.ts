import type pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleSnapshot } from '../../test/contract/cloud-store.ts';
import { describeOnPostgres } from '../../test/support/cloud.ts';
import { legacySnapshotText } from '../../test/support/cloud-migrations.ts';
import { waitForLockWaiters, withClient } from '../../test/support/pg-client.ts';
import type { TestDatabase } from '../../test/support/postgres.ts';
import { MIGRATION_LOCK_KEY, migratePostgres, pgCloudMigrations } from './pg-migrations.ts';
import { openCloudPostgresStore } from './postgres.ts';

describeOnPostgres('PostgreSQL', (postgres) => {
  describe('PostgreSQL migrations', () => {
    let db: TestDatabase;
    beforeEach(async () => {
      db = await postgres.server.createDatabase();
    });
    afterEach(async () => {
      await db.drop();
    });

    const tables = (c: pg.Client) =>
      c
        .query<{ name: string }>(
          "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
        )
        .then((r) => r.rows.map((row) => row.name));
    const versions = (c: pg.Client) =>
      c
        .query<{ version: number; applied_at: Date }>(
          'SELECT version, applied_at FROM schema_migrations ORDER BY 1',
        )
        .then((r) => r.rows);

    it('are numbered 1, 2, … in order', () => {
      expect(pgCloudMigrations.map((m) => m.version)).toStrictEqual(pgCloudMigrations.map((_, i) => i + 1));
    });

    it('1 creates facilities and hubs, a hub naming a stored facility', async () => {
      await withClient(db.url, async (c) => {
        expect(await migratePostgres(c, pgCloudMigrations, 1)).toBe(1);
        expect(await tables(c)).toStrictEqual(['facilities', 'hubs', 'schema_migrations']);
        await c.query("INSERT INTO facilities VALUES ('fac-a', 'Asia/Tokyo', now())");
        await c.query("INSERT INTO hubs VALUES ('hub-1', 'fac-a', '\\x00', now(), now())");
        await expect(
          c.query("INSERT INTO hubs VALUES ('hub-2', 'fac-x', '\\x00', now(), now())"),
        ).rejects.toThrow(/foreign key/);
      });
    });

    it('2 adds events keyed per facility, keeping the rows of version 1', async () => {
      await withClient(db.url, async (c) => {
        await migratePostgres(c, pgCloudMigrations, 1);
        await c.query("INSERT INTO facilities VALUES ('fac-a', 'Asia/Tokyo', now())");
        await c.query("INSERT INTO hubs VALUES ('hub-1', 'fac-a', '\\x00', now(), now())");
        expect(await migratePostgres(c, pgCloudMigrations, 2)).toBe(2);
        expect(await tables(c)).toStrictEqual(['events', 'facilities', 'hubs', 'schema_migrations']);
        expect((await c.query('SELECT hub_id FROM hubs')).rows).toStrictEqual([{ hub_id: 'hub-1' }]);
        const insert = (facility: string) =>
          c.query(
            `INSERT INTO events (facility_id, id, type, child_id, occurred_at, device_id, seq, method, actor, voids,
               note, occurred_ms, occurred_sub_ms, local_date, hub_id, received_at)
             VALUES ($1, 'e1', 'check_in', 'c1', 't', 'd1', 1, 'card', NULL, NULL, NULL, 0, 0, '2026-04-01',
               'hub-1', now())
             ON CONFLICT DO NOTHING`,
            [facility],
          );
        expect((await insert('fac-a')).rowCount).toBe(1);
        expect((await insert('fac-a')).rowCount).toBe(0);
        await expect(insert('fac-x')).rejects.toThrow(/foreign key/);
        await c.query('SET enable_seqscan = off');
        const plan = await c.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN SELECT id FROM events WHERE facility_id = 'fac-a' AND local_date = '2026-04-01'
           ORDER BY occurred_ms, occurred_sub_ms, device_id, seq`,
        );
        expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('events_by_day');
      });
    });

    it('3 adds facility snapshots and a lookup of voids by voided event, keeping the rows of version 2', async () => {
      await withClient(db.url, async (c) => {
        await migratePostgres(c, pgCloudMigrations, 2);
        await c.query("INSERT INTO facilities VALUES ('fac-a', 'Asia/Tokyo', now())");
        await c.query(
          `INSERT INTO events (facility_id, id, type, child_id, occurred_at, device_id, seq, method, actor, voids,
             note, occurred_ms, occurred_sub_ms, local_date, hub_id, received_at)
           VALUES ('fac-a', 'e1', 'check_in', 'c1', 't', 'd1', 1, 'card', NULL, NULL, NULL, 0, 0, '2026-04-01',
             'hub-1', now())`,
        );
        expect(await migratePostgres(c, pgCloudMigrations, 3)).toBe(3);
        expect(await tables(c)).toStrictEqual([
          'events',
          'facilities',
          'facility_snapshots',
          'hubs',
          'schema_migrations',
        ]);
        expect((await c.query('SELECT id FROM events')).rows).toStrictEqual([{ id: 'e1' }]);
        const upsert = (facility: string, text: string) =>
          c.query(
            `INSERT INTO facility_snapshots VALUES ($1, $2, 'hub-1', now())
             ON CONFLICT (facility_id) DO UPDATE SET snapshot = EXCLUDED.snapshot`,
            [facility, text],
          );
        await upsert('fac-a', '{}');
        await upsert('fac-a', '{"v":2}');
        expect((await c.query('SELECT snapshot FROM facility_snapshots')).rows).toStrictEqual([
          { snapshot: '{"v":2}' },
        ]);
        await expect(upsert('fac-x', '{}')).rejects.toThrow(/foreign key/);
        const indexes = await c.query<{ indexname: string }>(
          "SELECT indexname FROM pg_indexes WHERE tablename = 'events' ORDER BY 1",
        );
        expect(indexes.rows.map((r) => r.indexname)).toContain('events_by_voided');
      });
    });

    it('4 adds organisations, org tokens and hub rotation columns, keeping the rows of version 3', async () => {
      await withClient(db.url, async (c) => {
        await migratePostgres(c, pgCloudMigrations, 3);
        await c.query("INSERT INTO facilities VALUES ('fac-a', 'Asia/Tokyo', now())");
        await c.query("INSERT INTO hubs VALUES ('hub-1', 'fac-a', '\\x00', now(), now())");
        expect(await migratePostgres(c, pgCloudMigrations, 4)).toBe(4);
        expect(await tables(c)).toStrictEqual([
          'events',
          'facilities',
          'facility_snapshots',
          'hubs',
          'org_tokens',
          'organisations',
          'schema_migrations',
        ]);
        // Existing facilities belong to no organisation; existing hubs keep their token, unrevoked.
        expect((await c.query('SELECT facility_id, org_id FROM facilities')).rows).toStrictEqual([
          { facility_id: 'fac-a', org_id: null },
        ]);
        expect(
          (await c.query('SELECT hub_id, prev_token_hash, revoked_at, last_relay_at FROM hubs')).rows,
        ).toStrictEqual([{ hub_id: 'hub-1', prev_token_hash: null, revoked_at: null, last_relay_at: null }]);
        await expect(c.query("UPDATE facilities SET org_id = 'city-x'")).rejects.toThrow(/foreign key/);
        await c.query("INSERT INTO organisations VALUES ('city-a', '市A', now())");
        await c.query("UPDATE facilities SET org_id = 'city-a'");
        await c.query("INSERT INTO org_tokens VALUES ('\\x01', 'city-a', now())");
        await expect(c.query("INSERT INTO org_tokens VALUES ('\\x01', 'city-a', now())")).rejects.toThrow(
          /duplicate key/,
        );
        await expect(c.query("INSERT INTO org_tokens VALUES ('\\x02', 'city-x', now())")).rejects.toThrow(
          /foreign key/,
        );
      });
    });

    it('5 adds the clock doubt of events, NULL for the rows of version 4, refusing unknown values', async () => {
      await withClient(db.url, async (c) => {
        await migratePostgres(c, pgCloudMigrations, 4);
        await c.query("INSERT INTO facilities VALUES ('fac-a', 'Asia/Tokyo', now())");
        await c.query(
          `INSERT INTO events (facility_id, id, type, child_id, occurred_at, device_id, seq, method, actor, voids,
             note, occurred_ms, occurred_sub_ms, local_date, hub_id, received_at)
           VALUES ('fac-a', 'e1', 'check_in', 'c1', 't', 'd1', 1, 'card', NULL, NULL, NULL, 0, 0, '2026-04-01',
             'hub-1', now())`,
        );
        expect(await migratePostgres(c, pgCloudMigrations, 5)).toBe(5);
        expect((await c.query('SELECT id, clock_doubt FROM events')).rows).toStrictEqual([
          { id: 'e1', clock_doubt: null },
        ]);
        const insert = (id: string, doubt: string) =>
          c.query(
            `INSERT INTO events (facility_id, id, type, child_id, occurred_at, device_id, seq, method, actor,
               voids, note, clock_doubt, occurred_ms, occurred_sub_ms, local_date, hub_id, received_at)
             VALUES ('fac-a', $1, 'check_in', 'c1', 't', 'd1', 1, 'card', NULL, NULL, NULL, $2, 0, 0,
               '2026-04-01', 'hub-1', now())`,
            [id, doubt],
          );
        await insert('e2', 'unsynced');
        await insert('e3', 'held_back');
        // A check violation is SQLSTATE class 23: the store refuses such an event alone (store_error).
        await expect(insert('e4', 'guessed')).rejects.toMatchObject({ code: '23514' });
        expect((await c.query('SELECT id, clock_doubt FROM events ORDER BY id')).rows).toStrictEqual([
          { id: 'e1', clock_doubt: null },
          { id: 'e2', clock_doubt: 'unsynced' },
          { id: 'e3', clock_doubt: 'held_back' },
        ]);
      });
    });

    it('6 moves each single snapshot into version 1 for all days, and adds amendments', async () => {
      const old = legacySnapshotText();
      await withClient(db.url, async (c) => {
        await migratePostgres(c, pgCloudMigrations, 5);
        await c.query("INSERT INTO facilities VALUES ('fac-a', 'Asia/Tokyo', now(), NULL)");
        await c.query("INSERT INTO facilities VALUES ('fac-b', 'Asia/Tokyo', now(), NULL)");
        await c.query(
          "INSERT INTO facility_snapshots VALUES ('fac-a', $1, 'hub-1', '2026-03-01T00:00:00Z')",
          [old],
        );
        expect(await migratePostgres(c, pgCloudMigrations, 6)).toBe(6);
        expect(await tables(c)).toStrictEqual([
          'amendments',
          'events',
          'facilities',
          'hubs',
          'org_tokens',
          'organisations',
          'schema_migrations',
          'snapshot_versions',
        ]);
        expect(
          (
            await c.query(
              'SELECT facility_id, version, effective_from, snapshot, legacy, hub_id, received_at FROM snapshot_versions',
            )
          ).rows,
        ).toStrictEqual([
          {
            facility_id: 'fac-a',
            version: '1',
            effective_from: '0001-01-01',
            snapshot: old,
            legacy: true,
            hub_id: 'hub-1',
            received_at: new Date('2026-03-01T00:00:00Z'),
          },
        ]);
        const version = (facility: string, v: number) =>
          c.query(
            `INSERT INTO snapshot_versions (facility_id, version, effective_from, snapshot, hub_id, received_at)
             VALUES ($1, $2, '2026-04-01', '{}', 'hub-1', now())`,
            [facility, v],
          );
        await version('fac-a', 2);
        await expect(version('fac-a', 2)).rejects.toThrow(/duplicate key/);
        await expect(version('fac-a', 0)).rejects.toThrow(/check constraint/);
        await expect(version('fac-x', 1)).rejects.toThrow(/foreign key/);
        const amendment = (facility: string) =>
          c.query(
            `INSERT INTO amendments VALUES ($1, 'corr-1', '2026-04-10', '2026-05-02T10:00:00+09:00', '{}', 'hub-1',
               now())`,
            [facility],
          );
        await amendment('fac-a');
        await expect(amendment('fac-a')).rejects.toThrow(/duplicate key/);
        await expect(amendment('fac-x')).rejects.toThrow(/foreign key/);
        await c.query('DELETE FROM snapshot_versions WHERE version = 2');
      });
      // The migrated snapshot reads back with the fields added since at their defaults, for every day.
      const store = await openCloudPostgresStore(db.url);
      try {
        expect(await store.getSnapshot('fac-a', '1999-01-01')).toStrictEqual(sampleSnapshot('fac-a'));
        expect(await store.ledgerVersions('fac-a', '2026-04-01', '2026-04-30')).toStrictEqual([
          { version: 1, effectiveFrom: '0001-01-01', snapshot: sampleSnapshot('fac-a') },
        ]);
      } finally {
        await store.close();
      }
    });

    it('records each version once; reopening is a no-op', async () => {
      const first = await openCloudPostgresStore(db.url);
      await first.close();
      const before = await withClient(db.url, versions);
      expect(before.map((v) => v.version)).toStrictEqual(pgCloudMigrations.map((m) => m.version));
      const second = await openCloudPostgresStore(db.url);
      await second.close();
      expect(await withClient(db.url, versions)).toStrictEqual(before);
    });

    it('migrates once when several replicas open a fresh database at the same time', async () => {
      // Holding the migration lock makes all four opens queue on it, then run one after another.
      const stores = await withClient(db.url, async (holder) => {
        await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        const opening = Promise.all([1, 2, 3, 4].map(() => openCloudPostgresStore(db.url)));
        await waitForLockWaiters(db.url, 4, 'advisory');
        await holder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
        return opening;
      });
      for (const store of stores) await store.close();
      expect((await withClient(db.url, versions)).map((v) => v.version)).toStrictEqual(
        pgCloudMigrations.map((m) => m.version),
      );
    });

    it('survives an unorchestrated race of opens on a fresh database', async () => {
      const stores = await Promise.all(Array.from({ length: 8 }, () => openCloudPostgresStore(db.url)));
      for (const store of stores) await store.close();
      expect((await withClient(db.url, versions)).map((v) => v.version)).toStrictEqual(
        pgCloudMigrations.map((m) => m.version),
      );
    });

    it('applies a run of migrations all or nothing', async () => {
      const broken = [
        ...pgCloudMigrations,
        { version: pgCloudMigrations.length + 1, name: 'broken', sql: 'SELECT no_such_column' },
      ];
      await withClient(db.url, async (c) => {
        await expect(migratePostgres(c, broken)).rejects.toThrow(/no_such_column/);
        expect(await tables(c)).toStrictEqual([]);
      });
    });

    it('refuses a database newer than the program', async () => {
      await (await openCloudPostgresStore(db.url)).close();
      await withClient(db.url, (c) =>
        c.query("INSERT INTO schema_migrations (version, name) VALUES ($1, 'from the future')", [
          pgCloudMigrations.length + 1,
        ]),
      );
      await expect(openCloudPostgresStore(db.url)).rejects.toMatchObject({ code: 'schema_too_new' });
    });
  });
});
