import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { topics } from '../../protocol/index.ts';
import { parentFetchFailure, relayWarnings, withParentFetch } from './health.ts';
import type { Relay } from './relay.ts';
import { backoffDelay, hubIdOf, networkReason, parseRetryAfter } from './relay.ts';
import { HubStore } from '../store/hub-store.ts';
import { acceptAll, dropConnection, FakeCloud, json, type Handler } from '../../test/support/fake-cloud.ts';
import { connect, makeEvent, provision, removeDir, startTestHub, tempDir } from '../../test/support/hub.ts';
import { startTestRelay } from '../../test/support/relay.ts';
import { until } from '../../test/support/wait.ts';

describe('relay helpers', () => {
  it('takes the hub id from the token', () => {
    expect(hubIdOf('hub1.s3cret.more')).toBe('hub1');
    expect(() => hubIdOf('no-dot')).toThrow(/HUBID.SECRET/);
    expect(() => hubIdOf('bad/id.x')).toThrow();
  });

  it('backs off exponentially with full jitter, capped', () => {
    expect(backoffDelay(0, 500, 30_000, () => 0.999)).toBe(499);
    expect(backoffDelay(3, 500, 30_000, () => 0.5)).toBe(2000);
    expect(backoffDelay(20, 500, 30_000, () => 0.999)).toBe(29_970);
    expect(backoffDelay(5, 500, 30_000, () => 0)).toBe(0);
  });

  it('reads Retry-After in seconds or as a date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    const now = Date.parse('2026-04-01T00:00:00Z');
    expect(parseRetryAfter('Wed, 01 Apr 2026 00:00:10 GMT', now)).toBe(10_000);
  });

  it('names a network failure by its code, never by what was sent', () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
    });
    expect(networkReason(refused)).toBe('network ECONNREFUSED');
    expect(networkReason(new DOMException('The operation timed out', 'TimeoutError'))).toBe('timeout');
  });

  /** A configured relay with nothing waiting and no error. */
  const IDLE_RELAY = {
    configured: true as const,
    waiting: 0,
    oldestWaitingAt: null,
    oldestAgeSeconds: null,
    lastError: null,
    lastSuccessAt: null,
    rejected: 0,
  };

  it('warns when the oldest waiting event is older than 15 minutes', () => {
    const health = {
      configured: true as const,
      waiting: 1,
      oldestWaitingAt: '2026-04-01T00:00:00.000Z',
      oldestAgeSeconds: 900,
      lastError: null,
      lastSuccessAt: null,
      rejected: 0,
    };
    const now = new Date('2026-04-01T00:00:00.000Z');
    expect(relayWarnings(health, now)).toEqual([]);
    expect(relayWarnings({ ...health, oldestAgeSeconds: 901 }, now)).toEqual(['relay_stalled']);
    expect(relayWarnings({ configured: false }, now)).toEqual([]);
  });

  it("warns when parents' messages have failed to arrive for over 2 minutes, and not once they do", () => {
    const health = IDLE_RELAY;
    const since = new Date('2026-04-01T01:00:00.000Z');
    const failing = withParentFetch(
      health,
      { reason: 'HTTP 401 bad_token', at: new Date('2026-04-01T01:01:30.000Z'), since },
      'Asia/Tokyo',
    );
    // Since the run's first failure, in the facility's zone; the reason is the last failure's.
    expect(failing.parentMessages).toEqual({
      failingSince: '2026-04-01T10:00:00.000+09:00',
      reason: 'HTTP 401 bad_token',
    });
    const after = (seconds: number) => new Date(since.getTime() + seconds * 1000);
    expect(relayWarnings(failing, after(120))).toEqual([]);
    expect(relayWarnings(failing, after(121))).toEqual(['parent_messages_stalled']);
    expect(relayWarnings({ ...failing, oldestAgeSeconds: 901 }, after(121))).toEqual([
      'relay_stalled',
      'parent_messages_stalled',
    ]);
    // A shorter threshold (a test hub's).
    expect(relayWarnings(failing, after(2), 1)).toEqual(['parent_messages_stalled']);
    // A fetch answered: the field goes, and so does the warning.
    const answered = withParentFetch(health, null, 'Asia/Tokyo');
    expect(answered.parentMessages).toBeUndefined();
    expect(relayWarnings(answered, after(600))).toEqual([]);
  });

  it("keeps quiet about a failing fetch of parents' messages while no guardian has the parent app", () => {
    const failure = { reason: 'HTTP 503 unavailable', at: new Date(0), since: new Date(0) };
    const fetcher = { lastError: () => failure };
    const access = (...revoked: boolean[]) => ({ all: () => revoked.map((r) => ({ revoked: r })) });
    expect(parentFetchFailure(fetcher, access())).toBeNull();
    expect(parentFetchFailure(fetcher, access(true))).toBeNull();
    expect(parentFetchFailure(fetcher, access(true, false))).toBe(failure);
    expect(parentFetchFailure(undefined, access(false))).toBeNull();
  });

  it("shows a failing fetch of parents' messages when the relay itself has no error", () => {
    const health = IDLE_RELAY;
    const at = new Date('2026-04-01T00:00:00.000Z');
    const since = at;
    const tz = 'Asia/Tokyo';
    expect(withParentFetch(health, null, tz)).toBe(health);
    expect(withParentFetch(health, { reason: 'network ECONNREFUSED', at, since }, tz).lastError).toEqual({
      reason: 'parent_messages: network ECONNREFUSED',
      at: '2026-04-01T00:00:00.000Z',
    });
    const failing = { ...health, lastError: { reason: 'http 503', at: at.toISOString() } };
    // The relay's own error stays; the failing fetch is in parentMessages only.
    expect(withParentFetch(failing, { reason: 'timeout', at, since }, tz)).toEqual({
      ...failing,
      parentMessages: { failingSince: '2026-04-01T09:00:00.000+09:00', reason: 'timeout' },
    });
  });
});

