import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localDate, type Clock } from '../common/time.ts';
import type { AttendanceEvent } from '../protocol/index.ts';
import type { CloudOptions } from './server.ts';
import { sampleEvent, sampleSnapshot } from '../test/contract/cloud-store.ts';
import { sqliteBackend, startTestCloud, type TestCloud } from '../test/support/cloud.ts';
import { expectErrorBody } from '../test/support/error-body.ts';

const ADMIN = 'admin-token-0123456789abcdef';

/**
 * Three consecutive past days in Tokyo, a month back. The cloud runs on the real clock here (staleness
 * compares it with the store's relay times), so the events' dates follow it, within its time window.
 */
const BASE_MS = Date.now() - 30 * 86_400_000;
const dayOf = (n: number) => localDate(new Date(BASE_MS + n * 86_400_000), 'Asia/Tokyo');
const DAY1 = dayOf(0);
const DAY2 = dayOf(1);
const DAY3 = dayOf(2);
const MONTH = DAY1.slice(0, 7);
const at = (date: string, time: string) => `${date}T${time}:00.000+09:00`;
/** A sample event on DAY1 at 08:00. */
const recentEvent = (overrides: Partial<AttendanceEvent> = {}): AttendanceEvent =>
  sampleEvent({ occurredAt: at(DAY1, '08:00'), ...overrides });

interface Harness extends TestCloud {
  /** Hub of fac-a (city-a), hub of fac-c (city-b), hub of fac-free (no organisation). */
  hubA: string;
  hubC: string;
  hubFree: string;
  orgA: string;
  orgB: string;
  /** Moves the server's clock (staleness) forward. */
  advance(ms: number): void;
}

async function harness(options: Partial<CloudOptions> = {}): Promise<Harness> {
  let offset = 0;
  const clock: Clock = { now: () => new Date(Date.now() + offset) };
  const backend = await sqliteBackend('genkan-cloud-orgs-');
  return startTestCloud(backend, { adminToken: ADMIN, clock, ...options }, async (store) => {
    await store.addOrganisation('city-a', '市A');
    await store.addOrganisation('city-b', '市B');
    await store.addFacility('fac-a', 'city-a');
    await store.addFacility('fac-b', 'city-a');
    await store.addFacility('fac-c', 'city-b');
    const hubA = await store.addHub('hub-a', 'fac-a');
    const hubC = await store.addHub('hub-c', 'fac-c');
    const hubFree = await store.addHub('hub-free', 'fac-free');
    const orgA = await store.issueOrgToken('city-a');
    const orgB = await store.issueOrgToken('city-b');
    return {
      hubA,
      hubC,
      hubFree,
      orgA,
      orgB,
      advance: (ms: number) => {
        offset += ms;
      },
    };
  });
}

interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
}

async function call(url: string, token: string | undefined, init: RequestInit = {}): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  const res = await fetch(url, { ...init, headers });
  const text = await res.text();
  const json = (res.headers.get('content-type') ?? '').includes('json');
  return {
    status: res.status,
    headers: res.headers,
    body: text === '' || !json ? text : (JSON.parse(text) as unknown),
  };
}

const get = (h: Harness, path: string, token: string | undefined) => call(`${h.base}${path}`, token);
const post = (h: Harness, token: string, body: unknown) =>
  call(`${h.base}/v1/batches`, token, { method: 'POST', body: JSON.stringify(body) });
const put = (h: Harness, token: string, body: unknown) =>
  call(`${h.base}/v1/snapshot`, token, { method: 'PUT', body: JSON.stringify(body) });

function expectError(reply: Reply, status: number, code: string): void {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  expectErrorBody(reply.body, code);
}

