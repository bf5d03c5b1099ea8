import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, type TestOptions } from 'vitest';
import { silentLogger } from '../../common/logger.ts';
import { startCloud, type CloudOptions, type CloudServer } from '../../cloud-relay/server.ts';
import type { CloudStoreLocation } from '../../cloud-relay/store/location.ts';
import { openCloudStore } from '../../cloud-relay/store/open.ts';
import type { CloudStore } from '../../cloud-relay/store/types.ts';
import { postgresPrereq, startPostgres, type TestPostgres } from './postgres.ts';

/**
 * The cloud relay harness of the tests: fresh stores on SQLite and PostgreSQL, a throwaway PostgreSQL server
 * per describe block, and a cloud relay started in-process over a store (cloud-process.ts starts
 * `genkan cloud` as a process instead).
 */

/** A fresh, empty place for a cloud store, and its removal. */
export interface CloudBackend {
  location: CloudStoreLocation;
  remove(): Promise<void>;
}

/** A temporary folder of its own for a SQLite store. */
export interface SqliteBackend extends CloudBackend {
  dir: string;
}

/** A database of its own on a test PostgreSQL server. */
export interface PostgresBackend extends CloudBackend {
  url: string;
}

/** A new, empty temporary folder for a SQLite store, deleted by remove(). */
export async function sqliteBackend(prefix = 'genkan-cloud-'): Promise<SqliteBackend> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { location: { dataDir: dir }, dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A new, empty database on `server`, dropped by remove(). */
export async function postgresBackend(server: TestPostgres): Promise<PostgresBackend> {
  const db = await server.createDatabase();
  return { location: { db: db.url }, url: db.url, remove: () => db.drop() };
}

/** The throwaway PostgreSQL server of a describeOnPostgres block. */
export interface PostgresSuite {
  /** The server; started before the block's first test. */
  readonly server: TestPostgres;
  /** A new, empty database on the server. */
  backend(): Promise<PostgresBackend>;
}

/**
 * A describe block with a throwaway PostgreSQL server (postgres.ts), started before its tests and stopped
 * after them. Without PostgreSQL the block is skipped with the reason printed, and fails under CI=true
 * (postgresPrereq). The block's own afterAll hooks run before the server stops.
 */
export function describeOnPostgres(
  name: string,
  body: (pg: PostgresSuite) => void,
  options: TestOptions = {},
): void {
  describe.runIf(postgresPrereq())(name, options, () => {
    let server: TestPostgres | undefined;
    beforeAll(async () => {
      server = await startPostgres();
    }, 120_000);
    afterAll(async () => {
      await server?.stop();
    }, 60_000);
    const suite: PostgresSuite = {
      get server() {
        if (server === undefined)
          throw new Error('the PostgreSQL server is not running (used outside a test?)');
        return server;
      },
      backend: () => postgresBackend(suite.server),
    };
    body(suite);
  });
}

/** A cloud relay running in-process for a test. */
export interface TestCloud {
  cloud: CloudServer;
  /** A second handle on the same store, as `genkan cloud hub add` would open it. */
  store: CloudStore;
  /** http://127.0.0.1:PORT */
  base: string;
  /** Stops the cloud, closes the second handle and removes the backend. */
  close(): Promise<void>;
}

/**
 * Starts a cloud relay over `backend` on 127.0.0.1, port 0, logging nowhere: opens the store, lets `prepare`
 * register what the test needs before the server starts (hubs, organisations; what it returns, such as
 * tokens, is merged into the result), then starts the server with `options`.
 */
export async function startTestCloud<T extends object>(
  backend: CloudBackend,
  options: Partial<CloudOptions>,
  prepare: (store: CloudStore) => Promise<T>,
): Promise<TestCloud & T> {
  const store = await openCloudStore(backend.location, silentLogger());
  let prepared: T;
  let cloud: CloudServer;
  try {
    prepared = await prepare(store);
    cloud = await startCloud({
      ...backend.location,
      port: 0,
      host: '127.0.0.1',
      logger: silentLogger(),
      ...options,
    });
  } catch (err) {
    await store.close();
    throw err;
  }
  return {
    ...prepared,
    cloud,
    store,
    base: `http://127.0.0.1:${String(cloud.port)}`,
    close: async () => {
      await cloud.close();
      await store.close();
      await backend.remove();
    },
  };
}
