import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, silentLogger, type Logger } from '../common/logger.ts';
import type { AttendanceEvent } from '../protocol/index.ts';
import { sampleEvent } from '../test/contract/cloud-store.ts';
import { sqliteBackend, startTestCloud, type SqliteBackend } from '../test/support/cloud.ts';
import { until } from '../test/support/wait.ts';
import { WebhookReceiver, type ReceivedRequest } from '../test/support/webhook-receiver.ts';
import { startCloud, type CloudServer } from './server.ts';
import { openCloudStore } from './store/open.ts';
import { retryDelayMs, type WebhookTuning } from './webhooks/tuning.ts';

/**
 * A facility's signed outgoing webhook, end to end in-process: uploads through POST /v1/batches, the
 * cloud's webhook worker, and a local receiver that checks each request as an integrator would.
 */

const SECRET = 'test-webhook-secret-0123456789';
/** A receiver's own token in the URL's query: it must never reach a log. */
const HOOK_PATH = '/hook?token=receiver-token-in-query';
/** Short times for tests; the poll is slow unless a test needs it, so that uploads are what wakes it. */
const FAST: Partial<WebhookTuning> = {
  pollMs: 60_000,
  settleMs: 20,
  timeoutMs: 400,
  retryBaseMs: 50,
  retryMaxMs: 200,
};

interface Delivery {
  id: string;
  facilityId: string;
  events: Record<string, unknown>[];
}

const bodyOf = (r: ReceivedRequest): Delivery => JSON.parse(r.body) as Delivery;
const eventIds = (requests: readonly ReceivedRequest[]): string[] =>
  requests.flatMap((r) => bodyOf(r).events.map((e) => String(e['id'])));
const succeeded = (r: ReceivedRequest): boolean => typeof r.answer !== 'string' && statusOf(r) < 300;
const statusOf = (r: ReceivedRequest): number =>
  typeof r.answer === 'number' ? r.answer : r.answer === 'hang' ? 0 : r.answer.status;

/**
 * What a receiver does with Genkan-Signature (docs/webhooks.md): t within 5 minutes of its clock, and the
 * HMAC-SHA256 of "t.rawBody" compared in constant time.
 */
function signatureValid(secret: string, header: string | string[] | undefined, rawBody: string): boolean {
  if (typeof header !== 'string') return false;
  const fields = new Map(header.split(',').map((part) => part.split('=', 2) as [string, string]));
  const t = fields.get('t') ?? '';
  const given = Buffer.from(fields.get('v1') ?? '', 'hex');
  if (!/^\d+$/.test(t) || Math.abs(Date.now() / 1000 - Number(t)) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Events stamped a minute ago, as a kiosk's would be (the cloud refuses implausible times). */
function recentEvents(n: number, overrides: Partial<AttendanceEvent> = {}): AttendanceEvent[] {
  const occurredAt = new Date(Date.now() - 60_000).toISOString();
  return Array.from({ length: n }, () => sampleEvent({ occurredAt, ...overrides }));
}

/** The ids of one upload in receipt order: one upload shares a receipt time, then id order decides. */
const receiptOrder = (events: readonly AttendanceEvent[]): string[] => events.map((e) => e.id).sort();

async function upload(base: string, token: string, events: AttendanceEvent[]): Promise<void> {
  const res = await fetch(`${base}/v1/batches`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ hubId: 'hub-a', facilityId: 'fac-a', events }),
  });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { accepted: string[] }).accepted).toHaveLength(events.length);
}

/** A logger whose lines the test reads. */
function capturedLogger(): { logger: Logger; text: () => string } {
  const lines: string[] = [];
  return {
    logger: createLogger({ level: 'debug', destination: { write: (line: string) => lines.push(line) } }),
    text: () => lines.join(''),
  };
}

