import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.ts';
import { localDate, systemClock, type Clock } from '../../common/time.ts';
import { movableClock } from '../../test/support/clock.ts';
import { dropConnection, json, type Handler } from '../../test/support/fake-cloud.ts';
import { TEST_ROSTER, useTempHubStore } from '../../test/support/hub.ts';
import { capturingLogger } from '../../test/support/logs.ts';
import { ParentMessagesCloud, testNotice } from '../../test/support/parent-cloud.ts';
import { sqliteBackend, startTestCloud } from '../../test/support/cloud.ts';
import { until } from '../../test/support/wait.ts';
import { Relay } from '../relay/relay.ts';
import { Ingest } from '../mqtt/ingest.ts';
import type { StoredEvent } from '../store/events.ts';
import type { HubStore } from '../store/hub-store.ts';
import { ParentMessageFetcher } from './message-fetcher.ts';
import { NoticeApplier } from './notice-apply.ts';
import { parentAbsenceEventId } from './notice-events.ts';

/**
 * The hub's fetch of parents' notices against a local stand-in for the cloud: pages applied in order,
 * each notice and each absence day stored once, the long-poll answered as soon as a parent sends, failures
 * and bad answers retried without applying anything, the cursor kept across restarts.
 */

const N1 = '11111111-1111-4111-8111-111111111111';
const N2 = '22222222-2222-4222-8222-222222222222';
const N3 = '33333333-3333-4333-8333-333333333333';

const clock: Clock = { now: () => new Date('2026-04-01T08:00:00.000+09:00') };

