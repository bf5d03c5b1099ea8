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
  sampleVersion,
} from '../../test/contract/cloud-store.ts';
import { waitForLockWaiters, withClient } from '../../test/support/pg-client.ts';
import {
  NOT_DURABLE,
  openCloudPostgresEventStore,
  openCloudPostgresStore,
  type PostgresCloudStore,
} from './postgres.ts';

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

    it('records who uploaded each snapshot version and when, and which are legacy', async () => {
      const store = await openCloudPostgresStore(db.url, { clock: fixedClock('2026-04-01T09:00:00.000Z') });
      open.push(store);
      await store.addHub('hub-1', 'fac-a');
      await store.addHub('hub-2', 'fac-a');
      await store.putSnapshotVersion('fac-a', 'hub-1', sampleVersion(1, '0001-01-01'));
      await store.putSnapshotVersion('fac-a', 'hub-2', sampleVersion(2, '2026-05-01'));
      await store.putSnapshot('fac-a', 'hub-1', sampleSnapshot());
      const rows = await withClient(
        db.url,
        async (c) =>
          (
            await c.query<{
              version: string;
              effective_from: string;
              legacy: boolean;
              hub_id: string;
              received_at: Date;
            }>(
              'SELECT version, effective_from, legacy, hub_id, received_at FROM snapshot_versions ORDER BY version',
            )
          ).rows,
      );
      const at = new Date('2026-04-01T09:00:00.000Z');
      expect(rows).toStrictEqual([
        { version: '1', effective_from: '0001-01-01', legacy: false, hub_id: 'hub-1', received_at: at },
        { version: '2', effective_from: '2026-05-01', legacy: false, hub_id: 'hub-2', received_at: at },
        { version: '3', effective_from: '0001-01-01', legacy: true, hub_id: 'hub-1', received_at: at },
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
});