describe('Relay', () => {
  let dir: string;
  let store: HubStore;
  let cloud: FakeCloud;
  let url: string;
  let relay: Relay | undefined;
  let progress: { cursor: number; resolve: () => void }[] = [];
  /** Resolves once the relay's cursor has reached `cursor`. */
  const cursorAt = (cursor: number) =>
    new Promise<void>((resolve) => {
      if (store.outbox.relayCursor() >= cursor) resolve();
      else progress.push({ cursor, resolve });
    });

  const startRelay = (extra: Partial<ConstructorParameters<typeof Relay>[0]> = {}) => {
    // These tests are about events: the history (the seeded snapshot version) counts as relayed
    // (history-relay.test.ts covers it).
    for (const v of store.history.unrelayed(100)) store.history.markRelayed(v.version);
    relay = startTestRelay(store, url, {
      configErrorDelayMs: 10,
      pollIntervalMs: 60_000,
      onProgress: (cursor) => {
        progress = progress.filter((p) => {
          if (cursor < p.cursor) return true;
          p.resolve();
          return false;
        });
      },
      ...extra,
    });
    return relay;
  };

  beforeEach(async () => {
    dir = await tempDir();
    store = HubStore.open(dir);
  });
  afterEach(async () => {
    await relay?.close();
    relay = undefined;
    progress = [];
    await cloud.close();
    store.close();
    await removeDir(dir);
  });

  it('retries through network errors, 5xx and 429, then advances the cursor', async () => {
    cloud = new FakeCloud(acceptAll).then(
      dropConnection,
      json(503, { error: { code: 'internal', message: 'down' } }),
      json(429, { error: { code: 'slow_down', message: '' } }, { 'retry-after': '0' }),
    );
    url = await cloud.listen();
    const events = Array.from({ length: 3 }, () => makeEvent());
    store.events.insertEvents(events);
    startRelay();
    await cursorAt(3);
    await relay?.close();
    expect(cloud.received).toHaveLength(4);
    expect(cloud.received.map((r) => r.auth)).toEqual(Array(4).fill('Bearer hub1.secret'));
    // the same batch each time, in storage order, with exactly the protocol fields
    for (const r of cloud.received) expect(r.body).toEqual({ hubId: 'hub1', facilityId: 'f1', events });
    expect(store.outbox.relayCursor()).toBe(3);
  });

  it('honours Retry-After', async () => {
    const times: number[] = [];
    cloud = new FakeCloud((req, res, body) => {
      times.push(performance.now());
      acceptAll(req, res, body);
    }).then((_req, res, body) => {
      times.push(performance.now());
      json(503, { error: { code: 'internal', message: 'busy' } }, { 'retry-after': '1' })(_req, res, body);
    });
    url = await cloud.listen();
    store.events.insertEvents([makeEvent()]);
    startRelay();
    await cursorAt(1);
    const [first, second] = times;
    expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(990);
  });

  it('sends at most 500 events per request, in hub_seq order, one request at a time', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    cloud = new FakeCloud((req, res, body) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setImmediate(() => {
        inFlight--;
        acceptAll(req, res, body);
      });
    });
    url = await cloud.listen();
    const events = Array.from({ length: 1200 }, () => makeEvent());
    store.events.insertEvents(events);
    startRelay();
    await cursorAt(1200);
    await relay?.close();
    expect(cloud.received.map((r) => r.body.events.length)).toEqual([500, 500, 200]);
    expect(cloud.received.flatMap((r) => r.body.events.map((e) => e.id))).toEqual(events.map((e) => e.id));
    expect(maxInFlight).toBe(1);
    expect(store.outbox.relayCursor()).toBe(1200);
  });

  it('records rejects, counts duplicates as done, and does not resend after a restart', async () => {
    cloud = new FakeCloud(acceptAll).then((_req, res, body) => {
      const [a, b, c] = body.events.map((e) => e.id);
      json(200, {
        accepted: [a],
        duplicates: [b],
        rejected: [{ id: c, code: 'unknown_child', message: 'no such child' }],
      })(_req, res, body);
    });
    url = await cloud.listen();
    const first = Array.from({ length: 3 }, () => makeEvent());
    store.events.insertEvents(first);
    startRelay();
    await cursorAt(3);
    await relay?.close();
    expect(store.outbox.relayRejects()).toEqual([
      { id: first[2]?.id, hubSeq: 3, code: 'unknown_child', message: 'no such child' },
    ]);

    // a new relay (hub restart) sends only what came after the cursor
    const later = makeEvent();
    store.events.insertEvents([later]);
    startRelay();
    await cloud.requests(2);
    expect(cloud.received[1]?.body.events).toEqual([later]);
  });

  it('reports its health: waiting, oldest, last error, last success, rejected', async () => {
    let now = Date.parse('2026-04-01T00:20:00Z');
    const clock = { now: () => new Date(now) };
    let answer: (() => void) | undefined;
    // Held until the test has looked at the health between the failure and the success.
    const held: Handler = (req, res, body) => {
      answer = () => {
        const [a, b, c] = body.events.map((e) => e.id);
        json(200, {
          accepted: [a, b],
          duplicates: [],
          rejected: [{ id: c, code: 'implausible_time', message: 'occurredAt is in the future' }],
        })(req, res, body);
      };
    };
    cloud = new FakeCloud(acceptAll).then(json(500, { error: { code: 'internal', message: 'down' } }), held);
    url = await cloud.listen();
    store.events.insertEvents([makeEvent(), makeEvent()], '2026-04-01T00:00:00.000Z');
    store.events.insertEvents([makeEvent()], '2026-04-01T00:05:00.000Z');
    const r = startRelay({ clock });
    expect(r.health()).toEqual({
      configured: true,
      waiting: 3,
      oldestWaitingAt: '2026-04-01T00:00:00.000Z',
      oldestAgeSeconds: 1200,
      lastError: null,
      lastSuccessAt: null,
      rejected: 0,
    });

    await cloud.requests(2);
    expect(r.health()).toMatchObject({
      waiting: 3,
      lastError: { reason: 'HTTP 500 internal', at: '2026-04-01T00:20:00.000Z' },
      lastSuccessAt: null,
    });

    now += 60_000;
    answer?.();
    await cursorAt(3);
    expect(r.health()).toEqual({
      configured: true,
      waiting: 0,
      oldestWaitingAt: null,
      oldestAgeSeconds: null,
      lastError: null,
      lastSuccessAt: '2026-04-01T00:21:00.000Z',
      rejected: 1,
    });
    // The rejected event stays at the hub, and is not sent again.
    expect(store.events.countEvents()).toBe(3);
    expect(store.outbox.relayBacklog()).toEqual({ waiting: 0, oldestReceivedAt: null });
  });

  it('reports a refused connection without personal data', async () => {
    cloud = new FakeCloud(dropConnection);
    url = await cloud.listen();
    store.events.insertEvents([makeEvent({ note: '山田 太郎 fever' })]);
    const r = startRelay();
    await cloud.requests(1);
    await until(() => r.health().lastError !== null, 'the relay to report an error');
    const health = JSON.stringify(r.health());
    expect(health).toMatch(/"reason":"network /);
    expect(health).not.toContain('山田');
  });

  it('resends a batch the response does not fully cover', async () => {
    const events = [makeEvent(), makeEvent()];
    cloud = new FakeCloud(acceptAll).then(
      json(200, { accepted: [events[0]?.id], duplicates: [], rejected: [] }),
    );
    url = await cloud.listen();
    store.events.insertEvents(events);
    startRelay();
    await cursorAt(2);
    await relay?.close();
    expect(cloud.received).toHaveLength(2);
    expect(cloud.received[1]?.body.events).toEqual(events);
  });

  it('keeps retrying (slowly) on 401, 403, 400 and 413, never dropping events', async () => {
    const refuse = (status: number) => json(status, { error: { code: 'unauthorized', message: 'no' } });
    cloud = new FakeCloud(acceptAll).then(refuse(401), refuse(403), refuse(400), refuse(413));
    url = await cloud.listen();
    store.events.insertEvents([makeEvent()]);
    startRelay();
    await cursorAt(1);
    await relay?.close();
    expect(cloud.received).toHaveLength(5);
  });

  it('times out a request that hangs, and retries', async () => {
    cloud = new FakeCloud(acceptAll).then(() => {
      // never answer
    });
    url = await cloud.listen();
    store.events.insertEvents([makeEvent()]);
    startRelay({ timeoutMs: 50 });
    await cursorAt(1);
    await relay?.close();
    expect(cloud.received).toHaveLength(2);
  });

  it('sends soon after a commit notification', async () => {
    cloud = new FakeCloud(acceptAll);
    url = await cloud.listen();
    startRelay();
    const event = makeEvent();
    store.events.insertEvents([event]);
    relay?.notify();
    await cloud.requests(1);
    expect(cloud.received[0]?.body.events).toEqual([event]);
  });
});

