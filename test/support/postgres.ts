import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import { requirePrereq } from './prereq.ts';

const execFileAsync = promisify(execFile);

/** Where Debian's postgresql-15 puts the server binaries; GENKAN_TEST_POSTGRES_BIN overrides it. */
export const POSTGRES_BIN = process.env['GENKAN_TEST_POSTGRES_BIN'] ?? '/usr/lib/postgresql/15/bin';
/** An existing server to use instead of a throwaway one; each run creates (and drops) its own databases. */
const EXTERNAL_URL = process.env['GENKAN_TEST_POSTGRES_URL'];

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export interface TestPostgres {
  /** A database of this run's own: the fresh server's, or one created on the GENKAN_TEST_POSTGRES_URL server. */
  url: string;
  /** Another fresh, empty database on the same server, dropped by drop() or at the latest by stop(). */
  createDatabase(): Promise<TestDatabase>;
  /** Drops what this run created, and stops the server when it started one. */
  stop(): Promise<void>;
}

const isRoot = (): boolean => process.getuid?.() === 0;

function postgresUser(): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether PostgreSQL tests can run: GENKAN_TEST_POSTGRES_URL is set, or the server binaries exist and
 * (initdb refusing root) a root test run can switch to the postgres user. requirePrereq semantics: under
 * CI=true a missing prerequisite throws, otherwise it prints why and returns false.
 */
export function postgresPrereq(): boolean {
  if (EXTERNAL_URL !== undefined && EXTERNAL_URL !== '') return true;
  const binaries = executable(join(POSTGRES_BIN, 'initdb')) && executable(join(POSTGRES_BIN, 'pg_ctl'));
  if (
    !requirePrereq(
      binaries,
      `PostgreSQL server binaries in ${POSTGRES_BIN}`,
      'apt-get install -y postgresql-15',
    )
  )
    return false;
  if (!isRoot()) return true;
  return (
    requirePrereq(
      executable('/usr/sbin/runuser') || executable('/sbin/runuser') || executable('/usr/bin/runuser'),
      'runuser (initdb refuses to run as root)',
      'apt-get install -y util-linux',
    ) &&
    requirePrereq(
      postgresUser() !== undefined,
      'the postgres system user',
      'apt-get install -y postgresql-15',
    )
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/** Runs a PostgreSQL binary, as the postgres user when we are root. */
async function pgBin(name: string, args: string[]): Promise<void> {
  const bin = join(POSTGRES_BIN, name);
  const [cmd, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  try {
    await execFileAsync(cmd, argv, { timeout: 60_000 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${name} failed: ${e.stderr?.trim() || e.message}`, { cause: err });
  }
}

function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates and drops databases on one server through its maintenance URL. */
function databaseFactory(adminUrl: string): { create(): Promise<TestDatabase>; dropAll(): Promise<void> } {
  const live = new Set<string>();
  let counter = 0;
  const drop = async (name: string): Promise<void> => {
    if (!live.delete(name)) return;
    // FORCE: a test that failed midway may leave a pool connected.
    await withClient(adminUrl, (c) =>
      c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`),
    );
  };
  return {
    async create() {
      counter += 1;
      const name = `genkan_test_${process.pid}_${counter}_${randomBytes(4).toString('hex')}`;
      await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`));
      live.add(name);
      return { url: databaseUrl(adminUrl, name), drop: () => drop(name) };
    },
    async dropAll() {
      for (const name of [...live]) await drop(name);
    },
  };
}

/**
 * A throwaway PostgreSQL server for one test file: initdb into a temporary folder (owned by postgres when
 * we are root), then pg_ctl start on a free 127.0.0.1 port with the socket in that folder, so nothing
 * touches a system cluster. The database collation is ICU en-US, as on a typical production server,
 * so that code relying on bytewise order shows up. With GENKAN_TEST_POSTGRES_URL set, that server is used
 * instead and only databases created here are dropped.
 */
export async function startPostgres(): Promise<TestPostgres> {
  if (EXTERNAL_URL !== undefined && EXTERNAL_URL !== '') {
    const dbs = databaseFactory(EXTERNAL_URL);
    const own = await dbs.create();
    return { url: own.url, createDatabase: () => dbs.create(), stop: () => dbs.dropAll() };
  }

  const base = await mkdtemp(join(tmpdir(), 'genkan-pg-'));
  const data = join(base, 'data');
  try {
    if (isRoot()) {
      const user = postgresUser();
      if (user === undefined) throw new Error('no postgres user');
      // mkdtemp makes the folder 0700; owned by postgres, the server can use it.
      await chown(base, user.uid, user.gid);
    }
    const initdb = ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync'];
    try {
      await pgBin('initdb', [...initdb, '--locale=C.UTF-8', '--locale-provider=icu', '--icu-locale=en-US']);
    } catch {
      // A build without ICU (or without the C.UTF-8 locale): the platform default will do.
      await rm(data, { recursive: true, force: true });
      await pgBin('initdb', initdb);
    }
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        await pgBin('pg_ctl', [
          '-D',
          data,
          '-l',
          join(base, 'log'),
          '-w',
          '-t',
          '30',
          '-o',
          `-p ${port} -k ${base} -c listen_addresses=127.0.0.1`,
          'start',
        ]);
        break;
      } catch (err) {
        // The port may have been taken between probing and binding.
        if (attempt >= 3) throw err;
      }
    }
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    const dbs = databaseFactory(url);
    let stopped = false;
    return {
      url,
      createDatabase: () => dbs.create(),
      async stop() {
        if (stopped) return;
        stopped = true;
        try {
          // Immediate: nothing here needs to survive, and a fast shutdown would wait for leaked pools.
          await pgBin('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
        } finally {
          await rm(base, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    await pgBin('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    await rm(base, { recursive: true, force: true });
    throw err;
  }
}
