import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeEventStoreContract } from '../../test/contract/event-store.ts';
import { describeOnPostgres } from '../../test/support/cloud.ts';
import type { TestDatabase } from '../../test/support/postgres.ts';
import { fixedClock } from '../../common/time.ts';
import {
  describeCloudStoreContract,
  REFUSAL_TEXT,
  sampleEvent,
  sampleSnapshot,
} from '../../test/contract/cloud-store.ts';
import { until } from '../../test/support/wait.ts';
import { MIGRATION_LOCK_KEY, migratePostgres, pgCloudMigrations } from './pg-migrations.ts';
import {
  NOT_DURABLE,
  openCloudPostgresEventStore,
  openCloudPostgresStore,
  type PostgresCloudStore,
} from './postgres.ts';

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Polls until `count` backends of the database wait on a lock (heavyweight or advisory). */
async function waitForLockWaiters(url: string, count: number, locktype: string): Promise<void> {
  await withClient(url, (c) =>
    until(
      async () => {
        const { rows } = await c.query<{ n: number }>(
          `SELECT count(*)::integer AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
           WHERE NOT l.granted AND l.locktype = $1 AND d.datname = current_database()`,
          [locktype],
        );
        return (rows[0]?.n ?? 0) >= count;
      },
      `${count} backends waiting on a ${locktype} lock`,
      { intervalMs: 20 },
    ),
  );
}

let refusals = 0;
const TRANSIENT = 'fail_every_insert';

/**
 * A trigger making the database refuse inserts of the event `eventId` (or of every event, when null)
 * with `sqlstate`, as the database refuses a value it cannot hold (class 22) or fails on its own (40001).
 */
async function refuseEvent(c: pg.Client, eventId: string | null, sqlstate: string): Promise<void> {
  refusals += 1;
  const name = eventId === null ? TRANSIENT : `refuse_${String(refusals)}`;
  const condition = eventId === null ? 'true' : `NEW.id = ${pg.escapeLiteral(eventId)}`;
  await c.query(`
    CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF ${condition} THEN
        RAISE EXCEPTION '${REFUSAL_TEXT}' USING ERRCODE = '${sqlstate}';
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER ${name} BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION ${name}();`);
}

