import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.ts';
import { openDatabase, type Db } from '../../common/sqlite.ts';
import { fixedClock } from '../../common/time.ts';
import {
  describeCloudStoreContract,
  REFUSAL_TEXT,
  sampleEvent,
  sampleSnapshot,
  sampleVersion,
} from '../../test/contract/cloud-store.ts';
import { cloudMigrations } from './migrations.ts';
import {
  CLOUD_DB_FILE,
  openCloudSqliteEventStore,
  openCloudSqliteStore,
  SqliteCloudStore,
} from './sqlite.ts';

const tempDir = () => mkdtemp(join(tmpdir(), 'genkan-cloud-store-'));

/** A second connection on the store's file, as another process would open it. */
function withConnection<T>(dir: string, work: (db: Db) => T): T {
  const db = new Database(join(dir, CLOUD_DB_FILE));
  try {
    return work(db);
  } finally {
    db.close();
  }
}

let refusals = 0;

describeCloudStoreContract('sqlite', async () => {
  const dir = await tempDir();
  // As openCloudSqliteStore opens it, but with a short busy timeout: failTransiently holds the write lock.
  const db = openDatabase(join(dir, CLOUD_DB_FILE), { migrations: cloudMigrations });
  db.pragma('busy_timeout = 100');
  const store = new SqliteCloudStore(db, silentLogger());
  return {
    store,
    refuseEvent: (eventId) => {
      refusals += 1;
      withConnection(dir, (c) =>
        c.exec(
          `CREATE TRIGGER refuse_${String(refusals)} BEFORE INSERT ON events
           WHEN NEW.id = '${eventId.replaceAll("'", "''")}'
           BEGIN SELECT RAISE(ABORT, '${REFUSAL_TEXT}'); END`,
        ),
      );
      return Promise.resolve();
    },
    failTransiently: () => {
      // Another writer holds the lock past the busy timeout: SQLITE_BUSY.
      const locker = new Database(join(dir, CLOUD_DB_FILE));
      locker.exec('BEGIN IMMEDIATE');
      return Promise.resolve(() => {
        locker.exec('ROLLBACK');
        locker.close();
        return Promise.resolve();
      });
    },
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('SQLite cloud store', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lives in DATA/cloud.sqlite, in WAL mode', async () => {
    const store = await openCloudSqliteStore(join(dir, 'nested'));
    await store.close();
    const file = join(dir, 'nested', CLOUD_DB_FILE);
    expect(existsSync(file)).toBe(true);
    const db = openDatabase(file, { migrations: [], readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('keeps committed events across a reopen, so a batch resent after a crash comes back as duplicates', async () => {
    const batch = [sampleEvent(), sampleEvent()];
    const first = await openCloudSqliteStore(dir);
    await first.addHub('hub-1', 'fac-a');
    await first.insertBatch('fac-a', 'hub-1', batch);
    await first.close();

    const second = await openCloudSqliteStore(dir);
    expect(await second.insertBatch('fac-a', 'hub-1', batch)).toStrictEqual({
      accepted: [],
      duplicates: batch.map((e) => e.id),
      rejected: [],
    });
    expect(await second.eventsOn('fac-a', '2026-04-01')).toStrictEqual(batch);
    await second.close();
  });

  it('sees a token added by another process on the same file at once (CLI next to a running server)', async () => {
    const server = await openCloudSqliteStore(dir);
    const cli = await openCloudSqliteStore(dir);
    const old = await cli.addHub('hub-1', 'fac-a');
    expect(await server.authenticateHub(old)).toStrictEqual({ hubId: 'hub-1', facilityId: 'fac-a' });
    const rotated = await cli.addHub('hub-1', 'fac-a');
    expect(await server.authenticateHub(old)).toBeUndefined();
    expect(await server.authenticateHub(rotated)).toBeDefined();
    await cli.close();
    await server.close();
  });

  it('records who uploaded each snapshot version and when, and which are legacy', async () => {
    const clock = fixedClock('2026-04-01T09:00:00.000Z');
    const store = await openCloudSqliteStore(dir, { clock });
    await store.addHub('hub-1', 'fac-a');
    await store.addHub('hub-2', 'fac-a');
    await store.putSnapshotVersion('fac-a', 'hub-1', sampleVersion(1, '0001-01-01'));
    await store.putSnapshotVersion('fac-a', 'hub-2', sampleVersion(2, '2026-05-01'));
    await store.putSnapshot('fac-a', 'hub-1', sampleSnapshot());
    await store.close();
    const db = openDatabase(join(dir, CLOUD_DB_FILE), { migrations: [], readonly: true });
    const at = '2026-04-01T09:00:00.000Z';
    expect(
      db
        .prepare(
          'SELECT version, effective_from, legacy, hub_id, received_at FROM snapshot_versions ORDER BY version',
        )
        .all(),
    ).toStrictEqual([
      { version: 1, effective_from: '0001-01-01', legacy: 0, hub_id: 'hub-1', received_at: at },
      { version: 2, effective_from: '2026-05-01', legacy: 0, hub_id: 'hub-2', received_at: at },
      { version: 3, effective_from: '0001-01-01', legacy: 1, hub_id: 'hub-1', received_at: at },
    ]);
    db.close();
  });

  it('rejects calls after close, and close is idempotent', async () => {
    const store = await openCloudSqliteStore(dir);
    await store.close();
    await store.close();
    await expect(store.countEvents()).rejects.toMatchObject({ code: 'store_closed' });
  });

  it('serves one facility as an EventStore (openCloudSqliteEventStore)', async () => {
    const events = await openCloudSqliteEventStore(dir, 'fac-a', 'Asia/Tokyo');
    const a = sampleEvent();
    const b = sampleEvent({ occurredAt: '2026-04-01T07:00:00+09:00' });
    expect(await events.insertEvents([a, b, a])).toStrictEqual({
      inserted: [a.id, b.id],
      duplicates: [a.id],
    });
    expect(await events.eventsOn('2026-04-01')).toStrictEqual([b, a]);
    expect(await events.countEvents()).toBe(2);
    await events.close();

    await expect(openCloudSqliteEventStore(dir, 'fac-a', 'Europe/Paris')).rejects.toMatchObject({
      code: 'time_zone_mismatch',
    });
    const store = await openCloudSqliteStore(dir);
    expect(await store.countEvents('fac-a')).toBe(2);
    await store.close();
  });
});
