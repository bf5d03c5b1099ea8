import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresPrereq, startPostgres, type TestPostgres } from '../test/support/postgres.ts';
import { GenkanProcess, runGenkan, tempDir } from '../test/support/process.ts';
import { sampleEvent } from './store/contract.ts';
import { openCloudPostgresStore } from './store/postgres.ts';
import { CLOUD_DB_FILE } from './store/sqlite.ts';

const ADMIN = 'cli-admin-token-0123456789';
const PASSWORD = 'pw-never-printed-7f3a';

// Each test starts real genkan processes (a few seconds each under tsx on a busy machine).
const PROCESS_TIMEOUT = 60_000;

describe('genkan cloud: choosing the store', { timeout: PROCESS_TIMEOUT }, () => {
  it('refuses a --db that is not a postgres URL, without echoing it', async () => {
    const r = await runGenkan(['cloud', '--db', `mysql://u:${PASSWORD}@h/db`, '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('postgres://');
    expect(r.stderr + r.stdout).not.toContain(PASSWORD);
  });

  it('refuses --db together with --data, and neither', async () => {
    const dir = await tempDir('genkan-cloud-cli-');
    try {
      const both = await runGenkan([
        'cloud',
        'hub',
        'add',
        'hub1',
        '--facility',
        'f1',
        '--data',
        dir.path,
        '--db',
        'postgres://h/db',
      ]);
      expect(both.code).toBe(2);
      expect(both.stderr).toContain('cannot be used together');
      const neither = await runGenkan(['cloud', 'hub', 'add', 'hub1', '--facility', 'f1']);
      expect(neither.code).toBe(2);
      expect(neither.stderr).toContain('--data');
    } finally {
      await dir.remove();
    }
  });

  it('lets --data on the command line win over GENKAN_CLOUD_DB from the environment', async () => {
    const dir = await tempDir('genkan-cloud-cli-');
    try {
      const r = await runGenkan(['cloud', 'hub', 'add', 'hub1', '--facility', 'f1', '--data', dir.path], {
        GENKAN_CLOUD_DB: 'postgres://nowhere.invalid/db',
      });
      expect(r.code, r.stderr).toBe(0);
      expect(existsSync(join(dir.path, CLOUD_DB_FILE))).toBe(true);
    } finally {
      await dir.remove();
    }
  });
});

const available = postgresPrereq();

describe.runIf(available)('genkan cloud --db postgres://…', { timeout: PROCESS_TIMEOUT }, () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await server.stop();
  }, 60_000);

  it('starts on PostgreSQL, stores a batch there, and never prints the password', async () => {
    const db = await server.createDatabase();
    const url = new URL(db.url);
    // The throwaway server trusts every login, so any password works; an external one brings its own.
    const external = (process.env['GENKAN_TEST_POSTGRES_URL'] ?? '') !== '';
    if (url.password === '' && !external) url.password = PASSWORD;
    const secret = decodeURIComponent(url.password);
    const dbUrl = url.toString();
    let cloud: GenkanProcess | undefined;
    try {
      const add = await runGenkan(['cloud', 'hub', 'add', 'hub1', '--facility', 'f1', '--db', dbUrl]);
      expect(add.code, add.stderr).toBe(0);
      const { token } = JSON.parse(add.stdout.trim()) as { token: string };

      cloud = new GenkanProcess('cloud', ['cloud', '--db', dbUrl, '--port', '0', '--host', '127.0.0.1'], {
        GENKAN_CLOUD_ADMIN_TOKEN: ADMIN,
        GENKAN_LOG_LEVEL: 'debug',
      });
      const ready = await cloud.ready();
      expect(ready['http']).toEqual(expect.any(Number));
      expect(ready['db']).toEqual(expect.stringContaining(`@${url.host}${url.pathname}`));
      const base = `http://127.0.0.1:${String(ready['http'])}`;

      const event = sampleEvent();
      const res = await fetch(`${base}/v1/batches`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ hubId: 'hub1', facilityId: 'f1', events: [event] }),
      });
      expect(await res.json()).toStrictEqual({ accepted: [event.id], duplicates: [], rejected: [] });

      const store = await openCloudPostgresStore(dbUrl);
      try {
        expect(await store.eventsOn('f1', '2026-04-01')).toStrictEqual([event]);
      } finally {
        await store.close();
      }
      await cloud.stop();
      expect(await cloud.exited).toBe(0);
      if (secret !== '') {
        const printed = [add.stdout, add.stderr, JSON.stringify(cloud.lines), cloud.stderr].join('\n');
        expect(printed).not.toContain(secret);
        expect(cloud.stderr).toContain('***');
      }
    } finally {
      await cloud?.stop();
      await db.drop();
    }
  });
});
