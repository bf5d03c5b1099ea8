import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.ts';
import { sampleEvent, sampleVersion } from '../test/contract/cloud-store.ts';
import { movableClock } from '../test/support/clock.ts';
import { sqliteBackend, startTestCloud, type SqliteBackend } from '../test/support/cloud.ts';
import { until } from '../test/support/wait.ts';
import { CloudRetentionJob } from './retention.ts';
import { startCloud } from './server.ts';
import { openCloudSqliteStore, type SqliteCloudStore } from './store/sqlite.ts';
import type { CloudStore } from './store/types.ts';

const ADMIN = 'admin-token-0123456789abcdef';

/** fac-a (Tokyo, 5 years) and fac-b (New York, 1 year), each with an event either side of a cutoff. */
async function seed(store: CloudStore): Promise<{ tokyoOld: string; nyOld: string }> {
  await store.addHub('hub-a', 'fac-a', 'Asia/Tokyo');
  await store.addHub('hub-b', 'fac-b', 'America/New_York');
  await store.putSnapshotVersion('fac-a', 'hub-a', sampleVersion(1, '0001-01-01'));
  await store.putSnapshotVersion(
    'fac-b',
    'hub-b',
    sampleVersion(1, '0001-01-01', { timeZone: 'America/New_York', retentionYears: 1 }, 'fac-b'),
  );
  const tokyoOld = sampleEvent({ occurredAt: '2027-03-31T10:00:00.000+09:00' });
  await store.insertBatch('fac-a', 'hub-a', [
    tokyoOld,
    sampleEvent({ occurredAt: '2027-04-01T10:00:00.000+09:00' }),
  ]);
  const nyOld = sampleEvent({ occurredAt: '2031-03-31T10:00:00.000-04:00' });
  await store.insertBatch('fac-b', 'hub-b', [
    nyOld,
    sampleEvent({ occurredAt: '2031-04-01T10:00:00.000-04:00' }),
  ]);
  return { tokyoOld: tokyoOld.id, nyOld: nyOld.id };
}

describe('cloud retention job', () => {
  let backend: SqliteBackend;
  let store: SqliteCloudStore;
  const clock = movableClock('2032-03-31T23:30:00.000+09:00');
  beforeEach(async () => {
    backend = await sqliteBackend('genkan-cloud-retention-');
    store = await openCloudSqliteStore(backend.dir, { clock });
  });
  afterEach(async () => {
    await store.close();
    await backend.remove();
  });

  it("deletes each facility's records past its retention, in its zone, once per cutoff", async () => {
    await seed(store);
    let calls = 0;
    const counted: Pick<CloudStore, 'retentionPolicies' | 'disposeBefore' | 'parentNotices'> = {
      parentNotices: store.parentNotices,
      retentionPolicies: () => store.retentionPolicies(),
      disposeBefore: (f, cutoff, years) => {
        calls += 1;
        return store.disposeBefore(f, cutoff, years);
      },
    };
    const job = new CloudRetentionJob({ store: counted, clock, logger: silentLogger() });

    clock.set('2032-03-31T23:30:00.000+09:00'); // Tokyo cutoff 2026-04-01; New York 2030-04-01
    await job.run();
    expect(await store.countEvents()).toBe(4);
    expect(calls).toBe(2);

    clock.set('2032-04-01T00:30:00.000+09:00'); // Tokyo: 2032-04-01 → 2027-04-01; New York still 03-31
    await job.run();
    expect(calls).toBe(3);
    expect(await store.countEvents('fac-a')).toBe(1);
    expect(await store.eventsOn('fac-a', '2027-03-31')).toStrictEqual([]);
    expect(await store.eventsOn('fac-a', '2027-04-01')).toHaveLength(1);
    expect(await store.countEvents('fac-b')).toBe(2);
    expect(await store.disposals('fac-a')).toStrictEqual([
      {
        facilityId: 'fac-a',
        at: '2032-03-31T15:30:00.000Z',
        cutoff: '2027-04-01',
        retentionYears: 5,
        counts: { events: 1, snapshots: 0, amendments: 0 },
      },
    ]);

    clock.set('2032-04-01T10:00:00.000+09:00'); // the same day: nothing to do
    await job.run();
    expect(calls).toBe(3);

    clock.set('2032-04-01T13:30:00.000+09:00'); // 00:30 in New York: its cutoff moves to 2031-04-01
    await job.run();
    expect(calls).toBe(4);
    expect(await store.eventsOn('fac-b', '2031-03-31')).toStrictEqual([]);
    expect(await store.countEvents('fac-b')).toBe(1);
    expect(await store.disposals('fac-b')).toMatchObject([{ cutoff: '2031-04-01', retentionYears: 1 }]);
    expect(await store.disposals('fac-a')).toHaveLength(1);
  });

  it('goes on with the other facilities when one fails', async () => {
    await seed(store);
    const failing: Pick<CloudStore, 'retentionPolicies' | 'disposeBefore' | 'parentNotices'> = {
      parentNotices: store.parentNotices,
      retentionPolicies: () => store.retentionPolicies(),
      disposeBefore: (f, cutoff, years) =>
        f === 'fac-a' ? Promise.reject(new Error('boom')) : store.disposeBefore(f, cutoff, years),
    };
    clock.set('2032-04-01T13:30:00.000+09:00');
    await new CloudRetentionJob({ store: failing, clock, logger: silentLogger() }).run();
    expect(await store.countEvents('fac-a')).toBe(2);
    expect(await store.countEvents('fac-b')).toBe(1);
  });
});