describeOnPostgres('PostgreSQL', (postgres) => {
  describeCloudStoreContract('postgres', async () => {
    const db = await postgres.server.createDatabase();
    const store = await openCloudPostgresStore(db.url);
    return {
      store,
      refuseEvent: (eventId) => withClient(db.url, (c) => refuseEvent(c, eventId, '22000')),
      failTransiently: async () => {
        // serialization_failure on every insert: what a SERIALIZABLE database answers under contention,
        // still failing after the store's retries.
        await withClient(db.url, (c) => refuseEvent(c, null, '40001'));
        return async () => {
          await withClient(db.url, (c) => c.query(`DROP TRIGGER ${TRANSIENT} ON events`));
        };
      },
      cleanup: async () => {
        await store.close();
        await db.drop();
      },
    };
  });

  describeEventStoreContract('cloud (PostgreSQL)', async () => {
    const db = await postgres.server.createDatabase();
    return { open: () => openCloudPostgresEventStore(db.url, 'f1', 'Asia/Tokyo'), cleanup: () => db.drop() };
  });

  describe('PostgreSQL cloud store', () => {
    let db: TestDatabase;
    const open: PostgresCloudStore[] = [];
    const openStore = async (): Promise<PostgresCloudStore> => {
      const store = await openCloudPostgresStore(db.url);
      open.push(store);
      return store;
    };
    beforeEach(async () => {
      db = await postgres.server.createDatabase();
    });
    afterEach(async () => {
      for (const store of open.splice(0)) await store.close();
      await db.drop();
    });

    it('keeps committed events across a reopen, so a batch resent after a crash comes back as duplicates', async () => {
      const batch = [sampleEvent(), sampleEvent()];
      const first = await openStore();
      await first.addHub('hub-1', 'fac-a');
      await first.insertBatch('fac-a', 'hub-1', batch);
      await first.close();

      const second = await openStore();
      expect(await second.insertBatch('fac-a', 'hub-1', batch)).toStrictEqual({
        accepted: [],
        duplicates: batch.map((e) => e.id),
        rejected: [],
      });
      expect(await second.eventsOn('fac-a', '2026-04-01')).toStrictEqual(batch);
    });

    it('sees a token added or rotated by another process at once (CLI next to a running server)', async () => {
      const relay = await openStore();
      const cli = await openStore();
      const old = await cli.addHub('hub-1', 'fac-a');
      expect(await relay.authenticateHub(old)).toStrictEqual({ hubId: 'hub-1', facilityId: 'fac-a' });
      const rotated = await cli.addHub('hub-1', 'fac-a');
      expect(await relay.authenticateHub(old)).toBeUndefined();
      expect(await relay.authenticateHub(rotated)).toBeDefined();
    });

    it('records who uploaded the snapshot and when', async () => {
      const store = await openCloudPostgresStore(db.url, { clock: fixedClock('2026-04-01T09:00:00.000Z') });
      open.push(store);
      await store.addHub('hub-1', 'fac-a');
      await store.addHub('hub-2', 'fac-a');
      await store.putSnapshot('fac-a', 'hub-1', sampleSnapshot());
      await store.putSnapshot('fac-a', 'hub-2', sampleSnapshot());
      const rows = await withClient(
        db.url,
        async (c) =>
          (
            await c.query<{ facility_id: string; hub_id: string; updated_at: Date }>(
              'SELECT facility_id, hub_id, updated_at FROM facility_snapshots',
            )
          ).rows,
      );
      expect(rows).toStrictEqual([
        { facility_id: 'fac-a', hub_id: 'hub-2', updated_at: new Date('2026-04-01T09:00:00.000Z') },
      ]);
    });

    it('finds the voids of a range through the voided-event index', async () => {
      const store = await openStore();
      await store.addHub('hub-1', 'fac-a');
      await withClient(db.url, async (c) => {
        await c.query('SET enable_seqscan = off');
        const plan = await c.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN SELECT v.id FROM events t JOIN events v
             ON v.facility_id = t.facility_id AND (v.voids COLLATE "C") = t.id
           WHERE t.facility_id = 'fac-a' AND t.local_date BETWEEN '2026-04-01' AND '2026-04-30'
             AND v.voids IS NOT NULL`,
        );
        expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('events_by_voided');
      });
    });

    it('rejects calls after close, and close is idempotent', async () => {
      const store = await openStore();
      await store.close();
      await store.close();
      await expect(store.countEvents()).rejects.toMatchObject({ code: 'store_closed' });
    });

    it('orders devices bytewise, as SQLite does, whatever the database collation', async () => {
      const store = await openStore();
      await store.addHub('hub-1', 'fac-a');
      const at = '2026-04-01T08:00:00+09:00';
      const lower = sampleEvent({ occurredAt: at, deviceId: 'a' });
      const upper = sampleEvent({ occurredAt: at, deviceId: 'B' });
      const underscore = sampleEvent({ occurredAt: at, deviceId: '_z' });
      await store.insertBatch('fac-a', 'hub-1', [lower, underscore, upper]);
      expect(await store.eventsOn('fac-a', '2026-04-01')).toStrictEqual([upper, underscore, lower]);
    });

    it('commits durably: synchronous_commit is on, and a database with it off is refused', async () => {
      const store = await openStore();
      expect(
        await withClient(
          db.url,
          async (c) => (await c.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows,
        ),
      ).toStrictEqual([{ synchronous_commit: 'on' }]);
      await store.close();
      await withClient(db.url, (c) =>
        c.query(
          `ALTER DATABASE ${pg.escapeIdentifier(new URL(db.url).pathname.slice(1))} SET synchronous_commit = off`,
        ),
      );
      await expect(openCloudPostgresStore(db.url)).rejects.toMatchObject({ code: NOT_DURABLE });
    });

    it('stores a batch sent by two processes at the same time once: one side accepted, the other duplicates', async () => {
      const a = await openStore();
      const b = await openStore();
      await a.addHub('hub-1', 'fac-a');
      const batch = Array.from({ length: 50 }, () => sampleEvent());
      // Holding SHARE on events queues both inserts behind it, so that they really run at the same time.
      const result = await withClient(db.url, async (blocker) => {
        await blocker.query('BEGIN');
        await blocker.query('LOCK TABLE events IN SHARE MODE');
        const both = Promise.all([
          a.insertBatch('fac-a', 'hub-1', batch),
          b.insertBatch('fac-a', 'hub-1', batch),
        ]);
        await waitForLockWaiters(db.url, 2, 'relation');
        await blocker.query('COMMIT');
        return both;
      });
      const all = { accepted: batch.map((e) => e.id), duplicates: [], rejected: [] };
      const none = { accepted: [], duplicates: batch.map((e) => e.id), rejected: [] };
      expect([result[0], result[1]]).toSatisfy(
        ([x, y]: typeof result) =>
          (JSON.stringify(x) === JSON.stringify(all) && JSON.stringify(y) === JSON.stringify(none)) ||
          (JSON.stringify(x) === JSON.stringify(none) && JSON.stringify(y) === JSON.stringify(all)),
      );
      expect(await a.countEvents('fac-a')).toBe(batch.length);
      expect(await b.eventsOn('fac-a', '2026-04-01')).toStrictEqual(batch);
    });

    it('stores overlapping batches sent concurrently in different orders exactly once, without deadlock', async () => {
      const stores = [await openStore(), await openStore(), await openStore()];
      await stores[0]?.addHub('hub-1', 'fac-a');
      const events = Array.from({ length: 300 }, () => sampleEvent());
      const shuffled = (list: typeof events) =>
        list
          .map((e) => ({ e, r: Math.random() }))
          .sort((x, y) => x.r - y.r)
          .map(({ e }) => e);
      for (let round = 0; round < 5; round++) {
        const slice = events.slice(round * 60, round * 60 + 120);
        const results = await Promise.all(
          stores.map((s) => s.insertBatch('fac-a', 'hub-1', shuffled(slice))),
        );
        const accepted = results.flatMap((r) => r.accepted);
        // Every id of the round accepted by exactly one call, unless an earlier round stored it.
        expect(new Set(accepted).size).toBe(accepted.length);
        for (const r of results) expect(r.accepted.length + r.duplicates.length).toBe(slice.length);
      }
      expect(await stores[1]?.countEvents('fac-a')).toBe(events.length);
    });

    it('creates a facility once when several processes add hubs to it at the same time', async () => {
      const stores = await Promise.all([1, 2, 3, 4].map(() => openStore()));
      const tokens = await Promise.all(stores.map((s, i) => s.addHub(`hub-${i}`, 'fac-new', 'Europe/Paris')));
      for (const [i, token] of tokens.entries()) {
        expect(await stores[0]?.authenticateHub(token)).toStrictEqual({
          hubId: `hub-${i}`,
          facilityId: 'fac-new',
        });
      }
      expect(await Promise.all(stores.map((s) => s.ensureFacility('fac-new')))).toStrictEqual(
        stores.map(() => ({ facilityId: 'fac-new', timeZone: 'Europe/Paris' })),
      );
    });

    it('refuses what PostgreSQL cannot hold (NUL in a note, a business date past 9999) as store_error, storing the rest', async () => {
      const store = await openStore();
      await store.addHub('hub-1', 'fac-a');
      const good = sampleEvent();
      const nul = sampleEvent({ note: 'before\u0000after' });
      // 10000-01-01 in Tokyo: beyond what PostgreSQL's date input reads as written.
      const farFuture = sampleEvent({ occurredAt: '9999-12-31T15:00:00Z' });
      const storeError = (id: string) => ({ id, code: 'store_error', message: expect.any(String) as string });
      expect(await store.insertBatch('fac-a', 'hub-1', [nul, good, farFuture])).toStrictEqual({
        accepted: [good.id],
        duplicates: [],
        rejected: [storeError(nul.id), storeError(farFuture.id)],
      });
      expect(await store.eventsOn('fac-a', '2026-04-01')).toStrictEqual([good]);
      expect(await store.countEvents('fac-a')).toBe(1);
    });

    it('fails the call on a transient error met on the way one by one, storing nothing', async () => {
      const store = await openStore();
      await store.addHub('hub-1', 'fac-a');
      const batch = [sampleEvent(), sampleEvent(), sampleEvent()];
      const [poison, contended] = [...batch].sort((a, b) => (a.id < b.id ? -1 : 1));
      if (poison === undefined || contended === undefined) throw new Error('three events expected');
      await withClient(db.url, async (c) => {
        // Id order is insert order: the refusal comes first and sends the store down the one-by-one path.
        await refuseEvent(c, poison.id, '22000');
        await c.query(`
          CREATE FUNCTION contend() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF NEW.id = ${pg.escapeLiteral(contended.id)} THEN
              RAISE EXCEPTION 'could not serialize' USING ERRCODE = '40001';
            END IF;
            RETURN NEW;
          END $$;
          CREATE TRIGGER contend BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION contend();`);
      });
      await expect(store.insertBatch('fac-a', 'hub-1', batch)).rejects.toMatchObject({ code: '40001' });
      expect(await store.countEvents('fac-a')).toBe(0);
    });

    it('fails the call when the connection is lost mid-insert, and stores the batch when resent', async () => {
      const store = await openStore();
      await store.addHub('hub-1', 'fac-a');
      const batch = [sampleEvent(), sampleEvent()];
      await withClient(db.url, (c) =>
        c.query(`
          CREATE FUNCTION hang_up() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            PERFORM pg_terminate_backend(pg_backend_pid());
            RETURN NEW;
          END $$;
          CREATE TRIGGER hang_up BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION hang_up();`),
      );
      await expect(store.insertBatch('fac-a', 'hub-1', batch)).rejects.toThrow();
      await withClient(db.url, (c) => c.query('DROP TRIGGER hang_up ON events'));
      expect(await store.insertBatch('fac-a', 'hub-1', batch)).toStrictEqual({
        accepted: batch.map((e) => e.id),
        duplicates: [],
        rejected: [],
      });
    });

    it('serves one facility as an EventStore (openCloudPostgresEventStore)', async () => {
      const events = await openCloudPostgresEventStore(db.url, 'fac-a', 'Asia/Tokyo');
      const a = sampleEvent();
      const b = sampleEvent({ occurredAt: '2026-04-01T07:00:00+09:00' });
      expect(await events.insertEvents([a, b, a])).toStrictEqual({
        inserted: [a.id, b.id],
        duplicates: [a.id],
      });
      expect(await events.eventsOn('2026-04-01')).toStrictEqual([b, a]);
      await events.close();
      await expect(openCloudPostgresEventStore(db.url, 'fac-a', 'Europe/Paris')).rejects.toMatchObject({
        code: 'time_zone_mismatch',
      });
      expect(await (await openStore()).countEvents('fac-a')).toBe(2);
    });
  });

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
