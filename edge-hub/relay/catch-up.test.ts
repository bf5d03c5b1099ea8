import { rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.ts';
import { fixedClock } from '../../common/time.ts';
import type {
  Amendment,
  AttendanceEvent,
  HubAmendmentsPage,
  HubEventsPage,
  HubSnapshotsPage,
  SnapshotVersion,
} from '../../protocol/index.ts';
import {
  newRestoreMark,
  readRestoreMark,
  RESTORE_MARK_FILE,
  writeRestoreMark,
} from '../backup/restore-mark.ts';
import { snapshotOf } from '../facility/history.ts';
import { amendmentOf, correctionOf } from '../store/corrections.ts';
import type { StoredEvent } from '../store/events.ts';
import type { SnapshotContent } from '../store/history.ts';
import { HubStore } from '../store/hub-store.ts';
import { sampleAmendment } from '../../test/contract/cloud-store-fixtures.ts';
import { acceptAll, dropConnection, FakeCloud, json, type Handler } from '../../test/support/fake-cloud.ts';
import { makeEvent, provision, removeDir, startTestHub, tempDir } from '../../test/support/hub.ts';
import { until } from '../../test/support/wait.ts';
import { CloudCatchUp, type CloudCatchUpOptions } from './catch-up.ts';
import { Relay } from './relay.ts';

/**
 * A restored hub's catch-up from the cloud (catch-up.ts) against a fake cloud: the cloud's snapshot
 * versions and amendments adopted, its events stored once, a version issued here since the restore
 * renumbered above the cloud's when its number clashes, and the relay retrying it without giving up
 * while it reports `catchingUp`.
 */

const TZ = 'Asia/Tokyo';
const FACILITY = 'f1';
const TOKEN = 'hub1.secret';
/** The hub's clock: the day after the backup, so that the cloud's events are within the time window. */
const NOW = new Date('2026-05-02T03:00:00.000Z');
const BACKUP_AT = '2026-05-01T00:00:00.000Z';

/** What the fake cloud holds of the facility, and how many items it puts on a page. */
interface CloudData {
  versions: SnapshotVersion[];
  amendments: Amendment[];
  events: AttendanceEvent[];
  pageSize: number;
}

/** A page of `items` from the cursor (a plain index here: cursors are opaque to the hub). */
function pageOf<T>(items: readonly T[], cursor: string | null, size: number) {
  const from = cursor === null ? 0 : Number(cursor);
  const to = from + size;
  return { items: items.slice(from, to), cursor: to < items.length ? String(to) : null };
}

/** Answers GET /v1/hub/… from `data`, paged; everything else (uploads) as acceptAll. */
function catchUpCloud(data: CloudData): Handler {
  return (req: IncomingMessage, res: ServerResponse, body) => {
    const url = new URL(req.url ?? '/', 'http://cloud');
    const q = url.searchParams;
    switch (url.pathname) {
      case '/v1/hub/snapshots': {
        const rest = data.versions.filter((v) => v.version > Number(q.get('after')));
        const page: HubSnapshotsPage = {
          versions: rest.slice(0, data.pageSize),
          more: rest.length > data.pageSize,
        };
        json(200, page)(req, res, body);
        return;
      }
      case '/v1/hub/amendments': {
        const { items, cursor } = pageOf(data.amendments, q.get('cursor'), data.pageSize);
        const page: HubAmendmentsPage = { amendments: items, cursor };
        json(200, page)(req, res, body);
        return;
      }
      case '/v1/hub/events': {
        const { items, cursor } = pageOf(data.events, q.get('cursor'), data.pageSize);
        const page: HubEventsPage = { events: items, cursor };
        json(200, page)(req, res, body);
        return;
      }
      default:
        acceptAll(req, res, body);
    }
  };
}

/** A snapshot content: the store's version 1 under another name. */
function named(store: HubStore, facilityName: string): SnapshotContent {
  const first = store.history.versions()[0];
  if (first === undefined) throw new Error('a new hub store holds version 1');
  return { ...first.content, facilityName };
}

/** A version as the cloud holds it. */
const cloudVersion = (version: number, effectiveFrom: string, content: SnapshotContent): SnapshotVersion => ({
  version,
  effectiveFrom,
  snapshot: snapshotOf(content, FACILITY, TZ),
});

/** The hub's versions as number, start, name and whether the cloud took them. */
const versionsOf = (store: HubStore) =>
  store.history.versions().map((v) => ({
    version: v.version,
    effectiveFrom: v.effectiveFrom,
    name: v.content.facilityName,
    relayed: v.relayedAt !== null,
  }));

/** The hub's versions as the wire carries them. */
const wireVersions = (store: HubStore): SnapshotVersion[] =>
  store.history.versions().map((v) => ({
    version: v.version,
    effectiveFrom: v.effectiveFrom,
    snapshot: snapshotOf(v.content, FACILITY, TZ),
  }));

describe('CloudCatchUp', () => {
  let dir: string;
  let store: HubStore;
  let cloud: FakeCloud;
  let url: string;
  let stored: StoredEvent[][];
  let stopping: AbortController;

  const catchUp = (extra: Partial<CloudCatchUpOptions> = {}) =>
    new CloudCatchUp({
      baseUrl: url,
      token: TOKEN,
      facilityId: FACILITY,
      timeZone: TZ,
      dataDir: dir,
      store,
      logger: silentLogger(),
      clock: fixedClock(NOW),
      timeoutMs: 5_000,
      onStored: (events) => {
        stored.push([...events]);
      },
      stopping: stopping.signal,
      ...extra,
    });

  const startCloud = async (data: CloudData, ...first: Handler[]) => {
    cloud = new FakeCloud(catchUpCloud(data)).then(...first);
    url = await cloud.listen();
  };

  /** The restore mark as `genkan hub restore` leaves it. */
  const markRestored = () => {
    writeRestoreMark(dir, newRestoreMark(BACKUP_AT, new Date(NOW.getTime() - 3_600_000)));
  };

  beforeEach(async () => {
    dir = await tempDir();
    store = HubStore.open(dir, { timeZone: TZ });
    stored = [];
    stopping = new AbortController();
    markRestored();
  });
  afterEach(async () => {
    stopping.abort();
    await cloud.close();
    store.close();
    await removeDir(dir);
  });

  it("adopts the cloud's versions above the last it took and its amendments, then is done for good", async () => {
    // The backup: version 1 relayed; version 2 issued but not relayed before the backup (the lost hub
    // relayed it after); an amendment the backup holds as relayed.
    store.history.markRelayed(1);
    const v2 = store.transaction(() => store.history.issue('2026-04-01', named(store, 'さくら保育園')));
    const held = sampleAmendment({ childId: 'c001', at: '2026-05-01T09:00:00+09:00' });
    store.corrections.insert(correctionOf(held));
    store.corrections.markRelayed(held.correctionId);
    const cloudV2 = wireVersions(store).find((v) => v.version === v2);
    if (cloudV2 === undefined) throw new Error('version 2 was issued');
    const amendments = [
      held,
      sampleAmendment({ childId: 'c001', at: '2026-05-01T10:00:00+09:00' }),
      sampleAmendment({ childId: 'c002', at: '2026-05-01T11:00:00+09:00', date: '2026-03-31' }),
    ];
    const fromCloud = [
      cloudV2,
      cloudVersion(3, '2026-05-01', named(store, 'さくら保育園 本園')),
      cloudVersion(4, '2026-06-01', { ...named(store, 'さくら保育園 本園'), retentionYears: 7 }),
    ];
    await startCloud({
      versions: fromCloud,
      amendments,
      events: [],
      pageSize: 2,
    });

    const task = catchUp();
    expect(task.done).toBe(false);
    expect(CloudCatchUp.pending(dir)).toBe(true);
    expect(await task.run()).toStrictEqual({ ok: true });
    expect(task.done).toBe(true);

    // Asked from the last version it knows the cloud took, then on from each page's last.
    expect(cloud.calls()).toStrictEqual([
      'GET /v1/hub/snapshots?after=1&limit=500',
      'GET /v1/hub/snapshots?after=3&limit=500',
      'GET /v1/hub/amendments?limit=500',
      'GET /v1/hub/amendments?limit=500&cursor=2',
      `GET /v1/hub/events?since=${encodeURIComponent(readRestoreMark(dir)?.since ?? '')}&limit=500`,
    ]);
    expect(cloud.received.map((r) => r.auth)).toStrictEqual(Array(5).fill(`Bearer ${TOKEN}`));
    expect(versionsOf(store)).toStrictEqual([
      { version: 1, effectiveFrom: '0001-01-01', name: null, relayed: true },
      { version: 2, effectiveFrom: '2026-04-01', name: 'さくら保育園', relayed: true },
      { version: 3, effectiveFrom: '2026-05-01', name: 'さくら保育園 本園', relayed: true },
      { version: 4, effectiveFrom: '2026-06-01', name: 'さくら保育園 本園', relayed: true },
    ]);
    // Adopted as the cloud holds them (the same snapshot on the wire again).
    expect(wireVersions(store).slice(1)).toStrictEqual(fromCloud);
    expect(store.history.unrelayed(100)).toStrictEqual([]);

    // Each amendment once, as relayed corrections of closed months.
    const corrections = [...store.corrections.ofChild('c001'), ...store.corrections.ofChild('c002')];
    expect(corrections.map(amendmentOf)).toStrictEqual(amendments);
    expect(corrections.every((c) => c.amendment)).toBe(true);
    expect(store.corrections.unrelayedAmendments(100)).toStrictEqual([]);

    // Recorded in the restore mark: a later start (or run) asks the cloud nothing.
    expect(readRestoreMark(dir)?.caughtUpAt).toBe(NOW.toISOString());
    expect(CloudCatchUp.pending(dir)).toBe(false);
    const calls = cloud.received.length;
    const again = catchUp();
    expect(await again.run()).toStrictEqual({ ok: true });
    expect(again.done).toBe(true);
    expect(cloud.received).toHaveLength(calls);
  });

  it('stores the events received since the backup once: a second run stores nothing new', async () => {
    const atBackup = makeEvent({ occurredAt: '2026-05-01T08:00:00.000+09:00' });
    store.events.insertEvents([atBackup]);
    const after = Array.from({ length: 4 }, (_, i) =>
      makeEvent({ occurredAt: `2026-05-01T1${String(i)}:00:00.000+09:00` }),
    );
    // Outside the cloud's time window: skipped, as the cloud would never have taken it.
    const implausible = makeEvent({ occurredAt: '2026-06-01T08:00:00.000+09:00' });
    await startCloud({
      versions: [],
      amendments: [],
      events: [atBackup, ...after.slice(0, 1), implausible, ...after.slice(1)],
      pageSize: 2,
    });

    expect(await catchUp().run()).toStrictEqual({ ok: true });
    const eventCalls = cloud.calls().filter((c) => c.startsWith('GET /v1/hub/events'));
    const since = encodeURIComponent(readRestoreMark(dir)?.since ?? '');
    expect(eventCalls).toStrictEqual([
      `GET /v1/hub/events?since=${since}&limit=500`,
      `GET /v1/hub/events?since=${since}&limit=500&cursor=2`,
      `GET /v1/hub/events?since=${since}&limit=500&cursor=4`,
    ]);
    // The new ones, told to the hub page by page (the one it held is not told again).
    expect(stored.flat().map((s) => s.event)).toStrictEqual(after);
    expect(stored.every((page) => page.length > 0)).toBe(true);
    expect(store.events.countEvents()).toBe(5);
    expect(
      store.events
        .eventsOn('2026-05-01')
        .map((e) => e.id)
        .sort(),
    ).toStrictEqual([atBackup, ...after].map((e) => e.id).sort());

    // Run again from the start (as after a crash before the mark was written): nothing new.
    const mark = readRestoreMark(dir);
    if (mark === undefined) throw new Error('the mark stays');
    writeRestoreMark(dir, { ...mark, caughtUpAt: null });
    stored = [];
    expect(await catchUp().run()).toStrictEqual({ ok: true });
    expect(stored).toStrictEqual([]);
    expect(store.events.countEvents()).toBe(5);
  });

  it("renumbers a clashing unsent version, and those after it in order, above the cloud's highest", async () => {
    // Relayed up to 1 at the backup; after the restore, 2 and 3 were issued here. The lost hub had
    // relayed other versions 2 and 3.
    store.history.markRelayed(1);
    const a = named(store, 'ローカル A');
    const b = named(store, 'ローカル B');
    store.transaction(() => {
      store.history.issue('2026-06-01', a);
      store.history.issue('2026-07-01', b);
    });
    const cloudVersions = [
      cloudVersion(2, '2026-05-01', named(store, 'クラウド 2')),
      cloudVersion(3, '2026-05-15', named(store, 'クラウド 3')),
    ];
    await startCloud({ versions: cloudVersions, amendments: [], events: [], pageSize: 500 });

    expect(await catchUp().run()).toStrictEqual({ ok: true });
    expect(versionsOf(store)).toStrictEqual([
      { version: 1, effectiveFrom: '0001-01-01', name: null, relayed: true },
      { version: 2, effectiveFrom: '2026-05-01', name: 'クラウド 2', relayed: true },
      { version: 3, effectiveFrom: '2026-05-15', name: 'クラウド 3', relayed: true },
      { version: 4, effectiveFrom: '2026-06-01', name: 'ローカル A', relayed: false },
      { version: 5, effectiveFrom: '2026-07-01', name: 'ローカル B', relayed: false },
    ]);
    expect(wireVersions(store).slice(1, 3)).toStrictEqual(cloudVersions);
    // What the relay sends next: the renumbered versions, in their order, with their content.
    expect(store.history.unrelayed(100).map((v) => [v.version, v.content])).toStrictEqual([
      [4, a],
      [5, b],
    ]);
  });

  it('keeps an unsent version the cloud holds with the same content, and renumbers from the first clash', async () => {
    store.history.markRelayed(1);
    const same = named(store, '同じ 2');
    const clashing = named(store, 'ローカル 3');
    const later = named(store, 'ローカル 4');
    store.transaction(() => {
      store.history.issue('2026-05-01', same);
      store.history.issue('2026-06-01', clashing);
      store.history.issue('2026-07-01', later);
    });
    await startCloud({
      versions: [
        cloudVersion(2, '2026-05-01', same),
        cloudVersion(3, '2026-05-20', named(store, 'クラウド 3')),
      ],
      amendments: [],
      events: [],
      pageSize: 500,
    });

    expect(await catchUp().run()).toStrictEqual({ ok: true });
    expect(versionsOf(store)).toStrictEqual([
      { version: 1, effectiveFrom: '0001-01-01', name: null, relayed: true },
      { version: 2, effectiveFrom: '2026-05-01', name: '同じ 2', relayed: true },
      { version: 3, effectiveFrom: '2026-05-20', name: 'クラウド 3', relayed: true },
      { version: 4, effectiveFrom: '2026-06-01', name: 'ローカル 3', relayed: false },
      { version: 5, effectiveFrom: '2026-07-01', name: 'ローカル 4', relayed: false },
    ]);
  });

  it('leaves unsent versions above the cloud alone when nothing clashes', async () => {
    store.history.markRelayed(1);
    const two = named(store, '2');
    const three = named(store, '3');
    store.transaction(() => {
      store.history.issue('2026-05-01', two);
      store.history.issue('2026-06-01', three);
    });
    const before = store.history.versions().find((v) => v.version === 3);
    await startCloud({
      versions: [cloudVersion(2, '2026-05-01', two)],
      amendments: [],
      events: [],
      pageSize: 500,
    });

    expect(await catchUp().run()).toStrictEqual({ ok: true });
    expect(versionsOf(store).map((v) => [v.version, v.name, v.relayed])).toStrictEqual([
      [1, null, true],
      [2, '2', true],
      [3, '3', false],
    ]);
    expect(store.history.versions().find((v) => v.version === 3)).toStrictEqual(before);
  });

  it('reports a failing cloud (status and code, Retry-After, bad bodies, network) and is not done', async () => {
    await startCloud(
      { versions: [], amendments: [], events: [], pageSize: 500 },
      json(503, { error: { code: 'overloaded', message: 'busy' } }, { 'retry-after': '3' }),
      json(401, { error: { code: 'unauthorized', message: 'no' } }),
      json(200, { versions: 'none' }),
      dropConnection,
      // Versions answered; the amendments fail.
      json(200, { versions: [], more: false }),
      json(500, 'oops'),
    );
    const task = catchUp();
    expect(await task.run()).toStrictEqual({
      ok: false,
      reason: '/v1/hub/snapshots: HTTP 503 overloaded',
      retryAfterMs: 3000,
    });
    expect(await task.run()).toStrictEqual({ ok: false, reason: '/v1/hub/snapshots: HTTP 401 unauthorized' });
    expect(await task.run()).toMatchObject({ ok: false, reason: /^\/v1\/hub\/snapshots: bad response/ });
    expect(await task.run()).toMatchObject({ ok: false, reason: /^network / });
    expect(await task.run()).toStrictEqual({ ok: false, reason: '/v1/hub/amendments: HTTP 500' });
    expect(task.done).toBe(false);
    expect(CloudCatchUp.pending(dir)).toBe(true);
    expect(await task.run()).toStrictEqual({ ok: true });
    expect(task.done).toBe(true);
  });

  it('times out a cloud that never answers, even when the garbage collector runs meanwhile', async () => {
    // Node 20 may collect an AbortSignal.timeout() held only by AbortSignal.any() before it fires
    // (nodejs/node#57736); the request would then wait for undici's own 300 s.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const hanging: Handler = () => undefined;
    await startCloud({ versions: [], amendments: [], events: [], pageSize: 500 }, hanging);
    const collecting = setInterval(gc, 20);
    try {
      expect(await catchUp({ timeoutMs: 300 }).run()).toStrictEqual({ ok: false, reason: 'timeout' });
    } finally {
      clearInterval(collecting);
    }
  }, 10_000);

  it('does nothing on a hub that was never restored', async () => {
    await startCloud({ versions: [], amendments: [], events: [], pageSize: 500 });
    rmSync(join(dir, RESTORE_MARK_FILE));
    expect(CloudCatchUp.pending(dir)).toBe(false);
    const task = catchUp();
    expect(await task.run()).toStrictEqual({ ok: true });
    expect(task.done).toBe(true);
    expect(cloud.received).toStrictEqual([]);
  });

  describe('run by the relay', () => {
    let relay: Relay | undefined;
    afterEach(async () => {
      await relay?.close();
      relay = undefined;
    });

    it('retries a failing cloud with backoff, without giving up, sending nothing and catchingUp until done', async () => {
      store.history.markRelayed(1);
      const events = [makeEvent(), makeEvent()];
      store.events.insertEvents(events);
      let release: (() => void) | undefined;
      const data: CloudData = {
        versions: [cloudVersion(2, '2026-05-01', named(store, 'クラウド 2'))],
        amendments: [],
        events: [],
        pageSize: 500,
      };
      const route = catchUpCloud(data);
      const failures: Handler[] = [
        dropConnection,
        json(503, { error: { code: 'internal', message: 'down' } }),
        json(429, { error: { code: 'rate_limited', message: '' } }, { 'retry-after': '0' }),
        json(401, { error: { code: 'unauthorized', message: 'no' } }),
        json(200, { nonsense: true }),
        dropConnection,
      ];
      const times: number[] = [];
      const timed = (handler: Handler): Handler => {
        return (req, res, body) => {
          times.push(performance.now());
          handler(req, res, body);
        };
      };
      await startCloud(data, ...failures.map(timed), (req, res, body) => {
        times.push(performance.now());
        // Held until the test has looked at the relay's health.
        release = () => {
          route(req, res, body);
        };
      });
      const task = catchUp();
      const progress: number[] = [];
      relay = new Relay({
        url,
        token: TOKEN,
        facilityId: FACILITY,
        timeZone: TZ,
        store,
        logger: silentLogger(),
        baseDelayMs: 8,
        maxDelayMs: 40,
        random: () => 0.999,
        configErrorDelayMs: 10,
        pollIntervalMs: 60_000,
        catchUp: task,
        onProgress: (cursor) => progress.push(cursor),
      });
      expect(relay.health().catchingUp).toBe(true);
      relay.start();

      await cloud.requests(failures.length + 1);
      const health = relay.health();
      expect(health.catchingUp).toBe(true);
      expect(health.waiting).toBe(2);
      expect(health.lastError?.reason).toMatch(/^catch-up: network /);
      // Every try started over from the versions; nothing was sent.
      expect(cloud.calls()).toStrictEqual(
        Array(failures.length + 1).fill('GET /v1/hub/snapshots?after=1&limit=500'),
      );
      // Backoff between the tries: 7, 15, 31, 39, 39, 39 ms (the largest jitter), at least.
      const gaps = times.slice(1).map((t, i) => t - (times[i] ?? t));
      [7, 15, 31, 39, 39, 39].forEach((delay, i) => {
        expect(gaps[i], `wait before try ${String(i + 2)}`).toBeGreaterThanOrEqual(delay - 2);
      });
      expect(release).toBeDefined();
      release?.();

      await until(() => progress.includes(2), 'the events relayed after the catch-up');
      const after = relay.health();
      expect(after.catchingUp).toBeUndefined();
      expect(after.lastError).toBeNull();
      expect(after.waiting).toBe(0);
      const calls = cloud.calls();
      const firstBatch = calls.indexOf('POST /v1/batches');
      expect(firstBatch).toBeGreaterThan(calls.lastIndexOf('GET /v1/hub/amendments?limit=500'));
      expect(calls.filter((c) => c.startsWith('GET /v1/hub/events'))).toHaveLength(1);
      expect(store.history.versions().map((v) => [v.version, v.relayedAt !== null])).toStrictEqual([
        [1, true],
        [2, true],
      ]);
      expect(readRestoreMark(dir)?.caughtUpAt).toBe(NOW.toISOString());
    });
  });
});

describe('CloudCatchUp in a hub', () => {
  it('is cut short when the hub stops: a request to a cloud that does not answer does not hold the shutdown', async () => {
    const site = await provision(1);
    let cloud: FakeCloud | undefined;
    try {
      writeRestoreMark(site.dir, newRestoreMark(BACKUP_AT, new Date()));
      // Never answers (a cloud behind a network that drops packets).
      const hanging: Handler = () => undefined;
      cloud = new FakeCloud(hanging);
      const url = await cloud.listen();
      const hub = await startTestHub(site, {
        cloud: { url, token: TOKEN },
        tuning: { rosterPollMs: 50, rollcallThrottleMs: 20, relay: { timeoutMs: 60_000 } },
      });
      await cloud.requests(1);
      expect(cloud.calls()).toStrictEqual(['GET /v1/hub/snapshots?after=0&limit=500']);
      const started = performance.now();
      await hub.close();
      // Well before the request's 60 s timeout.
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(readRestoreMark(site.dir)?.caughtUpAt).toBeNull();
    } finally {
      await cloud?.close();
      await removeDir(site.dir);
    }
  }, 15_000);
});
