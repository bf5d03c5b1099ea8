import { request as httpRequest, type ClientRequest } from 'node:http';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, silentLogger, type Logger } from '../common/logger.ts';
import type { AttendanceEvent } from '../protocol/index.ts';
import { buildCloudApp, type CloudOptions } from './server.ts';
import { sampleEvent, sampleSnapshot } from '../test/contract/cloud-store.ts';
import { sqliteBackend, startTestCloud, type TestCloud } from '../test/support/cloud.ts';
import { until } from '../test/support/wait.ts';
import { openCloudSqliteStore } from './store/sqlite.ts';
import type { CloudStore } from './store/types.ts';

const ADMIN = 'admin-token-0123456789abcdef';
const METRICS = 'metrics-token-0123456789';

/**
 * A sample event of a day ago: these tests run the cloud on the real clock (hub last-seen is compared with
 * it), whose time window would refuse the sample's fixed date some day.
 */
const recentEvent = (overrides: Partial<AttendanceEvent> = {}): AttendanceEvent =>
  sampleEvent({ occurredAt: new Date(Date.now() - 86_400_000).toISOString(), ...overrides });

interface Harness extends TestCloud {
  hubA: string;
  hubB: string;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function harness(options: Partial<CloudOptions> = {}): Promise<Harness> {
  const backend = await sqliteBackend('genkan-cloud-ops-');
  const h = await startTestCloud(backend, { adminToken: ADMIN, ...options }, async (store) => ({
    hubA: await store.addHub('hub-a', 'fac-a'),
    hubB: await store.addHub('hub-b', 'fac-b'),
  }));
  cleanups.push(() => h.close());
  return h;
}

interface Reply {
  status: number;
  headers: Headers;
  text: string;
}

async function call(url: string, token?: string, init: RequestInit = {}): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  const res = await fetch(url, { ...init, headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const batch = (h: Harness, token: string, hubId: string, facilityId: string, events = [recentEvent()]) =>
  call(`${h.base}/v1/batches`, token, {
    method: 'POST',
    body: JSON.stringify({ hubId, facilityId, events }),
  });

const snapshot = (h: Harness, token: string, body: unknown) =>
  call(`${h.base}/v1/snapshot`, token, { method: 'PUT', body: JSON.stringify(body) });

const codeOf = (reply: Reply): unknown =>
  (JSON.parse(reply.text) as { error?: { code?: unknown } }).error?.code;

/** An answer the hub's relay retries (429, 5xx) after Retry-After seconds. */
function expectHubBacksOff(reply: Reply, status: number, code: string): void {
  expect(reply.status).toBe(status);
  expect(codeOf(reply)).toBe(code);
  // Delta-seconds, the form edge-hub/relay/relay.ts parseRetryAfter reads (cloud-relay may not import edge-hub).
  const retryAfter = reply.headers.get('retry-after') ?? '';
  expect(retryAfter).toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
}

/** Polls /metrics until `line` appears (no fixed sleeps). */
async function waitForMetric(base: string, line: string, token?: string): Promise<void> {
  let last = '';
  await until(
    async () => {
      last = (await call(`${base}/metrics`, token)).text;
      return last.split('\n').includes(line);
    },
    () => `the metric line ${line}\n${last}`,
  );
}

describe('cloud relay backpressure', () => {
  it('rate-limits each hub on batches and snapshots with 429 and Retry-After', async () => {
    const h = await harness({ hubRateLimit: { perSecond: 0.1, burst: 2 } });
    expect((await batch(h, h.hubA, 'hub-a', 'fac-a')).status).toBe(200);
    expect((await snapshot(h, h.hubA, sampleSnapshot('fac-a'))).status).toBe(204);
    const limited = await batch(h, h.hubA, 'hub-a', 'fac-a');
    expectHubBacksOff(limited, 429, 'rate_limited');
    // 1 token at 0.1/s: about 10 s.
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(9);
    expectHubBacksOff(await snapshot(h, h.hubA, sampleSnapshot('fac-a')), 429, 'rate_limited');
    // Per hub: another hub still gets through, and reads are not limited.
    expect((await batch(h, h.hubB, 'hub-b', 'fac-b')).status).toBe(200);
    expect((await call(`${h.base}/v1/facilities/fac-a/events?date=2026-04-01`, h.hubA)).status).toBe(200);
    // Nothing of the refused batch was stored.
    expect(await h.store.countEvents('fac-a')).toBe(1);
  });

  it('is generous by default: a draining hub sending 60 batches at once is not limited', async () => {
    const h = await harness();
    const replies = await Promise.all(Array.from({ length: 60 }, () => batch(h, h.hubA, 'hub-a', 'fac-a')));
    expect(replies.map((r) => r.status)).toStrictEqual(replies.map(() => 200));
  });

  it('answers 503 with Retry-After when too many requests are in flight; probes still answer', async () => {
    const h = await harness({ maxInFlight: 1, metricsToken: METRICS });
    // A hub's upload whose body is still arriving holds the one slot.
    const body = JSON.stringify({ hubId: 'hub-a', facilityId: 'fac-a', events: [recentEvent()] });
    const slow: ClientRequest = httpRequest(`${h.base}/v1/batches`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        authorization: `Bearer ${h.hubA}`,
      },
    });
    const slowStatus = new Promise<number>((resolve, reject) => {
      slow.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      slow.on('error', reject);
    });
    slow.write(body.slice(0, 10));
    await waitForMetric(h.base, 'genkan_cloud_requests_in_flight 1', METRICS);

    expectHubBacksOff(await batch(h, h.hubB, 'hub-b', 'fac-b'), 503, 'overloaded');
    expectHubBacksOff(await snapshot(h, h.hubB, sampleSnapshot('fac-b')), 503, 'overloaded');
    expect((await call(`${h.base}/healthz`)).status).toBe(200);
    expect((await call(`${h.base}/readyz`)).status).toBe(200);

    slow.end(body.slice(10));
    expect(await slowStatus).toBe(200);
    await waitForMetric(h.base, 'genkan_cloud_requests_in_flight 0', METRICS);
    expect((await batch(h, h.hubB, 'hub-b', 'fac-b')).status).toBe(200);
    await waitForMetric(h.base, 'genkan_cloud_backpressure_total{status="503"} 2', METRICS);
  });

  it('answers 503 when callers queue for database connections', async () => {
    const backend = await sqliteBackend('genkan-cloud-ops-');
    const real = await openCloudSqliteStore(backend.dir);
    const token = await real.addHub('hub-a', 'fac-a');
    // The SQLite store never queues; this one reports a saturated pool as PostgreSQL's would.
    const saturated: CloudStore = Object.assign(Object.create(real) as CloudStore, {
      waitingForConnection: () => 100,
    });
    const app = buildCloudApp({ store: saturated, logger: silentLogger(), maxDbWaiting: 10 });
    await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(async () => {
      await app.close();
      await real.close();
      await backend.remove();
    });
    const address = app.server.address();
    const base = `http://127.0.0.1:${String(typeof address === 'object' && address !== null ? address.port : 0)}`;
    const reply = await call(`${base}/v1/batches`, token, {
      method: 'POST',
      body: JSON.stringify({ hubId: 'hub-a', facilityId: 'fac-a', events: [recentEvent()] }),
    });
    expectHubBacksOff(reply, 503, 'overloaded');
    expect(await real.countEvents()).toBe(0);
  });
});

describe('cloud relay health and metrics', () => {
  it('GET /readyz is 200 with a reachable database and 503 not_ready without', async () => {
    const h = await harness();
    const ready = await call(`${h.base}/readyz`);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toStrictEqual({ ok: true });

    const backend = await sqliteBackend('genkan-cloud-ops-');
    const store = await openCloudSqliteStore(backend.dir);
    const app = buildCloudApp({ store, logger: silentLogger() });
    await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(async () => {
      await app.close();
      await backend.remove();
    });
    await store.close();
    const address = app.server.address();
    const base = `http://127.0.0.1:${String(typeof address === 'object' && address !== null ? address.port : 0)}`;
    const down = await call(`${base}/readyz`);
    expectHubBacksOff(down, 503, 'not_ready');
    expect((await call(`${base}/healthz`)).status).toBe(200);
  });

  it('GET /metrics reports ingest, latency, requests, backpressure, hub last-seen and snapshots', async () => {
    const h = await harness({ hubRateLimit: { perSecond: 0.01, burst: 3 } });
    const events = [recentEvent(), recentEvent()];
    const before = Math.floor(Date.now() / 1000);
    await batch(h, h.hubA, 'hub-a', 'fac-a', events);
    // Second batch: both duplicates, plus one rejected (invalid type).
    await batch(h, h.hubA, 'hub-a', 'fac-a', [...events, { ...recentEvent(), type: 'teleport' } as never]);
    await snapshot(h, h.hubA, sampleSnapshot('fac-a'));
    expect((await batch(h, h.hubA, 'hub-a', 'fac-a')).status).toBe(429);
    await call(`${h.base}/v1/facilities/fac-a/events?date=2026-04-01`, 'wrong');

    const reply = await call(`${h.base}/metrics`, ADMIN);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const lines = reply.text.split('\n');
    for (const line of [
      'genkan_cloud_events_total{outcome="accepted"} 2',
      'genkan_cloud_events_total{outcome="duplicate"} 2',
      'genkan_cloud_events_total{outcome="rejected"} 1',
      'genkan_cloud_events_rejected_total{code="invalid_event"} 1',
      'genkan_cloud_events_rejected_total{code="store_error"} 0',
      'genkan_cloud_batch_duration_seconds_bucket{le="+Inf"} 2',
      'genkan_cloud_batch_duration_seconds_count 2',
      'genkan_cloud_http_requests_total{method="POST",route="/v1/batches",status="200"} 2',
      'genkan_cloud_http_requests_total{method="POST",route="/v1/batches",status="429"} 1',
      'genkan_cloud_http_requests_total{method="PUT",route="/v1/snapshot",status="204"} 1',
      'genkan_cloud_http_requests_total{method="GET",route="/v1/facilities/:facilityId/events",status="401"} 1',
      'genkan_cloud_backpressure_total{status="429"} 1',
      'genkan_cloud_backpressure_total{status="503"} 0',
      'genkan_cloud_snapshots_total 1',
      '# TYPE genkan_cloud_batch_duration_seconds histogram',
    ]) {
      expect(lines, line).toContain(line);
    }
    const seen = lines.find((l) =>
      l.startsWith('genkan_cloud_hub_last_seen_timestamp_seconds{hub="hub-a"} '),
    );
    expect(Number(seen?.split(' ')[1])).toBeGreaterThanOrEqual(before);
    // Hub ids only: no facility names, no tokens.
    expect(reply.text).not.toContain('ひまわり');
    expect(reply.text).not.toContain(h.hubA.split('.')[1] ?? 'no secret');
  });

  it('closes /metrics by default: only the admin token opens it, with a hint in the 401', async () => {
    const h = await harness({});
    const closed = await call(`${h.base}/metrics`);
    expect(closed.status).toBe(401);
    expect(closed.text).toContain('--metrics-public');
    expect((await call(`${h.base}/metrics`, h.hubA)).status).toBe(401);
    expect((await call(`${h.base}/metrics`, ADMIN)).status).toBe(200);
  });

  it('opens /metrics to anyone with --metrics-public', async () => {
    const h = await harness({ metricsPublic: true });
    const open = await call(`${h.base}/metrics`);
    expect(open.status).toBe(200);
    expect(open.headers.get('cache-control')).toBe('no-store');
  });

  it('protects /metrics with --metrics-token when set (the admin token works too)', async () => {
    const h = await harness({ metricsToken: METRICS });
    expect((await call(`${h.base}/metrics`)).status).toBe(401);
    expect((await call(`${h.base}/metrics`, h.hubA)).status).toBe(401);
    expect((await call(`${h.base}/metrics`, METRICS)).status).toBe(200);
    expect((await call(`${h.base}/metrics`, ADMIN)).status).toBe(200);
  });
});

describe('cloud relay logs', () => {
  it('never contain names, kana, notes or tokens from batches and snapshots', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger: Logger = createLogger({ level: 'trace', destination: sink });
    const h = await harness({ logger, hubRateLimit: { perSecond: 0.01, burst: 3 } });
    const snap = sampleSnapshot('fac-a');
    const note = '山田 花子 は熱があるため早退';
    expect((await snapshot(h, h.hubA, snap)).status).toBe(204);
    expect(
      (
        await batch(h, h.hubA, 'hub-a', 'fac-a', [
          recentEvent({ type: 'check_out', note }),
          { ...recentEvent(), note, type: 'x' } as never,
        ])
      ).status,
    ).toBe(200);
    // Refusals log too: a wrong facility, a rate-limited hub, a malformed snapshot.
    await snapshot(h, h.hubA, { ...snap, children: [{ ...snap.children[0], name: 42 }] });
    await snapshot(h, h.hubA, snap);
    await call(`${h.base}/v1/facilities/fac-a/ledger/daily?date=2026-04-01`, h.hubA);
    await h.cloud.close();

    const text = lines.join('');
    expect(text).toContain('batch stored');
    expect(text).toContain('snapshot stored');
    for (const secret of [
      snap.facilityName,
      ...snap.children.flatMap((c) => [c.name, c.kana]),
      ...snap.classes.map((c) => c.name),
      note,
      '山田',
      h.hubA.split('.')[1] ?? 'no secret',
    ]) {
      expect(text, secret).not.toContain(secret);
    }
  });
});