describe('the cloud server runs the retention job', () => {
  it('at start, with its clock; GET …/disposals lists the records to who may read them', async () => {
    const backend = await sqliteBackend('genkan-cloud-retention-');
    let seeded: { tokyoOld: string; nyOld: string } | undefined;
    const h = await startTestCloud(
      backend,
      { adminToken: ADMIN, clock: movableClock('2032-04-01T09:00:00.000+09:00') },
      async (store) => {
        seeded = await seed(store);
        return { hubB: await store.addHub('hub-b2', 'fac-b') };
      },
    );
    try {
      const get = async (facility: string, token: string) => {
        const res = await fetch(`${h.base}/v1/facilities/${facility}/disposals`, {
          headers: { authorization: `Bearer ${token}` },
        });
        return { status: res.status, body: await res.json() };
      };
      // The first run starts with the server; waiting for its record (no fixed sleep).
      const listed = await until(async () => {
        const r = await get('fac-a', ADMIN);
        const body = r.body as { disposals: unknown[] };
        return body.disposals.length > 0 && r;
      }, 'the disposal of fac-a');
      expect(listed).toMatchObject({
        status: 200,
        body: {
          facilityId: 'fac-a',
          disposals: [
            { facilityId: 'fac-a', cutoff: '2027-04-01', retentionYears: 5, counts: { events: 1 } },
          ],
        },
      });
      expect(await h.store.eventsOn('fac-a', '2027-03-31')).toStrictEqual([]);
      expect(await h.store.countEvents('fac-b')).toBe(2); // New York is still on 2032-03-31
      // Counts only, and only for who may read the facility.
      expect(JSON.stringify(listed.body)).not.toContain(seeded?.tokyoOld ?? 'x');
      expect((await get('fac-a', h.hubB)).status).toBe(403);
      expect((await get('fac-x', ADMIN)).status).toBe(404);
    } finally {
      await h.close();
    }
  });

  it('finishes a run in progress before closing the store', async () => {
    const temp = await sqliteBackend('genkan-cloud-retention-');
    const { dir } = temp;
    try {
      const setup = await openCloudSqliteStore(dir);
      const { tokyoOld } = await seed(setup);
      await setup.close();
      const clock = movableClock('2032-04-01T09:00:00.000+09:00');
      const cloud = await startCloud({
        dataDir: dir,
        port: 0,
        host: '127.0.0.1',
        logger: silentLogger(),
        clock,
      });
      await cloud.close();
      const after = await openCloudSqliteStore(dir);
      try {
        expect(
          (await after.ledgerEvents('fac-a', '2027-03-31', '2027-03-31')).map((e) => e.id),
        ).not.toContain(tokyoOld);
        expect(await after.disposals('fac-a')).toMatchObject([{ cutoff: '2027-04-01' }]);
      } finally {
        await after.close();
      }
    } finally {
      await temp.remove();
    }
  });
});