describe('webhook delivery', () => {
  let backend: SqliteBackend;
  let receiver: WebhookReceiver;
  beforeEach(async () => {
    backend = await sqliteBackend('genkan-webhooks-');
    receiver = await WebhookReceiver.start();
  });
  afterEach(async () => {
    await receiver.close();
    await backend.remove();
  });

  /** A whole cloud (startCloud, as a process runs it) on the test's database, with this webhook tuning. */
  function cloudProcessOn(tuning: Partial<WebhookTuning>): Promise<CloudServer> {
    return startCloud({
      ...backend.location,
      port: 0,
      host: '127.0.0.1',
      logger: silentLogger(),
      webhooks: tuning,
    });
  }

  /** An in-process cloud over the test's backend, with fac-a's webhook set to the receiver. */
  function cloud(tuning: Partial<WebhookTuning>, logger: Logger = silentLogger()) {
    return startTestCloud(backend, { webhooks: tuning, logger, metricsPublic: true }, async (store) => {
      const token = await store.addHub('hub-a', 'fac-a');
      await store.webhooks.set('fac-a', receiver.url(HOOK_PATH), SECRET, new Date());
      return { token };
    });
  }

  it('POSTs an upload at once, signed, with the events and no more than the integrator needs', async () => {
    const log = capturedLogger();
    // The poll is a minute away: the upload itself wakes the worker.
    const h = await cloud(FAST, log.logger);
    try {
      const events = [
        ...recentEvents(2),
        ...recentEvents(1, { type: 'check_out', method: 'staff', actor: 'staff-1', note: '早退' }),
      ];
      await upload(h.base, h.token, events);
      const [request] = await receiver.waitFor(1, 5_000);
      if (request === undefined) throw new Error('no request');

      expect(request.path).toBe(HOOK_PATH);
      expect(request.headers['content-type']).toBe('application/json');
      expect(signatureValid(SECRET, request.headers['genkan-signature'], request.body)).toBe(true);
      expect(
        signatureValid('another-secret-0123456789', request.headers['genkan-signature'], request.body),
      ).toBe(false);
      expect(signatureValid(SECRET, request.headers['genkan-signature'], `${request.body} `)).toBe(false);
      const delivery = bodyOf(request);
      expect(request.headers['genkan-delivery']).toBe(delivery.id);
      expect(delivery.facilityId).toBe('fac-a');
      expect(delivery.events.map((e) => e['id'])).toEqual(receiptOrder(events));
      const staffOut = events[2];
      expect(delivery.events.find((e) => e['id'] === staffOut?.id)).toStrictEqual({
        id: staffOut?.id,
        type: 'check_out',
        childId: 'c-001',
        occurredAt: staffOut?.occurredAt,
        method: 'staff',
        deviceId: 'kiosk-1',
        note: '早退',
      });

      // The cursor is stored just after the answer.
      const shown = await until(async () => {
        const webhook = await h.store.webhooks.get('fac-a');
        return webhook?.lastStatus === '200' ? webhook : undefined;
      }, 'the delivery recorded');
      expect(shown).toMatchObject({ pending: 0, attempts: 0, lastError: null });
      const metrics = await (await fetch(`${h.base}/metrics`)).text();
      expect(metrics).toContain('genkan_cloud_webhook_deliveries_total{outcome="ok"} 1');
      expect(metrics).toContain('genkan_cloud_webhook_deliveries_total{outcome="failed"} 0');
    } finally {
      await h.close();
    }
    // Outcomes are logged by facility, status and the URL's origin only.
    expect(log.text()).toContain('webhook delivered');
    expect(log.text()).toContain(new URL(receiver.url()).origin);
    expect(log.text()).not.toContain('receiver-token-in-query');
    expect(log.text()).not.toContain(SECRET);
  });

  it('retries after a 500 and a timeout with the same delivery id; nothing is lost or reordered', async () => {
    const h = await cloud(FAST);
    try {
      receiver.answers.push(500, 'hang');
      const first = recentEvents(3);
      await upload(h.base, h.token, first);
      await receiver.waitFor(1);
      // Uploaded while the first batch is failing: it waits behind it.
      const second = recentEvents(2, { childId: 'c-002' });
      await upload(h.base, h.token, second);
      const requests = await receiver.waitFor(4);

      const [failed500, timedOut, retried, next] = requests;
      if (failed500 === undefined || timedOut === undefined || retried === undefined || next === undefined) {
        throw new Error('missing requests');
      }
      expect(requests.map((r) => r.answer)).toEqual([500, 'hang', 200, 200]);
      const id = bodyOf(failed500).id;
      expect([timedOut, retried].map((r) => bodyOf(r).id)).toEqual([id, id]);
      expect([timedOut, retried].map((r) => r.headers['genkan-delivery'])).toEqual([id, id]);
      for (const r of [failed500, timedOut, retried]) expect(eventIds([r])).toEqual(receiptOrder(first));
      for (const r of requests)
        expect(signatureValid(SECRET, r.headers['genkan-signature'], r.body)).toBe(true);
      expect(bodyOf(next).id).not.toBe(id);
      // What was acknowledged, in order: every event once, in receipt order.
      expect(eventIds(requests.filter(succeeded))).toEqual([...receiptOrder(first), ...receiptOrder(second)]);
      await until(async () => (await h.store.webhooks.get('fac-a'))?.pending === 0, 'the cursor at the end');
      expect(await h.store.webhooks.get('fac-a')).toMatchObject({ attempts: 0, lastStatus: '200' });
    } finally {
      await h.close();
    }
  });

  it('after a restart on the same database, goes on from the stored cursor and retries the failed batch', async () => {
    const store = await openCloudStore(backend.location, silentLogger());
    const token = await store.addHub('hub-a', 'fac-a');
    await store.webhooks.set('fac-a', receiver.url(HOOK_PATH), SECRET, new Date());
    // A webhook backing off when its process stopped is found again by the next start's poll.
    const tuning = { ...FAST, pollMs: 100 };
    const start = () => cloudProcessOn(tuning);
    let server: CloudServer | undefined;
    try {
      server = await start();
      const base = `http://127.0.0.1:${String(server.port)}`;
      const acknowledged = recentEvents(2);
      await upload(base, token, acknowledged);
      await receiver.waitFor(1);
      receiver.fallback = 503;
      const failing = recentEvents(2);
      await upload(base, token, failing);
      await receiver.waitFor(2);
      // Stopped only once the failure is on record: stopped mid-request, the next process would make a new
      // batch (with the events received meanwhile) under a new delivery id, which is right but not this test.
      await until(
        async () => (await store.webhooks.get('fac-a'))?.lastStatus === '503',
        'the failed delivery on record',
      );
      await server.close();
      server = undefined;

      // Received meanwhile by another cloud process.
      const meanwhile = recentEvents(1);
      await store.insertBatch('fac-a', 'hub-a', meanwhile);
      receiver.fallback = 200;
      server = await start();
      await receiver.waitUntil(
        (received) => eventIds(received.filter(succeeded)).length === 5,
        'the events after the restart',
      );

      const ok = receiver.received.filter(succeeded);
      expect(eventIds(ok)).toEqual([
        ...receiptOrder(acknowledged),
        ...receiptOrder(failing),
        ...receiptOrder(meanwhile),
      ]);
      // Acknowledged once, never sent again; the failed batch came back under its own id.
      expect(receiver.received.filter((r) => eventIds([r]).includes(acknowledged[0]?.id ?? '')).length).toBe(
        1,
      );
      const failedIds = new Set(
        receiver.received
          .filter((r) => eventIds([r]).includes(failing[0]?.id ?? ''))
          .map((r) => bodyOf(r).id),
      );
      expect(failedIds.size).toBe(1);
    } finally {
      await server?.close();
      await store.close();
    }
  });

  it('never has two cloud processes on one database deliver at the same time', async () => {
    const store = await openCloudStore(backend.location, silentLogger());
    const token = await store.addHub('hub-a', 'fac-a');
    await store.webhooks.set('fac-a', receiver.url(HOOK_PATH), SECRET, new Date());
    // Both poll often and deliver 2 events at a time to a slow receiver: they compete for every batch.
    const tuning = { ...FAST, pollMs: 20, batchMax: 2 };
    receiver.fallback = { status: 200, afterMs: 40 };
    const start = () => cloudProcessOn(tuning);
    const servers = [await start(), await start()];
    try {
      const uploaded: AttendanceEvent[][] = [];
      for (let i = 0; i < 6; i += 1) {
        const server = servers[i % 2];
        if (server === undefined) throw new Error('no server');
        const events = recentEvents(3);
        uploaded.push(events);
        await upload(`http://127.0.0.1:${String(server.port)}`, token, events);
      }
      await receiver.waitUntil(
        (received) => eventIds(received.filter(succeeded)).length >= 18,
        'every event delivered',
        20_000,
      );
      expect(receiver.maxInFlight).toBe(1);
      const delivered = eventIds(receiver.received.filter(succeeded));
      expect(delivered).toEqual(uploaded.flatMap(receiptOrder));
      // The cursor is stored just after the last answer.
      await until(async () => (await store.webhooks.get('fac-a'))?.pending === 0, 'the cursor at the end');
    } finally {
      await Promise.all(servers.map((s) => s.close()));
      await store.close();
    }
  });
});

describe('webhook retry delays', () => {
  it('double from 1 s up to 10 minutes, with jitter of ±20 %', () => {
    const tuning = { retryBaseMs: 1_000, retryMaxMs: 600_000 };
    const middle = (attempts: number) => retryDelayMs(attempts, tuning, () => 0.5);
    expect([1, 2, 3, 4].map(middle)).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(middle(10)).toBe(512_000);
    expect(middle(11)).toBe(600_000);
    expect(middle(1_000)).toBe(600_000);
    expect(retryDelayMs(3, tuning, () => 0)).toBe(3_200);
    expect(retryDelayMs(3, tuning, () => 0.999_999)).toBeLessThanOrEqual(4_800);
    expect(retryDelayMs(20, tuning, () => 0)).toBe(480_000);
  });
});
