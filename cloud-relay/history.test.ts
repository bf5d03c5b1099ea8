import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../common/time.ts';
import type { AttendanceEvent } from '../protocol/index.ts';
import type { SnapshotVersion } from '../protocol/ledger.ts';
import {
  describeOnPostgres,
  sqliteBackend,
  startTestCloud,
  type CloudBackend,
  type TestCloud,
} from '../test/support/cloud.ts';
import { sampleAmendment, sampleEvent, sampleSnapshot, sampleVersion } from '../test/contract/cloud-store.ts';
import type { CloudOptions } from './server.ts';
import { expectErrorBody } from '../test/support/error-body.ts';

/**
 * The dated history over HTTP (issue 13): PUT /v1/snapshots/V and PUT /v1/amendments/ID from the hubs,
 * the deprecated PUT /v1/snapshot of old hubs, and the ledgers built from the versions in effect on each
 * day, so that a past month's ledger never changes after a later version. On SQLite and PostgreSQL.
 */

const ADMIN = 'admin-token-0123456789abcdef';
/** The cloud's clock: early May, so that April's events are within its time window. */
const NOW = new Date('2026-05-02T12:00:00+09:00');

interface Harness extends TestCloud {
  tokenA: string;
  tokenB: string;
}

function harness(backend: CloudBackend, options: Partial<CloudOptions> = {}): Promise<Harness> {
  return startTestCloud(
    backend,
    { adminToken: ADMIN, metricsToken: undefined, clock: fixedClock(NOW), ...options },
    async (store) => ({
      tokenA: await store.addHub('hub-a', 'fac-a'),
      tokenB: await store.addHub('hub-b', 'fac-b'),
    }),
  );
}

interface Reply {
  status: number;
  bytes: Buffer;
  json: unknown;
}

async function call(url: string, init: RequestInit = {}): Promise<Reply> {
  const res = await fetch(url, init);
  const bytes = Buffer.from(await res.arrayBuffer());
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    json = undefined;
  }
  return { status: res.status, bytes, json };
}

const bearer = (token: string | undefined): Record<string, string> =>
  token === undefined ? {} : { authorization: `Bearer ${token}` };

