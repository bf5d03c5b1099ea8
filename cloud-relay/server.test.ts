import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.ts';
import { fixedClock } from '../common/time.ts';
import { BatchResponseSchema, type AttendanceEvent } from '../protocol/index.ts';
import { DEFAULT_BODY_LIMIT } from './defaults.ts';
import { startCloud, type CloudOptions } from './server.ts';
import { sampleEvent } from '../test/contract/cloud-store.ts';
import { sqliteBackend, startTestCloud, type TestCloud } from '../test/support/cloud.ts';
import { expectErrorBody } from '../test/support/error-body.ts';

const ADMIN = 'admin-token-0123456789abcdef';
/**
 * The cloud's clock: the morning after the sample events (2026-04-01 in Tokyo), so that they stay within
 * its time window whenever the tests run. Nothing else here depends on it (the store checks tokens on its
 * own clock).
 */
const NOW = new Date('2026-04-02T00:00:00.000Z');

interface Harness extends TestCloud {
  tokenA1: string;
  tokenA2: string;
  tokenB: string;
}

async function harness(options: Partial<CloudOptions> = {}): Promise<Harness> {
  const backend = await sqliteBackend('genkan-cloud-http-');
  return startTestCloud(
    backend,
    { adminToken: ADMIN, clock: fixedClock(NOW), ...options },
    async (store) => ({
      tokenA1: await store.addHub('hub-a1', 'fac-a'),
      tokenA2: await store.addHub('hub-a2', 'fac-a'),
      tokenB: await store.addHub('hub-b', 'fac-b'),
    }),
  );
}

interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
}

async function call(url: string, init: RequestInit = {}): Promise<Reply> {
  const res = await fetch(url, init);
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text === '' ? undefined : (JSON.parse(text) as unknown),
  };
}

function postRaw(h: Harness, body: string, headers: Record<string, string>): Promise<Reply> {
  return call(`${h.base}/v1/batches`, { method: 'POST', headers, body });
}

function postBatch(h: Harness, token: string | undefined, body: unknown): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  return postRaw(h, JSON.stringify(body), headers);
}

function getEvents(h: Harness, token: string | undefined, facilityId: string, query: string): Promise<Reply> {
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  return call(`${h.base}/v1/facilities/${facilityId}/events${query}`, { headers });
}

const batchOf = (events: unknown[], hubId = 'hub-a1', facilityId = 'fac-a') => ({
  hubId,
  facilityId,
  events,
});

function expectError(reply: Reply, status: number, code: string): void {
  expect(reply.status).toBe(status);
  expectErrorBody(reply.body, code);
}

const ids = (events: readonly AttendanceEvent[]) => events.map((e) => e.id);

