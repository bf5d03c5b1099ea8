import Database from 'better-sqlite3';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock, formatRfc3339 } from '../common/time.ts';
import { BatchResponseSchema, CLOUD_TIME_WINDOW, type AttendanceEvent } from '../protocol/index.ts';
import {
  describeOnPostgres,
  sqliteBackend,
  startTestCloud,
  type CloudBackend,
  type TestCloud,
} from '../test/support/cloud.ts';
import { sampleEvent } from '../test/contract/cloud-store.ts';
import { CLOUD_DB_FILE } from './store/sqlite.ts';

/**
 * POST /v1/batches never fails a batch for its events: what the validity rule refuses (bad_text,
 * implausible_time) and what the database refuses (store_error) is answered 200 and listed in
 * `rejected`, the rest is stored, and the hub's relay moves on. Only a failure that is not the events'
 * fault is a 5xx, which the hub retries. On SQLite and PostgreSQL.
 */

const ADMIN = 'admin-token-0123456789abcdef';
/** The cloud's clock in these tests: shortly after the sample events (2026-04-01 08:00 in Tokyo). */
const NOW = new Date('2026-04-01T00:00:00.000Z');
const DAY = 86_400_000;

/** A fresh store location, and what a test may do to its database from outside. */
interface Backend extends CloudBackend {
  /** A trigger refusing inserts of this event id as data (SQLite RAISE(ABORT), PostgreSQL SQLSTATE 22000). */
  refuseEvent(eventId: string): Promise<void>;
  /** Makes inserts fail as the database does when it is not the events' fault, until undone. */
  failTransiently(): Promise<() => Promise<void>>;
}

interface Harness extends TestCloud {
  backend: Backend;
  token: string;
}

interface Reply {
  status: number;
  body: unknown;
}

async function call(url: string, init: RequestInit = {}): Promise<Reply> {
  const res = await fetch(url, init);
  const text = await res.text();
  const json = res.headers.get('content-type')?.includes('json') === true;
  return { status: res.status, body: json && text !== '' ? (JSON.parse(text) as unknown) : text };
}