function put(h: Harness, token: string | undefined, path: string, body: unknown): Promise<Reply> {
  return call(`${h.base}${path}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...bearer(token) },
    body: JSON.stringify(body),
  });
}

const putVersion = (h: Harness, v: SnapshotVersion, token = h.tokenA, path = String(v.version)) =>
  put(h, token, `/v1/snapshots/${path}`, v);

const get = (h: Harness, path: string, token: string = ADMIN) =>
  call(`${h.base}${path}`, { headers: bearer(token) });

function expectError(reply: Reply, status: number, code: string): void {
  expect(reply.status).toBe(status);
  expectErrorBody(reply.json, code);
}

async function postEvents(h: Harness, events: AttendanceEvent[]): Promise<void> {
  const reply = await call(`${h.base}/v1/batches`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(h.tokenA) },
    body: JSON.stringify({ hubId: 'hub-a', facilityId: 'fac-a', events }),
  });
  expect(reply.json).toMatchObject({ rejected: [] });
}

const at = (date: string, time: string) => `${date}T${time}:00+09:00`;

/** April under roster v1: c-001 (standard) out late, c-002 (short) out late, c-003 in and out. */
function aprilEvents(): AttendanceEvent[] {
  return ['2026-04-01', '2026-04-02', '2026-04-30'].flatMap((date) => [
    sampleEvent({ childId: 'c-001', occurredAt: at(date, '08:00') }),
    sampleEvent({ type: 'check_out', childId: 'c-001', occurredAt: at(date, '18:40') }),
    sampleEvent({ childId: 'c-002', occurredAt: at(date, '08:30') }),
    sampleEvent({ type: 'check_out', childId: 'c-002', occurredAt: at(date, '17:10') }),
    sampleEvent({ childId: 'c-003', occurredAt: at(date, '09:00') }),
    sampleEvent({ type: 'check_out', childId: 'c-003', occurredAt: at(date, '16:00') }),
  ]);
}

/** Roster v2 from May: c-001 moves to usagi, c-002 becomes standard care, c-003 is gone. */
function rosterV2(): SnapshotVersion {
  const [c1, c2] = sampleSnapshot('fac-a').children;
  if (c1 === undefined || c2 === undefined) throw new Error('the sample has three children');
  return sampleVersion(2, '2026-05-01', {
    children: [
      { ...c1, classId: 'usagi' },
      { ...c2, careType: 'standard' },
    ],
  });
}

function describeHistoryRoutes(name: string, fresh: () => Promise<CloudBackend>): void {
  describe(`cloud history over HTTP (${name})`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await harness(await fresh());
    });
    afterEach(async () => {
      await h.close();
    });

    describe('PUT /v1/snapshots/V', () => {
      it('stores a version (200 stored: true), answers stored: false for the same again, 409 for other content', async () => {
        const v1 = sampleVersion(1, '0001-01-01');
        const first = await putVersion(h, v1);
        expect(first.status).toBe(200);
        expect(first.json).toStrictEqual({ stored: true });
        expect((await putVersion(h, v1)).json).toStrictEqual({ stored: false });
        expectError(
          await putVersion(h, sampleVersion(1, '0001-01-01', { facilityName: '別' })),
          409,
          'snapshot_version_conflict',
        );
        expect(await h.store.ledgerVersions('fac-a', '2026-04-01', '2026-04-30')).toStrictEqual([v1]);
        const metrics = await get(h, '/metrics');
        expect(metrics.bytes.toString()).toContain('genkan_cloud_snapshots_total 1');
      });

      it("refuses strangers (401), another facility's hub (403), and bad bodies and paths (400)", async () => {
        const v1 = sampleVersion(1, '0001-01-01');
        expectError(await putVersion(h, v1, ''), 401, 'unauthorized');
        expectError(await putVersion(h, v1, ADMIN), 401, 'unauthorized');
        expectError(await putVersion(h, v1, h.tokenB), 403, 'forbidden');
        expectError(await putVersion(h, v1, h.tokenA, '2'), 400, 'bad_request');
        expectError(await putVersion(h, v1, h.tokenA, '01'), 400, 'bad_request');
        expectError(await putVersion(h, v1, h.tokenA, 'one'), 400, 'bad_request');
        expectError(await putVersion(h, { ...v1, extra: true } as SnapshotVersion), 400, 'bad_request');
        expectError(await putVersion(h, sampleVersion(1, '2026-4-1')), 400, 'bad_request');
        expectError(await putVersion(h, sampleVersion(1, '2026-02-30')), 400, 'invalid_date');
        expectError(
          await putVersion(h, sampleVersion(1, '0001-01-01', { timeZone: 'Europe/Paris' })),
          409,
          'time_zone_mismatch',
        );
        expect(await h.store.ledgerVersions('fac-a', '2026-01-01', '2026-12-31')).toStrictEqual([]);
      });
    });

    describe('PUT /v1/amendments/ID', () => {
      it('stores an amendment once (stored: true, then false), refuses other content (409) and a wrong id (400)', async () => {
        const a = sampleAmendment();
        const path = `/v1/amendments/${a.correctionId}`;
        const first = await put(h, h.tokenA, path, a);
        expect(first.status).toBe(200);
        expect(first.json).toStrictEqual({ stored: true });
        expect((await put(h, h.tokenA, path, a)).json).toStrictEqual({ stored: false });
        expectError(await put(h, h.tokenA, path, { ...a, reason: '別' }), 409, 'amendment_conflict');
        expectError(
          await put(h, h.tokenA, `/v1/amendments/${sampleAmendment().correctionId}`, a),
          400,
          'bad_request',
        );
        expectError(await put(h, h.tokenA, path, { ...a, before: null }), 400, 'bad_request');
        expectError(await put(h, h.tokenA, path, { ...a, date: '2026-02-30' }), 400, 'invalid_date');
        expectError(await put(h, undefined, path, a), 401, 'unauthorized');
        expectError(await put(h, ADMIN, path, a), 401, 'unauthorized');
        // A hub's amendment is its own facility's: hub-b's copy is another record.
        expect((await put(h, h.tokenB, path, a)).json).toStrictEqual({ stored: true });
        expect(await h.store.amendments('fac-a', '2026-04-01', '2026-04-30')).toStrictEqual([a]);
        const metrics = await get(h, '/metrics');
        expect(metrics.bytes.toString()).toContain('genkan_cloud_amendments_total 2');
      });

      it('lists the amendments of a month at the end of its ledgers, and of a day at the end of its own', async () => {
        await putVersion(h, sampleVersion(1, '0001-01-01'));
        const a = sampleAmendment({ date: '2026-04-10' });
        await put(h, h.tokenA, `/v1/amendments/${a.correctionId}`, a);
        const monthly = await get(h, '/v1/facilities/fac-a/ledger/monthly?month=2026-04');
        expect((monthly.json as { amendments: unknown }).amendments).toStrictEqual([a]);
        const day = await get(h, '/v1/facilities/fac-a/ledger/daily?date=2026-04-10');
        expect((day.json as { amendments: unknown }).amendments).toStrictEqual([a]);
        const other = await get(h, '/v1/facilities/fac-a/ledger/daily?date=2026-04-11');
        expect((other.json as { amendments: unknown }).amendments).toStrictEqual([]);
        const may = await get(h, '/v1/facilities/fac-a/ledger/monthly?month=2026-05');
        expect((may.json as { amendments: unknown }).amendments).toStrictEqual([]);
      });
    });

    describe('ledgers from the versions in effect', () => {
      it('keeps a past month byte-identical after a version effective the next month', async () => {
        await putVersion(h, sampleVersion(1, '0001-01-01'));
        await postEvents(h, aprilEvents());
        const paths = [
          '/v1/facilities/fac-a/ledger/monthly?month=2026-04',
          '/v1/facilities/fac-a/ledger/monthly?month=2026-04&format=csv',
          '/v1/facilities/fac-a/ledger/monthly?month=2026-04&class=usagi&format=csv&encoding=sjis',
          '/v1/facilities/fac-a/ledger/daily?date=2026-04-30',
          '/v1/facilities/fac-a/ledger/daily?date=2026-04-30&format=csv',
        ];
        const before = await Promise.all(paths.map((p) => get(h, p)));
        for (const reply of before) expect(reply.status).toBe(200);
        const april = before[0]?.json as { rows: { child_id: string; class_name: string }[] };
        expect(april.rows.map((r) => r.child_id).sort()).toStrictEqual(['c-001', 'c-002', 'c-003']);

        expect((await putVersion(h, rosterV2())).json).toStrictEqual({ stored: true });

        const after = await Promise.all(paths.map((p) => get(h, p)));
        after.forEach((reply, i) => {
          expect(reply.json, paths[i]).toStrictEqual(before[i]?.json);
          expect(reply.bytes.equals(before[i]?.bytes ?? Buffer.alloc(0)), paths[i]).toBe(true);
        });
        // May shows the new roster: c-003 gone, c-001 in うさぎ組.
        const may = (await get(h, '/v1/facilities/fac-a/ledger/monthly?month=2026-05')).json as {
          rows: { child_id: string; class_name: string }[];
        };
        expect(may.rows.map((r) => [r.child_id, r.class_name])).toStrictEqual([
          ['c-002', 'うさぎ組'],
          ['c-001', 'うさぎ組'],
        ]);
      });

      it('answers 404 no_snapshot before any version, and unknown_class for a class of no version of the month', async () => {
        expectError(await get(h, '/v1/facilities/fac-a/ledger/daily?date=2026-04-01'), 404, 'no_snapshot');
        await putVersion(h, rosterV2());
        // Nothing is in effect in April: answered as the hub does.
        expectError(await get(h, '/v1/facilities/fac-a/ledger/monthly?month=2026-04'), 404, 'no_snapshot');
        expect((await get(h, '/v1/facilities/fac-a/ledger/monthly?month=2026-05&class=usagi')).status).toBe(
          200,
        );
        expectError(
          await get(h, '/v1/facilities/fac-a/ledger/monthly?month=2026-05&class=kirin'),
          400,
          'unknown_class',
        );
      });
    });

    describe('PUT /v1/snapshot (deprecated, old hubs)', () => {
      it('still takes a snapshot (204) as the version after the highest, for all days', async () => {
        await putVersion(h, sampleVersion(1, '0001-01-01'));
        await putVersion(h, rosterV2());
        const legacy = sampleSnapshot('fac-a', { facilityName: '旧ハブ' });
        const reply = await put(h, h.tokenA, '/v1/snapshot', legacy);
        expect(reply.status).toBe(204);
        expect(await h.store.ledgerVersions('fac-a', '2026-04-01', '2026-05-31')).toStrictEqual([
          { version: 3, effectiveFrom: '0001-01-01', snapshot: legacy },
        ]);
        const april = await get(h, '/v1/facilities/fac-a/ledger/daily?date=2026-04-01');
        expect((april.json as { facilityName: string }).facilityName).toBe('旧ハブ');
      });
    });
  });
}

describeHistoryRoutes('SQLite', () => sqliteBackend('genkan-cloud-history-'));

describeOnPostgres('on PostgreSQL', (postgres) => {
  describeHistoryRoutes('PostgreSQL', () => postgres.backend());
});

describe('history uploads and the per-hub rate limit', () => {
  it('count against the bucket of batches', async () => {
    const h = await harness(await sqliteBackend('genkan-cloud-history-'), {
      hubRateLimit: { perSecond: 0.001, burst: 2 },
    });
    try {
      const a = sampleAmendment();
      expect((await putVersion(h, sampleVersion(1, '0001-01-01'))).status).toBe(200);
      expect((await put(h, h.tokenA, `/v1/amendments/${a.correctionId}`, a)).status).toBe(200);
      expectError(await putVersion(h, sampleVersion(2, '2026-05-01')), 429, 'rate_limited');
      expectError(await put(h, h.tokenA, `/v1/amendments/${a.correctionId}`, a), 429, 'rate_limited');
    } finally {
      await h.close();
    }
  });
});