describe('cloud relay HTTP', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('answers /healthz without a token', async () => {
    const reply = await call(`${h.base}/healthz`);
    expect(reply).toMatchObject({ status: 200, body: { ok: true } });
  });

  describe('POST /v1/batches', () => {
    it('stores a batch and reports a resend as duplicates', async () => {
      const events = [sampleEvent(), sampleEvent({ type: 'check_out', note: 'early' })];
      const first = await postBatch(h, h.tokenA1, batchOf(events));
      expect(first.status).toBe(200);
      expect(BatchResponseSchema.parse(first.body)).toStrictEqual({
        accepted: ids(events),
        duplicates: [],
        rejected: [],
      });
      const again = await postBatch(h, h.tokenA1, batchOf(events));
      expect(again.body).toStrictEqual({ accepted: [], duplicates: ids(events), rejected: [] });
      expect(await h.store.eventsOn('fac-a', '2026-04-01')).toStrictEqual(events);
      expect(await h.store.countEvents()).toBe(2);
    });

    it('stores the valid events of a batch and rejects the invalid ones with id, code and message', async () => {
      const good = sampleEvent();
      const badType = { ...sampleEvent(), type: 'teleport' };
      const noId: Record<string, unknown> = { ...sampleEvent() };
      delete noId['id'];
      const extraField = { ...sampleEvent(), colour: 'red' };
      const reply = await postBatch(h, h.tokenA1, batchOf([badType, good, noId, 'not an event', extraField]));
      expect(reply.status).toBe(200);
      expect(reply.body).toStrictEqual({
        accepted: [good.id],
        duplicates: [],
        rejected: [
          { id: badType.id, code: 'invalid_event', message: expect.stringContaining('type') as string },
          { id: null, code: 'invalid_event', message: expect.stringContaining('id') as string },
          { id: null, code: 'invalid_event', message: expect.any(String) as string },
          { id: extraField.id, code: 'invalid_event', message: expect.stringContaining('colour') as string },
        ],
      });
      expect(await h.store.countEvents()).toBe(1);
    });

    it('lets a hub token be used by a new request at once after hub add, and not after rotation', async () => {
      const token = await h.store.addHub('hub-new', 'fac-a');
      expect((await postBatch(h, token, batchOf([sampleEvent()], 'hub-new'))).status).toBe(200);
      await h.store.addHub('hub-new', 'fac-a');
      expectError(await postBatch(h, token, batchOf([sampleEvent()], 'hub-new')), 401, 'unauthorized');
      expect(await h.store.countEvents()).toBe(1);
    });

    it('refuses a missing, malformed or wrong token with 401, storing nothing', async () => {
      const body = batchOf([sampleEvent()]);
      const none = await postBatch(h, undefined, body);
      expectError(none, 401, 'unauthorized');
      expect(none.headers.get('www-authenticate')).toBe('Bearer');
      expectError(await postBatch(h, `${h.tokenA1.slice(0, -2)}xx`, body), 401, 'unauthorized');
      expectError(await postBatch(h, 'hub-a1', body), 401, 'unauthorized');
      expectError(await postBatch(h, ADMIN, body), 401, 'unauthorized');
      expectError(
        await postRaw(h, JSON.stringify(body), {
          'content-type': 'application/json',
          authorization: h.tokenA1,
        }),
        401,
        'unauthorized',
      );
      expectError(
        await postRaw(h, JSON.stringify(body), {
          'content-type': 'application/json',
          authorization: `Basic ${h.tokenA1}`,
        }),
        401,
        'unauthorized',
      );
      // Authentication comes before the body is read: a bad body without a token is still a 401.
      expectError(await postRaw(h, '{nope', { 'content-type': 'application/json' }), 401, 'unauthorized');
      expect(await h.store.countEvents()).toBe(0);
    });

    it("refuses another facility's or another hub's batch with 403, storing nothing", async () => {
      expectError(
        await postBatch(h, h.tokenA1, batchOf([sampleEvent()], 'hub-a1', 'fac-b')),
        403,
        'forbidden',
      );
      expectError(
        await postBatch(h, h.tokenA1, batchOf([sampleEvent()], 'hub-a2', 'fac-a')),
        403,
        'forbidden',
      );
      expectError(
        await postBatch(h, h.tokenB, batchOf([sampleEvent()], 'hub-a1', 'fac-a')),
        403,
        'forbidden',
      );
      expect(await h.store.countEvents()).toBe(0);
    });

    it('refuses malformed bodies with 400 and typed codes, storing nothing', async () => {
      const auth = { 'content-type': 'application/json', authorization: `Bearer ${h.tokenA1}` };
      expectError(await postRaw(h, '{"hubId":', auth), 400, 'invalid_json');
      expectError(await postRaw(h, '', auth), 400, 'invalid_json');
      expectError(await postRaw(h, '{"__proto__":{"x":1}}', auth), 400, 'invalid_json');
      expectError(await postBatch(h, h.tokenA1, [sampleEvent()]), 400, 'bad_request');
      expectError(
        await postBatch(h, h.tokenA1, { facilityId: 'fac-a', events: [sampleEvent()] }),
        400,
        'bad_request',
      );
      expectError(
        await postBatch(h, h.tokenA1, { ...batchOf([sampleEvent()]), extra: 1 }),
        400,
        'bad_request',
      );
      expectError(await postBatch(h, h.tokenA1, { ...batchOf([]), events: {} }), 400, 'bad_request');
      expectError(await postBatch(h, h.tokenA1, batchOf([])), 400, 'bad_request');
      const tooMany = Array.from({ length: 501 }, () => sampleEvent());
      expectError(await postBatch(h, h.tokenA1, batchOf(tooMany)), 400, 'batch_too_large');
      expect(await h.store.countEvents()).toBe(0);
    });

    it('accepts a full batch of 500 events', async () => {
      const full = Array.from({ length: 500 }, () => sampleEvent({ note: 'x'.repeat(500) }));
      const reply = await postBatch(h, h.tokenA1, batchOf(full));
      expect(reply.status).toBe(200);
      expect(BatchResponseSchema.parse(reply.body).accepted).toHaveLength(500);
      expect(await h.store.countEvents()).toBe(500);
    });

    it('reads bodies up to 2 MiB (over 1 MiB, the fastify default)', async () => {
      // 500 events with 3000-character notes: about 1.6 MiB, each event rejected for its note.
      const bulky = Array.from({ length: 500 }, () => ({ ...sampleEvent(), note: 'x'.repeat(3000) }));
      const body = JSON.stringify(batchOf(bulky));
      expect(body.length).toBeGreaterThan(1.5 * 1024 * 1024);
      expect(body.length).toBeLessThan(DEFAULT_BODY_LIMIT);
      const reply = await postBatch(h, h.tokenA1, batchOf(bulky));
      expect(reply.status).toBe(200);
      expect(BatchResponseSchema.parse(reply.body).rejected).toHaveLength(500);
    });

    it('refuses a body over the default 2 MiB limit with 413', async () => {
      const big = batchOf([{ ...sampleEvent(), note: 'x'.repeat(DEFAULT_BODY_LIMIT) }]);
      expectError(await postBatch(h, h.tokenA1, big), 413, 'payload_too_large');
      expect(await h.store.countEvents()).toBe(0);
    });

    it('refuses bodies that are not application/json with 415', async () => {
      const body = JSON.stringify(batchOf([sampleEvent()]));
      const bearer = `Bearer ${h.tokenA1}`;
      expectError(
        await postRaw(h, body, { authorization: bearer, 'content-type': 'text/plain' }),
        415,
        'unsupported_media_type',
      );
      expectError(
        await postRaw(h, body, {
          authorization: bearer,
          'content-type': 'application/x-www-form-urlencoded',
        }),
        415,
        'unsupported_media_type',
      );
      expectError(
        await postRaw(h, body, { authorization: bearer, 'content-type': 'nonsense' }),
        415,
        'unsupported_media_type',
      );
      const charset = await postRaw(h, body, {
        authorization: bearer,
        'content-type': 'application/json; charset=utf-8',
      });
      expect(charset.status).toBe(200);
      expect(await h.store.countEvents()).toBe(1);
    });
  });

  describe('GET /v1/facilities/F/events', () => {
    let onDay: AttendanceEvent[];
    beforeEach(async () => {
      onDay = [
        sampleEvent({ occurredAt: '2026-03-31T15:00:00Z' }),
        sampleEvent({ occurredAt: '2026-04-01T17:59:00+09:00' }),
      ];
      const otherDay = sampleEvent({ occurredAt: '2026-03-31T14:59:59Z' });
      await postBatch(h, h.tokenA1, batchOf([onDay[1], otherDay, onDay[0]]));
      await postBatch(h, h.tokenB, batchOf([sampleEvent()], 'hub-b', 'fac-b'));
    });

    it("serves a facility's events of one local date to its hubs and to the admin", async () => {
      for (const token of [h.tokenA1, h.tokenA2, ADMIN]) {
        const reply = await getEvents(h, token, 'fac-a', '?date=2026-04-01');
        expect(reply.status).toBe(200);
        expect(reply.body).toStrictEqual({ facilityId: 'fac-a', date: '2026-04-01', events: onDay });
        expect(reply.headers.get('cache-control')).toBe('no-store');
      }
      const empty = await getEvents(h, h.tokenA1, 'fac-a', '?date=2026-05-01');
      expect(empty.body).toStrictEqual({ facilityId: 'fac-a', date: '2026-05-01', events: [] });
    });

    it('refuses without a valid token (401) and across facilities (403)', async () => {
      expectError(await getEvents(h, undefined, 'fac-a', '?date=2026-04-01'), 401, 'unauthorized');
      expectError(await getEvents(h, 'hub-a1.nope', 'fac-a', '?date=2026-04-01'), 401, 'unauthorized');
      expectError(await getEvents(h, h.tokenB, 'fac-a', '?date=2026-04-01'), 403, 'forbidden');
      expectError(await getEvents(h, h.tokenB, 'fac-unknown', '?date=2026-04-01'), 403, 'forbidden');
    });

    it('refuses a missing or malformed date with 400, and an unknown facility with 404', async () => {
      for (const query of ['', '?date=2026-4-1', '?date=2026-02-30', '?date=2026-04-01&date=2026-04-02']) {
        expectError(await getEvents(h, h.tokenA1, 'fac-a', query), 400, 'bad_request');
      }
      expectError(await getEvents(h, ADMIN, 'fac-unknown', '?date=2026-04-01'), 404, 'not_found');
      expectError(await getEvents(h, ADMIN, 'fac.a', '?date=2026-04-01'), 400, 'bad_request');
    });
  });

  it('answers unknown routes with 404 in the error shape', async () => {
    expectError(await call(`${h.base}/v1/nothing`), 404, 'not_found');
    expectError(await call(`${h.base}/v1/batches`), 404, 'not_found');
    expectError(await call(`${h.base}/v1/facilities/%E0%A4%A/events?date=2026-04-01`), 400, 'bad_request');
  });
});