describe('parent message fetcher', () => {
  let store: HubStore;
  let cloud: ParentMessagesCloud;
  let base: string;
  let fetcher: ParentMessageFetcher | undefined;
  let committed: StoredEvent[];
  let shown: number;
  let logLines: string[];

  /** `fetchClock`: the fetcher's own clock (the failures' times). */
  const start = (fetchClock: Clock = clock) => {
    const log = capturingLogger('debug', logLines).logger;
    const ingest = new Ingest({
      store,
      logger: log,
      clock,
      roster: {
        hasChild: (id) => ['c001', 'c002', 'c003', 'c004'].includes(id),
        isGuardianOf: () => true,
        refresh: () => undefined,
      },
      publishAck: () => undefined,
      onCommitted: (stored) => committed.push(...stored),
      undoWindowMs: () => 600_000,
    });
    const applier = new NoticeApplier({
      store,
      ingest,
      clock,
      timeZone: 'Asia/Tokyo',
      logger: log,
      onStored: () => {
        shown++;
      },
    });
    fetcher = new ParentMessageFetcher({
      baseUrl: base,
      token: 'hub1.secret',
      store,
      apply: (page) => {
        applier.apply(page);
      },
      logger: log,
      clock: fetchClock,
      waitS: 2,
      backoff: () => 10,
      configErrorDelayMs: 20,
      minIntervalMs: 20,
    });
    fetcher.start();
    return fetcher;
  };
  const stop = async () => {
    await fetcher?.close();
    fetcher = undefined;
  };
  const cursor = () => store.parentNotices.messagesCursor();
  const parentEvents = () => store.events.eventsOfChild('c001').concat(store.events.eventsOfChild('c002'));
  const received = () => store.audit.all().filter((a) => a.action === 'parent.notice_received');

  useTempHubStore(
    (opened) => {
      store = opened;
    },
    { roster: TEST_ROSTER, clock },
  );
  beforeEach(async () => {
    cloud = new ParentMessagesCloud();
    base = await cloud.listen();
    committed = [];
    shown = 0;
    logLines = [];
  });
  afterEach(async () => {
    await stop();
    await cloud.close();
  });

  it('stores each notice and each day of an absence once, through ingest, and keeps the cursor', async () => {
    cloud.post(
      testNotice({
        id: N1,
        childIds: ['c001', 'c002'],
        until: '2026-04-02',
        symptoms: ['fever'],
        temperature: 38.2,
      }),
    );
    cloud.post(testNotice({ id: N2, kind: 'late', childIds: ['c003'], reason: 'family', arriveAt: '10:30' }));
    start();
    await until(() => cursor() === 2, 'the first page applied');
    expect(cloud.fetches[0]).toBe(0);
    expect(cloud.cloud.received[0]?.auth).toBe('Bearer hub1.secret');
    expect(cloud.cloud.received[0]?.url).toBe('/v1/hub/parent-messages?after=0&wait=2');

    const absences = parentEvents();
    expect(absences).toHaveLength(4);
    expect(new Set(absences.map((e) => e.id))).toEqual(
      new Set(
        ['c001', 'c002'].flatMap((c) =>
          ['2026-04-01', '2026-04-02'].map((d) => parentAbsenceEventId(N1, c, d)),
        ),
      ),
    );
    for (const e of absences) {
      expect(e).toMatchObject({
        type: 'absent',
        method: 'parent',
        deviceId: 'parent-app',
        actor: 'g001',
        note: 'sick: fever; 38.2℃',
      });
    }
    expect(absences.map((e) => e.seq).sort()).toEqual([1, 2, 3, 4]);
    // Through ingest: the roll-call, the tablets and the relay were told.
    expect(committed).toHaveLength(4);
    // Lateness records no event; both notices are stored and audited without names.
    expect(store.events.eventsOfChild('c003')).toEqual([]);
    expect(store.parentNotices.get(N1)?.notice.status).toBe('sent');
    expect(store.parentNotices.get(N2)?.notice.arriveAt).toBe('10:30');
    expect(received().map((a) => [a.subject, a.actorId, (a.after as { noticeId: string }).noticeId])).toEqual(
      [
        ['guardian:g001', 'parent-app', N1],
        ['guardian:g001', 'parent-app', N2],
      ],
    );
    expect(shown).toBe(1);

    // Nothing waiting: the cloud holds the request, and answers it when a parent sends.
    await until(() => cloud.held === 1, 'a long-poll held');
    const sentAt = Date.now();
    cloud.post(testNotice({ id: N3, childIds: ['c002'], date: '2026-04-03', reason: 'other', note: '旅行' }));
    await until(() => cursor() === 3, 'the new notice applied');
    expect(Date.now() - sentAt).toBeLessThan(1000);
    expect(store.parentNotices.get(N3)).toBeDefined();
    expect(store.events.eventById(parentAbsenceEventId(N3, 'c002', '2026-04-03'))).toMatchObject({
      note: 'other: 旅行',
      occurredAt: '2026-04-03T00:00:00.000+09:00',
    });

    // Restarted, it goes on after its cursor.
    await stop();
    const fetches = cloud.fetches.length;
    start();
    await until(() => cloud.fetches.length > fetches, 'a fetch after the restart');
    expect(cloud.fetches[fetches]).toBe(3);
    expect(logLines.join('')).not.toMatch(/山田|佐藤|旅行|fever/);
  });

  it('applies nothing twice when a page is fetched again (a crash before its cursor was stored)', async () => {
    cloud.post(testNotice({ id: N1, childIds: ['c001', 'c002'], until: '2026-04-02' }));
    start();
    await until(() => cursor() === 1, 'the page applied');
    await stop();
    const events = parentEvents().map((e) => e.id);
    // The cursor as if the crash came between the events and the notices' commit.
    store.parentNotices.setMessagesCursor(0);
    cloud.post(testNotice({ id: N2, childIds: ['c001'], date: '2026-04-05' }));
    start();
    await until(() => cursor() === 2, 'the page applied again');
    expect(
      parentEvents()
        .map((e) => e.id)
        .sort(),
    ).toEqual([...events, parentAbsenceEventId(N2, 'c001', '2026-04-05')].sort());
    expect(received().map((a) => (a.after as { noticeId: string }).noticeId)).toEqual([N1, N2]);
  });

  it('pages through a backlog', async () => {
    await cloud.close();
    cloud = new ParentMessagesCloud({ pageMax: 2 });
    base = await cloud.listen();
    for (let i = 1; i <= 5; i++) {
      cloud.post(
        testNotice({
          id: `${String(i).repeat(8)}-1111-4111-8111-111111111111`,
          date: '2026-04-0' + String(i),
        }),
      );
    }
    start();
    await until(() => cursor() === 5, 'every page applied');
    expect(cloud.fetches.slice(0, 3)).toEqual([0, 2, 4]);
    expect(parentEvents()).toHaveLength(5);
  });

  it('retries failures and bad answers without applying them', async () => {
    let release: (() => void) | undefined;
    cloud.cloud.then(
      json(503, { error: { code: 'unavailable', message: 'x' } }),
      dropConnection,
      json(401, { error: { code: 'bad_token', message: 'x' } }),
      // Not a page: a notice without its guardian.
      json(200, { messages: [{ seq: 1, type: 'notice', notice: { id: N1, note: '秘密' } }], cursor: 1 }),
      // The next request is held until the test has looked.
      (_req, res) => {
        release = () => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ messages: cloud.messages, cursor: 1 }));
        };
      },
    );
    cloud.post(testNotice({ id: N1 }));
    const f = start();
    await until(() => release, 'the request after the bad page');
    expect(f.lastError()?.reason).toBe('bad_parent_messages');
    expect(cursor()).toBe(0);
    expect(store.parentNotices.get(N1)).toBeUndefined();
    release?.();
    await until(() => cursor() === 1, 'the page applied once the cloud answers well');
    expect(f.lastError()).toBeNull();
    expect(store.parentNotices.get(N1)?.notice.guardianId).toBe('g001');
    const log = logLines.join('');
    expect(log).toContain('bad_parent_messages');
    expect(log).toContain('HTTP 503 unavailable');
    expect(log).toContain('HTTP 401 bad_token');
    expect(log).not.toContain('秘密');
  });

  it('keeps when a run of failures began, across failures, until a fetch succeeds', async () => {
    const held: ((status: number) => void)[] = [];
    const hold: Handler = (_req, res) => {
      held.push((status) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify(
            status === 200 ? { messages: [], cursor: 0 } : { error: { code: 'unavailable', message: 'x' } },
          ),
        );
      });
    };
    const unavailable = json(503, { error: { code: 'unavailable', message: 'x' } });
    cloud.cloud.then(
      unavailable,
      hold,
      hold,
      json(401, { error: { code: 'bad_token', message: 'x' } }),
      hold,
    );
    const moving = movableClock('2026-04-01T08:00:00.000+09:00');
    const f = start(moving);
    const heldAt = (n: number) =>
      until(() => held.length >= n && held[n - 1], `request ${String(n + 1)} held`);

    const answer1 = await heldAt(1);
    const first = new Date('2026-04-01T08:00:00.000+09:00');
    expect(f.lastError()).toEqual({ reason: 'HTTP 503 unavailable', at: first, since: first });
    moving.set('2026-04-01T08:03:00.000+09:00');
    answer1(503);
    const answer2 = await heldAt(2);
    // The run goes on: its start stays, the last failure moves.
    expect(f.lastError()).toEqual({
      reason: 'HTTP 503 unavailable',
      at: new Date('2026-04-01T08:03:00.000+09:00'),
      since: first,
    });
    moving.set('2026-04-01T08:05:00.000+09:00');
    answer2(200);
    await heldAt(3);
    // Answered, then refused again: a new run, from the refusal.
    const second = new Date('2026-04-01T08:05:00.000+09:00');
    expect(f.lastError()).toEqual({ reason: 'HTTP 401 bad_token', at: second, since: second });
    expect(cloud.cloud.calls()).toHaveLength(5);
  });

  it('stores a notice for a child not on the roster, recording no event for it', async () => {
    cloud.post(testNotice({ id: N1, childIds: ['c001', 'gone'] }));
    start();
    await until(() => cursor() === 1, 'the page applied');
    expect(store.parentNotices.get(N1)?.notice.childIds).toEqual(['c001', 'gone']);
    expect(store.events.eventsOfChild('gone')).toEqual([]);
    expect(store.events.eventsOfChild('c001')).toHaveLength(1);
    const warned = logLines.map((l) => JSON.parse(l) as { msg: string; noticeId?: string; code?: string });
    expect(warned.find((l) => l.msg === 'parent absence not recorded')).toMatchObject({
      noticeId: N1,
      code: 'unknown_child',
    });
  });

  it("reaches a real cloud: a parent's notice fetched, its absence and its confirmation relayed back", async () => {
    const h = await startTestCloud(await sqliteBackend('genkan-notice-fetch-'), {}, async (cloudStore) => ({
      token: await cloudStore.addHub('hub1', 'f1', 'Asia/Tokyo'),
    }));
    let relay: Relay | undefined;
    // The real cloud checks events against its own clock: today, for real.
    const today = localDate(new Date(), 'Asia/Tokyo');
    try {
      base = h.base;
      await h.store.parentNotices.insertNotice('f1', {
        guardianId: 'g001',
        request: {
          id: N1,
          kind: 'absence',
          childIds: ['c001'],
          date: today,
          reason: 'sick',
          temperature: 38.2,
        },
        sentAt: new Date(),
      });
      const f = new ParentMessageFetcher({
        baseUrl: h.base,
        token: h.token,
        store,
        apply: (page) => {
          new NoticeApplier({
            store,
            ingest: new Ingest({
              store,
              logger: silentLogger(),
              clock: systemClock,
              roster: { hasChild: () => true, isGuardianOf: () => true, refresh: () => undefined },
              publishAck: () => undefined,
              onCommitted: () => undefined,
              undoWindowMs: () => 600_000,
            }),
            clock: systemClock,
            timeZone: 'Asia/Tokyo',
            logger: silentLogger(),
            onStored: () => undefined,
          }).apply(page);
        },
        logger: silentLogger(),
        clock,
        waitS: 1,
        backoff: () => 10,
        configErrorDelayMs: 20,
      });
      fetcher = f;
      f.start();
      await until(() => cursor() === 1, 'the notice fetched');
      expect(store.events.eventsOfChild('c001').map((e) => e.note)).toEqual(['sick: 38.2℃']);

      store.parentNotices.markRead(N1, 's1');
      relay = new Relay({
        url: h.base,
        token: h.token,
        facilityId: 'f1',
        timeZone: 'Asia/Tokyo',
        store,
        logger: silentLogger(),
        clock: systemClock,
        baseDelayMs: 5,
        maxDelayMs: 20,
        configErrorDelayMs: 20,
        pollIntervalMs: 20,
      });
      relay.start();
      await until(
        async () => (await h.store.parentNotices.getNotice('f1', N1))?.status === 'read',
        'read at the cloud',
      );
      expect((await h.store.parentNotices.getNotice('f1', N1))?.readAt).toBe(
        store.parentNotices.get(N1)?.notice.readAt,
      );
      await until(() => store.outbox.relayCursor() > 0, 'the absence relayed');
      expect(relay.health().rejected).toBe(0);
    } finally {
      await relay?.close();
      await stop();
      await h.close();
    }
  });

  it('stops at once, without waiting for a held request', async () => {
    start();
    await until(() => cloud.held === 1, 'a long-poll held');
    const t = Date.now();
    await stop();
    expect(Date.now() - t).toBeLessThan(500);
  });
});