describe('hub with a cloud relay', () => {
  it('forwards events committed from MQTT', async () => {
    const cloud = new FakeCloud(acceptAll);
    const url = await cloud.listen();
    const site = await provision(1);
    const hub = await startTestHub(site, { cloud: { url, token: 'hub1.secret' } });
    const client = await connect(hub.ports.mqtt, site.devices[0]);
    try {
      const event = makeEvent();
      await client.publishAsync(topics.events('f1', 'kiosk-1'), JSON.stringify(event), { qos: 1 });
      const batches = () => cloud.received.filter((r) => r.url === '/v1/batches');
      await until(() => batches().length > 0, 'a batch at the cloud');
      expect(batches()[0]?.body).toEqual({ hubId: 'hub1', facilityId: 'f1', events: [event] });
      // The hub also sent its snapshot version for the cloud's ledgers (its seeded version 1).
      await until(
        () => cloud.calls().includes('PUT /v1/snapshots/1'),
        'the facility snapshot version at the cloud',
      );
      const version = cloud.received.find((r) => r.url === '/v1/snapshots/1')?.body;
      expect(version).toMatchObject({
        version: 1,
        effectiveFrom: '0001-01-01',
        snapshot: { facilityId: 'f1' },
      });
    } finally {
      await client.endAsync();
      await hub.close();
      await cloud.close();
      await removeDir(site.dir);
    }
  });
});
