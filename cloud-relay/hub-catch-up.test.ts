import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../common/time.ts';
import {
  CATCH_UP_PAGE_MAX,
  HubAmendmentsPageSchema,
  HubEventsPageSchema,
  HubSnapshotsPageSchema,
  type AttendanceEvent,
} from '../protocol/index.ts';
import type { Amendment } from '../protocol/history.ts';
import {
  describeOnPostgres,
  sqliteBackend,
  startTestCloud,
  type CloudBackend,
  type TestCloud,
} from '../test/support/cloud.ts';
import { ids, sampleAmendment, sampleEvent, sampleVersion } from '../test/contract/cloud-store-fixtures.ts';
import { expectErrorBody } from '../test/support/error-body.ts';

/**
 * What a restored hub reads back of its own facility (routes/hub-catch-up.ts): GET /v1/hub/snapshots,
 * /v1/hub/amendments and /v1/hub/events. Hub tokens only, the token's facility only, paged with `after`
 * or an opaque cursor so that every record comes exactly once. On SQLite and PostgreSQL.
 */

const ADMIN = 'admin-token-0123456789abcdef';
const NOW = new Date('2026-05-02T12:00:00+09:00');

interface Harness extends TestCloud {
  /** Hub of fac-a, a second hub of fac-a, hub of fac-b; an organisation token over fac-a. */
  hubA: string;
  hubA2: string;
  hubB: string;
  org: string;
}

function harness(backend: CloudBackend): Promise<Harness> {
  return startTestCloud(
    backend,
    { adminToken: ADMIN, metricsToken: undefined, clock: fixedClock(NOW), hubRateLimit: null },
    async (store) => {
      await store.addOrganisation('city-a', '市A');
      await store.addFacility('fac-a', 'city-a');
      return {
        hubA: await store.addHub('hub-a', 'fac-a'),
        hubA2: await store.addHub('hub-a2', 'fac-a'),
        hubB: await store.addHub('hub-b', 'fac-b'),
        org: await store.issueOrgToken('city-a'),
      };
    },
  );
}

interface Reply {
  status: number;
  json: unknown;
}