const post = (h: Harness, events: unknown[]): Promise<Reply> =>
  call(`${h.base}/v1/batches`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${h.token}` },
    body: JSON.stringify({ hubId: 'hub-a', facilityId: 'fac-a', events }),
  });

async function eventsOn(h: Harness, date: string): Promise<AttendanceEvent[]> {
  const reply = await call(`${h.base}/v1/facilities/fac-a/events?date=${date}`, {
    headers: { authorization: `Bearer ${ADMIN}` },
  });
  expect(reply.status).toBe(200);
  return (reply.body as { events: AttendanceEvent[] }).events;
}

const rejection = (id: string, code: string) => ({ id, code, message: expect.any(String) as string });

function describeBatches(name: string, fresh: () => Promise<Backend>): void {
  describe(`POST /v1/batches with bad events (${name})`, () => {
    let h: Harness;
    beforeEach(async () => {
      const backend = await fresh();
      const cloud = await startTestCloud(
        backend,
        { adminToken: ADMIN, clock: fixedClock(NOW) },
        async (store) => ({
          token: await store.addHub('hub-a', 'fac-a'),
        }),
      );
      h = { ...cloud, backend };
    });
    afterEach(async () => {
      await h.close();
    });

    it.each([
      ['a NUL character in the note', { note: 'before\u0000after' }, 'bad_text'],
      ['an escape sequence in the note', { note: 'name\u001b[31m' }, 'bad_text'],
      ['occurredAt 9999-12-31T15:00:00Z', { occurredAt: '9999-12-31T15:00:00Z' }, 'implausible_time'],
      ['occurredAt 1970-01-01T00:00:00Z', { occurredAt: '1970-01-01T00:00:00Z' }, 'implausible_time'],
      [
        'occurredAt a day ahead of the cloud',
        { occurredAt: formatRfc3339(new Date(NOW.getTime() + DAY), 'Asia/Tokyo') },
        'implausible_time',
      ],
      ['the offset +23:59', { occurredAt: '2026-04-01T08:00:00+23:59' }, 'implausible_time'],
    ])('answers 200 to %s: the good event stored, the bad one rejected (%s)', async (_name, bad, code) => {
      const good = sampleEvent();
      const poison = sampleEvent(bad);
      const reply = await post(h, [poison, good]);
      expect(reply.status).toBe(200);
      expect(BatchResponseSchema.parse(reply.body)).toStrictEqual({
        accepted: [good.id],
        duplicates: [],
        rejected: [rejection(poison.id, code)],
      });
      expect(await eventsOn(h, '2026-04-01')).toStrictEqual([good]);
      expect(await h.store.countEvents('fac-a')).toBe(1);
    });

    it("accepts what a hub accepted: the window's edges, and events marked with a clock in doubt", async () => {
      const oldest = sampleEvent({
        occurredAt: new Date(NOW.getTime() - CLOUD_TIME_WINDOW.behindMs + 60_000).toISOString(),
      });
      const newest = sampleEvent({
        occurredAt: new Date(NOW.getTime() + CLOUD_TIME_WINDOW.aheadMs - 60_000).toISOString(),
      });
      const doubted = sampleEvent({ clockDoubt: 'held_back' });
      const unsynced = sampleEvent({ clockDoubt: 'unsynced', occurredAt: '2026-04-01T08:30:00+09:00' });
      const reply = await post(h, [oldest, newest, doubted, unsynced]);
      expect(reply.body).toStrictEqual({
        accepted: [oldest.id, newest.id, doubted.id, unsynced.id],
        duplicates: [],
        rejected: [],
      });
      // The mark round-trips through the store and the read API exactly.
      expect(await eventsOn(h, '2026-04-01')).toStrictEqual([doubted, unsynced, newest]);
    });

    it('lets an absence be announced up to 62 days ahead (and an hour for clock skew), no further', async () => {
      const absence = (days: number) =>
        sampleEvent({
          type: 'absent',
          method: 'staff',
          actor: 'staff-1',
          occurredAt: new Date(NOW.getTime() + days * DAY).toISOString(),
        });
      const inTwoMonths = absence(62);
      const tooFar = absence(63);
      const checkInAhead = sampleEvent({ occurredAt: new Date(NOW.getTime() + 2 * DAY).toISOString() });
      expect((await post(h, [inTwoMonths, tooFar, checkInAhead])).body).toStrictEqual({
        accepted: [inTwoMonths.id],
        duplicates: [],
        rejected: [rejection(tooFar.id, 'implausible_time'), rejection(checkInAhead.id, 'implausible_time')],
      });
    });

    it('answers 200 when the database refuses one event: the rest stored, that one store_error', async () => {
      const good1 = sampleEvent();
      const poison = sampleEvent({ occurredAt: '2026-04-01T08:30:00+09:00' });
      const good2 = sampleEvent({ occurredAt: '2026-04-01T09:00:00+09:00' });
      await h.backend.refuseEvent(poison.id);
      const reply = await post(h, [good1, poison, good2]);
      expect(reply.status).toBe(200);
      expect(reply.body).toStrictEqual({
        accepted: [good1.id, good2.id],
        duplicates: [],
        rejected: [rejection(poison.id, 'store_error')],
      });
      expect(await eventsOn(h, '2026-04-01')).toStrictEqual([good1, good2]);
      const metrics = await call(`${h.base}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } });
      expect(metrics.body).toContain('genkan_cloud_events_total{outcome="rejected"} 1');
      expect(metrics.body).toContain('genkan_cloud_events_rejected_total{code="store_error"} 1');
      expect(metrics.body).toContain('genkan_cloud_events_rejected_total{code="bad_text"} 0');
    });

    it("lists the rule's rejections and the database's together, counted by code", async () => {
      const good = sampleEvent();
      const badText = sampleEvent({ note: '\u0000' });
      const refused = sampleEvent({ occurredAt: '2026-04-01T09:00:00+09:00' });
      await h.backend.refuseEvent(refused.id);
      const reply = await post(h, [refused, badText, good, { ...sampleEvent(), type: 'teleport' }]);
      const body = BatchResponseSchema.parse(reply.body);
      expect(body.accepted).toStrictEqual([good.id]);
      expect(body.rejected.map((r) => r.code).sort()).toStrictEqual([
        'bad_text',
        'invalid_event',
        'store_error',
      ]);
      const metrics = await call(`${h.base}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } });
      for (const code of ['bad_text', 'invalid_event', 'store_error']) {
        expect(metrics.body).toContain(`genkan_cloud_events_rejected_total{code="${code}"} 1`);
      }
    });

    it('fails the request (5xx) when the database fails for another reason, so that the hub resends', async () => {
      const batch = [sampleEvent(), sampleEvent()];
      const recover = await h.backend.failTransiently();
      let reply: Reply;
      try {
        reply = await post(h, batch);
      } finally {
        await recover();
      }
      expect(reply.status).toBe(500);
      expect(await h.store.countEvents('fac-a')).toBe(0);
      // The hub's resend, once the database is back: all stored.
      expect((await post(h, batch)).body).toStrictEqual({
        accepted: batch.map((e) => e.id),
        duplicates: [],
        rejected: [],
      });
    });
  });
}

describeBatches('SQLite', async () => {
  const backend = await sqliteBackend('genkan-cloud-batches-');
  const file = join(backend.dir, CLOUD_DB_FILE);
  let triggers = 0;
  return {
    ...backend,
    refuseEvent: (eventId) => {
      triggers += 1;
      const db = new Database(file);
      try {
        db.exec(
          `CREATE TRIGGER refuse_${String(triggers)} BEFORE INSERT ON events
           WHEN NEW.id = '${eventId.replaceAll("'", "''")}' BEGIN SELECT RAISE(ABORT, 'refused'); END`,
        );
      } finally {
        db.close();
      }
      return Promise.resolve();
    },
    failTransiently: () => {
      // Another writer holding the lock past the store's busy timeout (5 s): SQLITE_BUSY.
      const locker = new Database(file);
      locker.exec('BEGIN IMMEDIATE');
      return Promise.resolve(() => {
        locker.exec('ROLLBACK');
        locker.close();
        return Promise.resolve();
      });
    },
  };
});

describeOnPostgres('on PostgreSQL', (postgres) => {
  async function sql(url: string, text: string): Promise<void> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  }

  /** A trigger raising `sqlstate` on inserts matching `condition` (SQL over NEW). */
  const trigger = (name: string, condition: string, sqlstate: string) => `
    CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF ${condition} THEN RAISE EXCEPTION 'refused' USING ERRCODE = '${sqlstate}'; END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER ${name} BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION ${name}();`;

  describeBatches('PostgreSQL', async () => {
    const db = await postgres.backend();
    let triggers = 0;
    return {
      ...db,
      refuseEvent: (eventId) => {
        triggers += 1;
        return sql(
          db.url,
          trigger(`refuse_${String(triggers)}`, `NEW.id = ${pg.escapeLiteral(eventId)}`, '22000'),
        );
      },
      failTransiently: async () => {
        // serialization_failure, still there after the store's retries.
        await sql(db.url, trigger('fail_every_insert', 'true', '40001'));
        return () => sql(db.url, 'DROP TRIGGER fail_every_insert ON events');
      },
    };
  });
});