describe('cloud relay configuration', () => {
  it('disables admin reads without an admin token; hub tokens still read', async () => {
    const h = await harness({ adminToken: undefined });
    try {
      expectError(await getEvents(h, ADMIN, 'fac-a', '?date=2026-04-01'), 401, 'unauthorized');
      expect((await getEvents(h, h.tokenA1, 'fac-a', '?date=2026-04-01')).status).toBe(200);
    } finally {
      await h.close();
    }
  });

  it('honours a smaller body limit', async () => {
    const h = await harness({ bodyLimit: 1024 });
    try {
      expectError(
        await postBatch(
          h,
          h.tokenA1,
          batchOf([sampleEvent({ note: 'x'.repeat(500) }), sampleEvent({ note: 'y'.repeat(500) })]),
        ),
        413,
        'payload_too_large',
      );
      expect((await postBatch(h, h.tokenA1, batchOf([sampleEvent()]))).status).toBe(200);
    } finally {
      await h.close();
    }
  });

  it('refuses a short admin token at start and releases the data directory', async () => {
    const backend = await sqliteBackend('genkan-cloud-http-');
    await expect(
      startCloud({ dataDir: backend.dir, port: 0, adminToken: 'short', logger: silentLogger() }),
    ).rejects.toMatchObject({ code: 'weak_admin_token' });
    const cloud = await startCloud({ dataDir: backend.dir, port: 0, logger: silentLogger() });
    expect(cloud.port).toBeGreaterThan(0);
    await cloud.close();
    await cloud.close();
    await backend.remove();
  });
});