describe('cloud relay: organisations and token rules', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(async () => {
    await h.close();
  });

  describe('GET /v1/orgs/:org/facilities', () => {
    it("lists the organisation's facilities with hubs and last relay times, for its token and the admin", async () => {
      expect((await put(h, h.hubA, sampleSnapshot('fac-a'))).status).toBe(204);
      const before = Date.now();
      expect(
        (await post(h, h.hubA, { hubId: 'hub-a', facilityId: 'fac-a', events: [recentEvent()] })).status,
      ).toBe(200);
      for (const token of [h.orgA, ADMIN]) {
        const reply = await get(h, '/v1/orgs/city-a/facilities', token);
        expect(reply.status).toBe(200);
        expect(reply.body).toStrictEqual({
          orgId: 'city-a',
          facilities: [
            {
              facilityId: 'fac-a',
              name: 'ひまわり保育園',
              timeZone: 'Asia/Tokyo',
              hubs: [{ hubId: 'hub-a', lastRelayAt: expect.any(String) as string }],
              lastRelayAt: expect.any(String) as string,
            },
            { facilityId: 'fac-b', name: null, timeZone: 'Asia/Tokyo', hubs: [], lastRelayAt: null },
          ],
        });
        const { facilities } = reply.body as { facilities: { lastRelayAt: string }[] };
        expect(Date.parse(facilities[0]?.lastRelayAt ?? '')).toBeGreaterThanOrEqual(before - 1000);
      }
    });

    it('refuses other organisations, hubs, strangers; 404 for an unknown organisation, 400 for a bad id', async () => {
      expectError(await get(h, '/v1/orgs/city-a/facilities', h.orgB), 403, 'forbidden');
      expectError(await get(h, '/v1/orgs/city-a/facilities', h.hubA), 403, 'forbidden');
      expectError(await get(h, '/v1/orgs/city-a/facilities', undefined), 401, 'unauthorized');
      expectError(await get(h, '/v1/orgs/city-a/facilities', `${h.orgA}x`), 401, 'unauthorized');
      // Another organisation learns nothing about which ids exist.
      expectError(await get(h, '/v1/orgs/city-zzz/facilities', h.orgA), 403, 'forbidden');
      expectError(await get(h, '/v1/orgs/city-zzz/facilities', ADMIN), 404, 'not_found');
      expectError(await get(h, '/v1/orgs/city.a/facilities', ADMIN), 400, 'bad_request');
    });
  });

  describe('facility reads with an org token', () => {
    beforeEach(async () => {
      expect((await put(h, h.hubA, sampleSnapshot('fac-a'))).status).toBe(204);
      expect((await put(h, h.hubC, sampleSnapshot('fac-c'))).status).toBe(204);
      expect((await put(h, h.hubFree, sampleSnapshot('fac-free'))).status).toBe(204);
    });

    it("reads its own facilities' events and ledgers", async () => {
      const event = recentEvent();
      await post(h, h.hubA, { hubId: 'hub-a', facilityId: 'fac-a', events: [event] });
      const events = await get(h, `/v1/facilities/fac-a/events?date=${DAY1}`, h.orgA);
      expect(events).toMatchObject({ status: 200, body: { facilityId: 'fac-a', events: [event] } });
      expect((await get(h, `/v1/facilities/fac-a/ledger/daily?date=${DAY1}`, h.orgA)).status).toBe(200);
      expect((await get(h, `/v1/facilities/fac-a/ledger/monthly?month=${MONTH}`, h.orgA)).status).toBe(200);
    });

    it("gets 403 for another organisation's facility, one without organisation, and an unknown one", async () => {
      for (const path of [
        '/v1/facilities/fac-c/events?date=2026-04-01',
        '/v1/facilities/fac-c/ledger/daily?date=2026-04-01',
        '/v1/facilities/fac-c/ledger/monthly?month=2026-04',
        '/v1/facilities/fac-free/events?date=2026-04-01',
        '/v1/facilities/fac-free/ledger/daily?date=2026-04-01',
        '/v1/facilities/fac-zzz/events?date=2026-04-01',
      ]) {
        expectError(await get(h, path, h.orgA), 403, 'forbidden');
      }
      // A facility without organisation stays readable by the global admin token (and its own hub).
      expect((await get(h, '/v1/facilities/fac-free/events?date=2026-04-01', ADMIN)).status).toBe(200);
      expect((await get(h, '/v1/facilities/fac-free/events?date=2026-04-01', h.hubFree)).status).toBe(200);
    });

    it('cannot upload batches or snapshots', async () => {
      expectError(
        await post(h, h.orgA, { hubId: 'hub-a', facilityId: 'fac-a', events: [recentEvent()] }),
        403,
        'forbidden',
      );
      expectError(await put(h, h.orgA, sampleSnapshot('fac-a')), 403, 'forbidden');
      expect(await h.store.countEvents()).toBe(0);
    });

    it('stops working once the organisation tokens are revoked', async () => {
      const other = await h.store.issueOrgToken('city-a');
      expect(await h.store.revokeOrgTokens('city-a')).toBe(2);
      for (const token of [h.orgA, other]) {
        expectError(await get(h, '/v1/orgs/city-a/facilities', token), 401, 'unauthorized');
        expectError(await get(h, '/v1/facilities/fac-a/events?date=2026-04-01', token), 401, 'unauthorized');
      }
      expect((await get(h, '/v1/orgs/city-b/facilities', h.orgB)).status).toBe(200);
    });
  });

  describe('hub tokens', () => {
    it("never read or write another facility's data, nor another organisation's", async () => {
      expectError(await get(h, '/v1/facilities/fac-c/events?date=2026-04-01', h.hubA), 403, 'forbidden');
      expectError(await get(h, '/v1/facilities/fac-b/events?date=2026-04-01', h.hubA), 403, 'forbidden');
      expectError(
        await get(h, '/v1/facilities/fac-c/ledger/daily?date=2026-04-01', h.hubA),
        403,
        'forbidden',
      );
      expectError(
        await post(h, h.hubA, { hubId: 'hub-a', facilityId: 'fac-c', events: [recentEvent()] }),
        403,
        'forbidden',
      );
      expectError(
        await post(h, h.hubA, { hubId: 'hub-c', facilityId: 'fac-c', events: [recentEvent()] }),
        403,
        'forbidden',
      );
      expectError(await put(h, h.hubA, sampleSnapshot('fac-c')), 403, 'forbidden');
      expectError(await get(h, '/v1/orgs/city-b/rollup/daily?date=2026-04-01', h.hubA), 403, 'forbidden');
      expect(await h.store.countEvents('fac-c')).toBe(0);
      expect(await h.store.getSnapshot('fac-c', '2026-04-01')).toBeUndefined();
    });

    it('rotate: the previous token works until the new one is used, then gets 401', async () => {
      const batch = () => ({ hubId: 'hub-a', facilityId: 'fac-a', events: [recentEvent()] });
      const fresh = await h.store.rotateHub('hub-a', 24 * 3_600_000);
      expect((await post(h, h.hubA, batch())).status).toBe(200);
      expect((await post(h, fresh, batch())).status).toBe(200);
      expectError(await post(h, h.hubA, batch()), 401, 'unauthorized');
      expectError(await get(h, '/v1/facilities/fac-a/events?date=2026-04-01', h.hubA), 401, 'unauthorized');
      expect((await post(h, fresh, batch())).status).toBe(200);
    });

    it('rotate with no grace period, and revoke: every token of the hub gets 401 at once', async () => {
      const fresh = await h.store.rotateHub('hub-a', 0);
      expectError(
        await post(h, h.hubA, { hubId: 'hub-a', facilityId: 'fac-a', events: [recentEvent()] }),
        401,
        'unauthorized',
      );
      const graced = await h.store.rotateHub('hub-a', 3_600_000);
      await h.store.revokeHub('hub-a');
      for (const token of [fresh, graced]) {
        expectError(
          await post(h, token, { hubId: 'hub-a', facilityId: 'fac-a', events: [recentEvent()] }),
          401,
          'unauthorized',
        );
        expectError(await put(h, token, sampleSnapshot('fac-a')), 401, 'unauthorized');
        expectError(await get(h, '/v1/facilities/fac-a/events?date=2026-04-01', token), 401, 'unauthorized');
      }
      // Other hubs are unaffected.
      expect(
        (await post(h, h.hubC, { hubId: 'hub-c', facilityId: 'fac-c', events: [recentEvent()] })).status,
      ).toBe(200);
    });
  });

  describe('GET /v1/orgs/:org/rollup/daily', () => {
    it('counts each facility from its roster and the day, with last relay and staleness', async () => {
      expect((await put(h, h.hubA, sampleSnapshot('fac-a'))).status).toBe(204);
      const mistaken = recentEvent({ childId: 'c-003' });
      const events = [
        recentEvent({ childId: 'c-001' }),
        recentEvent({ childId: 'c-002' }),
        recentEvent({ childId: 'c-002', type: 'check_out', occurredAt: at(DAY1, '16:00') }),
        mistaken,
        // Voided a day later: c-003 did not come after all.
        recentEvent({
          childId: 'c-003',
          type: 'void',
          voids: mistaken.id,
          actor: 'staff-1',
          occurredAt: at(DAY2, '09:00'),
        }),
        // Another day: not counted.
        recentEvent({ childId: 'c-003', type: 'absent', occurredAt: at(DAY3, '07:00') }),
      ];
      const stored = await post(h, h.hubA, { hubId: 'hub-a', facilityId: 'fac-a', events });
      expect(stored.body).toMatchObject({ rejected: [] });
      await post(h, h.hubC, { hubId: 'hub-c', facilityId: 'fac-c', events: [recentEvent()] });

      const reply = await get(h, `/v1/orgs/city-a/rollup/daily?date=${DAY1}`, h.orgA);
      expect(reply.status).toBe(200);
      expect(reply.body).toStrictEqual({
        orgId: 'city-a',
        date: DAY1,
        staleAfterSeconds: 900,
        facilities: [
          {
            facilityId: 'fac-a',
            name: 'ひまわり保育園',
            expected: 3,
            present: 1,
            left: 1,
            absent: 0,
            notArrived: 1,
            lastRelayAt: expect.any(String) as string,
            stale: false,
          },
          {
            facilityId: 'fac-b',
            name: null,
            expected: null,
            present: null,
            left: null,
            absent: null,
            notArrived: null,
            lastRelayAt: null,
            stale: true,
          },
        ],
      });

      const absentDay = await get(h, `/v1/orgs/city-a/rollup/daily?date=${DAY3}`, ADMIN);
      expect((absentDay.body as { facilities: unknown[] }).facilities[0]).toMatchObject({
        expected: 2,
        absent: 1,
        notArrived: 2,
      });

      h.advance(16 * 60_000);
      const later = await get(h, `/v1/orgs/city-a/rollup/daily?date=${DAY1}`, h.orgA);
      expect(
        (later.body as { facilities: { stale: boolean }[] }).facilities.map((f) => f.stale),
      ).toStrictEqual([true, true]);
    });

    it('refuses a malformed date and other organisations', async () => {
      expectError(await get(h, '/v1/orgs/city-a/rollup/daily?date=2026-13-01', h.orgA), 400, 'bad_request');
      expectError(await get(h, '/v1/orgs/city-a/rollup/daily', h.orgA), 400, 'bad_request');
      expectError(await get(h, '/v1/orgs/city-a/rollup/daily?date=2026-04-01', h.orgB), 403, 'forbidden');
    });

    it('uses the configured staleness', async () => {
      await h.close();
      h = await harness({ staleAfterMs: 60_000 });
      expect((await put(h, h.hubA, sampleSnapshot('fac-a'))).status).toBe(204);
      const fresh = await get(h, '/v1/orgs/city-a/rollup/daily?date=2026-04-01', h.orgA);
      expect(fresh.body).toMatchObject({
        staleAfterSeconds: 60,
        facilities: [{ stale: false }, { stale: true }],
      });
      h.advance(61_000);
      const stale = await get(h, '/v1/orgs/city-a/rollup/daily?date=2026-04-01', h.orgA);
      expect(stale.body).toMatchObject({
        facilities: [{ stale: true, lastRelayAt: expect.any(String) as string }, {}],
      });
    });
  });
});
