import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localDate } from '../common/time.ts';
import { describeOnPostgres } from '../test/support/cloud.ts';
import { cloudProcess, cloudReady } from '../test/support/cloud-process.ts';
import { GenkanProcess, runGenkan, tempDir } from '../test/support/process.ts';
import { sampleEvent } from '../test/contract/cloud-store.ts';
import { openCloudPostgresStore } from './store/postgres.ts';
import { CLOUD_DB_FILE } from './store/sqlite.ts';

const ADMIN = 'cli-admin-token-0123456789';
const PASSWORD = 'pw-never-printed-7f3a';

/**
 * A day a week back in Tokyo, and a sample event on it: the cloud processes run on the real clock, whose
 * time window would refuse the sample's fixed date some day.
 */
const DAY = localDate(new Date(Date.now() - 7 * 86_400_000), 'Asia/Tokyo');
const recentEvent = () => sampleEvent({ occurredAt: `${DAY}T08:00:00.000+09:00` });

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

describe('genkan cloud: organisations, facilities and hub tokens', { timeout: 4 * PROCESS_TIMEOUT }, () => {
  it('adds an org, a facility, a hub in it, org tokens; rotates and revokes hub tokens', async () => {
    const dir = await tempDir('genkan-cloud-cli-');
    const store = ['--data', dir.path];
    const run = async (args: string[]): Promise<Record<string, unknown>> => {
      const r = await runGenkan(['cloud', ...args, ...store]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout.trim()) as Record<string, unknown>;
    };
    let cloud: GenkanProcess | undefined;
    try {
      expect(await run(['org', 'add', 'city-a', '--name', '市A'])).toStrictEqual({
        orgId: 'city-a',
        name: '市A',
      });
      expect(
        await run(['facility', 'add', 'fac-b', '--org', 'city-a', '--time-zone', 'asia/tokyo']),
      ).toStrictEqual({
        facilityId: 'fac-b',
        timeZone: 'Asia/Tokyo',
        orgId: 'city-a',
      });
      const added = await run(['hub', 'add', 'hub-a', '--facility', 'fac-a', '--org', 'city-a']);
      expect(added).toMatchObject({ hubId: 'hub-a', facilityId: 'fac-a', orgId: 'city-a' });
      const hubToken = String(added['token']);
      const orgToken = String((await run(['org', 'token', 'city-a']))['token']);
      expect(orgToken).toMatch(/^city-a\./);

      // Refusals exit 1 with the code on stderr.
      const unknown = await runGenkan(['cloud', 'facility', 'add', 'fac-x', '--org', 'city-zzz', ...store]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('unknown_organisation');

      cloud = new GenkanProcess(
        'cloud',
        ['cloud', ...store, '--port', '0', '--hub-rate', '50', '--hub-burst', '100', '--stale-minutes', '5'],
        { GENKAN_CLOUD_ADMIN_TOKEN: ADMIN, GENKAN_CLOUD_METRICS_TOKEN: 'cli-metrics-token-0123456789' },
      );
      const base = `http://127.0.0.1:${String((await cloud.ready())['http'])}`;
      const read = (token: string) =>
        fetch(`${base}/v1/orgs/city-a/facilities`, { headers: { authorization: `Bearer ${token}` } });
      const listed = await read(orgToken);
      expect(listed.status).toBe(200);
      expect(await listed.json()).toMatchObject({
        facilities: [
          { facilityId: 'fac-a', hubs: [{ hubId: 'hub-a' }] },
          { facilityId: 'fac-b', hubs: [] },
        ],
      });
      const rollup = await fetch(`${base}/v1/orgs/city-a/rollup/daily?date=2026-04-01`, {
        headers: { authorization: `Bearer ${orgToken}` },
      });
      expect(await rollup.json()).toMatchObject({ staleAfterSeconds: 300 });
      expect((await fetch(`${base}/metrics`)).status).toBe(401);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);

      const upload = (token: string) =>
        fetch(`${base}/v1/batches`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ hubId: 'hub-a', facilityId: 'fac-a', events: [recentEvent()] }),
        });
      const rotated = await run(['hub', 'rotate', 'hub-a', '--grace-hours', '1']);
      expect(rotated).toMatchObject({ hubId: 'hub-a', previousValidUntil: expect.any(String) as string });
      const newToken = String(rotated['token']);
      expect((await upload(hubToken)).status).toBe(200);
      expect((await upload(newToken)).status).toBe(200);
      expect((await upload(hubToken)).status).toBe(401);

      expect(await run(['hub', 'revoke', 'hub-a'])).toStrictEqual({ hubId: 'hub-a', revoked: true });
      expect((await upload(newToken)).status).toBe(401);
      expect(await run(['org', 'token', 'city-a', '--revoke-all'])).toStrictEqual({
        orgId: 'city-a',
        revoked: 1,
      });
      expect((await read(orgToken)).status).toBe(401);
      expect((await read(ADMIN)).status).toBe(200);
    } finally {
      await cloud?.stop();
      await dir.remove();
    }
  });
});

describeOnPostgres(
  'genkan cloud --db postgres://…',
  (postgres) => {
    it('starts on PostgreSQL, stores a batch there, and never prints the password', async () => {
      const db = await postgres.backend();
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

        cloud = cloudProcess('cloud', { db: dbUrl }, ADMIN, { env: { GENKAN_LOG_LEVEL: 'debug' } });
        const { ready, base } = await cloudReady(cloud);
        expect(ready['http']).toEqual(expect.any(Number));
        expect(ready['db']).toEqual(expect.stringContaining(`@${url.host}${url.pathname}`));

        const event = recentEvent();
        const res = await fetch(`${base}/v1/batches`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ hubId: 'hub1', facilityId: 'f1', events: [event] }),
        });
        expect(await res.json()).toStrictEqual({ accepted: [event.id], duplicates: [], rejected: [] });

        const store = await openCloudPostgresStore(dbUrl);
        try {
          expect(await store.eventsOn('f1', DAY)).toStrictEqual([event]);
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
        await db.remove();
      }
    });
  },
  { timeout: PROCESS_TIMEOUT },
);