async function get(h: Harness, path: string, token: string | undefined): Promise<Reply> {
  const res = await fetch(`${h.base}${path}`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

function expectError(reply: Reply, status: number, code: string): void {
  expect(reply.status).toBe(status);
  expectErrorBody(reply.json, code);
}

async function snapshotsPage(h: Harness, query: string, token = h.hubA) {
  const reply = await get(h, `/v1/hub/snapshots${query}`, token);
  expect(reply.status, JSON.stringify(reply.json)).toBe(200);
  return HubSnapshotsPageSchema.parse(reply.json);
}

async function amendmentsPage(h: Harness, query: string, token = h.hubA) {
  const reply = await get(h, `/v1/hub/amendments${query}`, token);
  expect(reply.status, JSON.stringify(reply.json)).toBe(200);
  return HubAmendmentsPageSchema.parse(reply.json);
}

async function eventsPage(h: Harness, query: string, token = h.hubA) {
  const reply = await get(h, `/v1/hub/events${query}`, token);
  expect(reply.status, JSON.stringify(reply.json)).toBe(200);
  return HubEventsPageSchema.parse(reply.json);
}

/** Every amendment, following the cursor; also counts the pages. */
async function allAmendments(h: Harness, limit: string, token = h.hubA) {
  const seen: Amendment[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query: string = `?limit=${limit}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
    const page = await amendmentsPage(h, query, token);
    seen.push(...page.amendments);
    cursor = page.cursor;
    pages++;
  } while (cursor !== null && pages < 100);
  return { seen, pages };
}

/** Every event received since `since`, following the cursor; also counts the pages. */
async function allEvents(h: Harness, since: string, limit = '', token = h.hubA) {
  const seen: AttendanceEvent[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query: string =
      `?since=${encodeURIComponent(since)}${limit === '' ? '' : `&limit=${limit}`}` +
      (cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`);
    const page = await eventsPage(h, query, token);
    seen.push(...page.events);
    cursor = page.cursor;
    pages++;
  } while (cursor !== null && pages < 100);
  return { seen, pages };
}

/** Resolves once the wall clock (the store's receipt time) has moved on by a millisecond or more. */
async function nextMillisecond(): Promise<void> {
  const start = Date.now();
  while (Date.now() <= start + 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const PATHS = ['/v1/hub/snapshots', '/v1/hub/amendments', '/v1/hub/events?since=2026-01-01T00:00:00Z'];

function describeCatchUpRoutes(name: string, fresh: () => Promise<CloudBackend>): void {
  describe(`hub catch-up reads over HTTP (${name})`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await harness(await fresh());
    });
    afterEach(async () => {
      await h.close();
    });

    it('takes hub tokens only: none or an unknown one is 401, the admin and organisation tokens 403', async () => {
      for (const path of PATHS) {
        expectError(await get(h, path, undefined), 401, 'unauthorized');
        expectError(await get(h, path, 'hub-a.not-the-secret'), 401, 'unauthorized');
        expectError(await get(h, path, ADMIN), 403, 'forbidden');
        expectError(await get(h, path, h.org), 403, 'forbidden');
        expect((await get(h, path, h.hubA)).status, path).toBe(200);
      }
    });

    it("answers a hub with its own facility's records only, whatever the query names", async () => {
      await h.store.putSnapshotVersion('fac-a', 'hub-a', sampleVersion(1, '0001-01-01'));
      await h.store.putSnapshotVersion('fac-b', 'hub-b', sampleVersion(1, '0001-01-01', {}, 'fac-b'));
      await h.store.putSnapshotVersion('fac-b', 'hub-b', sampleVersion(2, '2026-05-01', {}, 'fac-b'));
      const amendmentA = sampleAmendment();
      const amendmentB = sampleAmendment();
      await h.store.putAmendment('fac-a', 'hub-a', amendmentA);
      await h.store.putAmendment('fac-b', 'hub-b', amendmentB);
      const eventsA = [sampleEvent(), sampleEvent({ type: 'check_out' })];
      const eventsB = [sampleEvent(), sampleEvent()];
      await h.store.insertBatch('fac-a', 'hub-a', eventsA);
      await h.store.insertBatch('fac-b', 'hub-b', eventsB);
      const since = '2000-01-01T00:00:00Z';

      for (const token of [h.hubA, h.hubA2]) {
        expect(await snapshotsPage(h, '?after=0&facilityId=fac-b', token)).toStrictEqual({
          versions: [sampleVersion(1, '0001-01-01')],
          more: false,
        });
        expect(await amendmentsPage(h, '?facilityId=fac-b', token)).toStrictEqual({
          amendments: [amendmentA],
          cursor: null,
        });
        const events = await eventsPage(h, `?since=${since}&facilityId=fac-b`, token);
        expect(events.cursor).toBeNull();
        expect(ids(events.events).sort()).toStrictEqual(ids(eventsA).sort());
      }
      expect((await snapshotsPage(h, '', h.hubB)).versions.map((v) => v.version)).toStrictEqual([1, 2]);
      expect((await amendmentsPage(h, '', h.hubB)).amendments).toStrictEqual([amendmentB]);
      const eventsOfB = await eventsPage(h, `?since=${since}`, h.hubB);
      expect(ids(eventsOfB.events).sort()).toStrictEqual(ids(eventsB).sort());
    });

    describe('GET /v1/hub/snapshots', () => {
      it('lists the versions above `after` by version, a page at a time, each once', async () => {
        for (const v of [1, 2, 3, 4, 5]) {
          await h.store.putSnapshotVersion('fac-a', 'hub-a', sampleVersion(v, `2026-04-0${String(v)}`));
        }
        expect(await snapshotsPage(h, '')).toStrictEqual({
          versions: [1, 2, 3, 4, 5].map((v) => sampleVersion(v, `2026-04-0${String(v)}`)),
          more: false,
        });
        expect((await snapshotsPage(h, '?after=3')).versions.map((v) => v.version)).toStrictEqual([4, 5]);
        expect(await snapshotsPage(h, '?after=5')).toStrictEqual({ versions: [], more: false });
        expect(await snapshotsPage(h, '?after=99')).toStrictEqual({ versions: [], more: false });

        const seen: number[][] = [];
        let after = 1;
        for (;;) {
          const page = await snapshotsPage(h, `?after=${String(after)}&limit=2`);
          seen.push(page.versions.map((v) => v.version));
          const last = page.versions.at(-1);
          if (!page.more || last === undefined || seen.length > 10) break;
          after = last.version;
        }
        // A full last page says `more`; the page after it is empty.
        expect(seen).toStrictEqual([[2, 3], [4, 5], []]);
      });

      it('refuses a bad `after` or `limit` with 400 bad_request', async () => {
        for (const query of [
          '?after=-1',
          '?after=one',
          '?after=1.5',
          '?after=',
          '?after=1&after=2',
          '?after=1e3',
          '?after=1234567890123456',
          '?limit=0',
          '?limit=-5',
          '?limit=ten',
          '?limit=1234567',
          '?limit=1&limit=2',
        ]) {
          expectError(await get(h, `/v1/hub/snapshots${query}`, h.hubA), 400, 'bad_request');
        }
      });
    });

    describe('GET /v1/hub/amendments', () => {
      it('pages every amendment exactly once in (at, correctionId) order, with the cursor', async () => {
        const made = [
          sampleAmendment({ at: '2026-05-03T09:00:00+09:00', date: '2026-04-30' }),
          sampleAmendment({ at: '2026-05-01T09:00:00+09:00', date: '2026-03-01' }),
          sampleAmendment(),
          sampleAmendment(),
          sampleAmendment(),
        ];
        for (const a of made) await h.store.putAmendment('fac-a', 'hub-a', a);
        const order = (a: Amendment) => `${a.at}|${a.correctionId}`;
        const expected = [...made].sort((x, y) => (order(x) < order(y) ? -1 : 1));

        const whole = await amendmentsPage(h, '');
        expect(whole).toStrictEqual({ amendments: expected, cursor: null });

        const paged = await allAmendments(h, '2');
        expect(paged.seen).toStrictEqual(expected);
        // 2 + 2 + 1: the short last page has no cursor.
        expect(paged.pages).toBe(3);
        // A full last page has a cursor; the page after it is empty.
        const exact = await allAmendments(h, '5');
        expect(exact.seen).toStrictEqual(expected);
        expect(exact.pages).toBe(2);
      });

      it('answers an empty page without a cursor when there are none', async () => {
        expect(await amendmentsPage(h, '')).toStrictEqual({ amendments: [], cursor: null });
      });

      it('refuses a malformed cursor or a bad limit with 400 bad_request', async () => {
        for (const query of [
          '?cursor=not-base64-json!',
          `?cursor=${cursorOf({ at: '2026-05-01T00:00:00Z' })}`,
          `?cursor=${cursorOf({ at: '2026-05-01T00:00:00Z', correctionId: 'x', extra: 1 })}`,
          `?cursor=${cursorOf({ receivedAt: '2026-05-01T00:00:00.000Z', id: 'x' })}`,
          `?cursor=${cursorOf([1, 2])}`,
          `?cursor=${'a'.repeat(600)}`,
          '?cursor=a&cursor=b',
          '?limit=0',
          '?limit=x',
        ]) {
          expectError(await get(h, `/v1/hub/amendments${query}`, h.hubA), 400, 'bad_request');
        }
      });
    });

    describe('GET /v1/hub/events', () => {
      it(`pages more than ${String(CATCH_UP_PAGE_MAX)} events: each exactly once, in receipt order`, async () => {
        const first = Array.from({ length: 301 }, (_, i) =>
          sampleEvent({ childId: `c-${String(i % 50).padStart(3, '0')}` }),
        );
        const second = Array.from({ length: 300 }, () => sampleEvent({ type: 'check_out' }));
        await h.store.insertBatch('fac-a', 'hub-a', first);
        await nextMillisecond();
        await h.store.insertBatch('fac-a', 'hub-a', second);
        await h.store.insertBatch('fac-b', 'hub-b', [sampleEvent()]);

        const everything = await allEvents(h, '2000-01-01T00:00:00+09:00');
        expect(everything.pages).toBe(2);
        expect(everything.seen).toHaveLength(first.length + second.length);
        expect(new Set(ids(everything.seen)).size).toBe(everything.seen.length);
        expect(ids(everything.seen).sort()).toStrictEqual(ids([...first, ...second]).sort());
        // Whole events, as stored; the first batch's before the second's.
        const byId = new Map(everything.seen.map((e) => [e.id, e]));
        for (const e of [...first, ...second]) expect(byId.get(e.id)).toStrictEqual(e);
        const position = new Map(ids(everything.seen).map((id, i) => [id, i]));
        const lastOfFirst = Math.max(...first.map((e) => position.get(e.id) ?? Infinity));
        const firstOfSecond = Math.min(...second.map((e) => position.get(e.id) ?? -1));
        expect(lastOfFirst).toBeLessThan(firstOfSecond);

        // A larger limit is cut to the page maximum.
        const capped = await eventsPage(h, '?since=2000-01-01T00:00:00Z&limit=999999');
        expect(capped.events).toHaveLength(CATCH_UP_PAGE_MAX);
        expect(capped.cursor).not.toBeNull();

        // Small pages, every one exactly once.
        const small = await allEvents(h, '2000-01-01T00:00:00Z', '250');
        expect(small.pages).toBe(3);
        expect(ids(small.seen)).toStrictEqual(ids(everything.seen));
      });

      it('lists only the events received at or after `since`', async () => {
        const before = [sampleEvent(), sampleEvent()];
        await h.store.insertBatch('fac-a', 'hub-a', before);
        await nextMillisecond();
        const since = new Date();
        await nextMillisecond();
        const after = [sampleEvent(), sampleEvent({ type: 'check_out' }), sampleEvent()];
        await h.store.insertBatch('fac-a', 'hub-a', after);

        const fromSince = await allEvents(h, since.toISOString());
        expect(ids(fromSince.seen).sort()).toStrictEqual(ids(after).sort());
        // The same instant written in the facility's offset (a '+' that must be encoded).
        const local = new Date(since.getTime() + 9 * 3_600_000).toISOString().replace('Z', '+09:00');
        expect(ids((await allEvents(h, local)).seen).sort()).toStrictEqual(ids(after).sort());
        const future = new Date(Date.now() + 3_600_000).toISOString();
        expect(await eventsPage(h, `?since=${future}`)).toStrictEqual({ events: [], cursor: null });
        // A cursor from a page of everything goes on after its event, still within `since`.
        const first = await eventsPage(h, `?since=${encodeURIComponent(since.toISOString())}&limit=1`);
        expect(first.events).toHaveLength(1);
        const rest = await eventsPage(
          h,
          `?since=${encodeURIComponent(since.toISOString())}&cursor=${encodeURIComponent(first.cursor ?? '')}`,
        );
        expect(ids([...first.events, ...rest.events]).sort()).toStrictEqual(ids(after).sort());
      });

      it('refuses a missing or bad `since` (400), a malformed cursor and a bad limit (400 bad_request)', async () => {
        expectError(await get(h, '/v1/hub/events', h.hubA), 400, 'bad_request');
        expectError(await get(h, '/v1/hub/events?since=a&since=b', h.hubA), 400, 'bad_request');
        expectError(await get(h, '/v1/hub/events?since=yesterday', h.hubA), 400, 'invalid_date');
        expectError(await get(h, '/v1/hub/events?since=', h.hubA), 400, 'invalid_date');
        expectError(await get(h, '/v1/hub/events?since=2026-13-45T99:00:00Z', h.hubA), 400, 'invalid_date');
        const since = 'since=2026-01-01T00:00:00Z';
        for (const query of [
          'cursor=%%%',
          `cursor=${cursorOf({ receivedAt: '2026-05-01T00:00:00.000Z' })}`,
          `cursor=${cursorOf({ at: '2026-05-01T00:00:00Z', correctionId: 'x' })}`,
          `cursor=${cursorOf({ receivedAt: 'x'.repeat(65), id: 'x' })}`,
          `cursor=${cursorOf('just a string')}`,
          'limit=0',
          'limit=1.5',
        ]) {
          expectError(await get(h, `/v1/hub/events?${since}&${query}`, h.hubA), 400, 'bad_request');
        }
      });
    });
  });
}

describeCatchUpRoutes('SQLite', () => sqliteBackend('genkan-cloud-catch-up-'));

describeOnPostgres('on PostgreSQL', (postgres) => {
  describeCatchUpRoutes('PostgreSQL', () => postgres.backend());
});
