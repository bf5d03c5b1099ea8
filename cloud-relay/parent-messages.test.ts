import { get } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../common/time.ts';
import {
  PARENT_MESSAGES_PAGE_MAX,
  ParentMessagesPageSchema,
  type ParentNoticeRequest,
} from '../protocol/parent-notices.ts';
import { expectErrorBody } from '../test/support/error-body.ts';
import { capturingLogger } from '../test/support/logs.ts';
import {
  absenceRequest as absence,
  apiCall,
  parentInvitation,
  signedInParent,
  type ApiCallOptions,
  type ApiReply,
} from '../test/support/parent-api.ts';
import { startParentCloud, type ParentTestCloud } from '../test/support/parent-test-cloud.ts';
import { until } from '../test/support/wait.ts';
import { ParentNoticeSignal } from './routes/parent-notices-signal.ts';

/**
 * The hub's fetch of parents' notices (issue 17, slice 2): GET /v1/hub/parent-messages?after=SEQ&wait=S,
 * a long-poll by the facility's seq, woken at once by a notice stored in this process, re-checking the
 * store every second for one stored by another process, answering an empty page on time-out, and ending
 * its wait when the hub goes away or the server closes. In-process on SQLite.
 */

const NOW = '2026-04-01T08:00:00.000+09:00';

interface Harness extends ParentTestCloud {
  /** g-1's session (children c-001 and c-002). */
  g1: string;
  /** Every log line of the cloud so far. */
  logs: string[];
}

const open: Harness[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

async function harness(): Promise<Harness> {
  const { logger, lines: logs } = capturingLogger();
  const cloud = await startParentCloud({ clock: fixedClock(NOW), logger }, async (store) => {
    await store.addHub('hub-b', 'fac-b');
  });
  open.push({ ...cloud, g1: '', logs });
  const { cookie } = await signedInParent(
    cloud.base,
    cloud.hub,
    'g-1',
    parentInvitation(1, ['c-001', 'c-002']),
  );
  return { ...cloud, g1: cookie, logs };
}

const call = (h: Harness, method: string, path: string, options?: ApiCallOptions): Promise<ApiReply> =>
  apiCall(h.base, method, path, options);

async function sendNotice(h: Harness, body: ParentNoticeRequest = absence()): Promise<void> {
  const reply = await call(h, 'POST', '/parent/api/notices', { body, cookie: h.g1 });
  expect(reply.status, JSON.stringify(reply.json)).toBe(200);
}

/** A page of the hub's fetch, and how long the cloud took to answer it. */
async function fetchPage(
  h: Harness,
  query: string,
  signal?: AbortSignal,
): Promise<{ reply: ApiReply; ms: number }> {
  const start = performance.now();
  const reply = await call(h, 'GET', `/v1/hub/parent-messages?${query}`, {
    token: h.hub,
    ...(signal === undefined ? {} : { signal }),
  });
  return { reply, ms: performance.now() - start };
}

const page = (reply: ApiReply) => ParentMessagesPageSchema.parse(reply.json);

/** The long-polls the cloud has begun waiting on so far (its trace line). */
const waits = (h: Harness): number => h.logs.filter((l) => l.includes('long-poll waiting')).length;

describe('GET /v1/hub/parent-messages', () => {
  it('pages the facility’s messages by seq; wait=0 answers at once', async () => {
    const h = await harness();
    const empty = await fetchPage(h, 'after=0&wait=0');
    expect(empty.reply.status).toBe(200);
    expect(page(empty.reply)).toStrictEqual({ messages: [], cursor: 0 });
    const notices = [absence(), absence({ childIds: ['c-001', 'c-002'] }), absence({ date: '2026-04-03' })];
    for (const n of notices) await sendNotice(h, n);
    // Another facility's notice is not this hub's.
    await h.store.parentNotices.insertNotice('fac-b', {
      guardianId: 'g-9',
      request: absence(),
      sentAt: new Date(),
    });

    const all = page((await fetchPage(h, 'after=0')).reply);
    expect(all.cursor).toBe(3);
    const noticesOf = all.messages.flatMap((m) => (m.type === 'notice' ? [m.notice] : []));
    expect(all.messages.map((m) => [m.seq, m.type])).toStrictEqual(notices.map((_, i) => [i + 1, 'notice']));
    expect(noticesOf.map((n) => [n.id, n.status])).toStrictEqual(notices.map((n) => [n.id, 'sent']));
    expect(noticesOf[1]).toMatchObject({ guardianId: 'g-1', childIds: ['c-001', 'c-002'] });
    expect(page((await fetchPage(h, 'after=1&wait=0')).reply).messages.map((m) => m.seq)).toStrictEqual([
      2, 3,
    ]);
    expect(page((await fetchPage(h, 'after=3&wait=0')).reply)).toStrictEqual({ messages: [], cursor: 3 });
  });

  it('answers at most 100 messages a page', async () => {
    const h = await harness();
    for (let i = 0; i <= PARENT_MESSAGES_PAGE_MAX; i += 1) {
      await h.store.parentNotices.insertNotice('fac-a', {
        guardianId: 'g-1',
        request: absence(),
        sentAt: new Date(),
      });
    }
    const first = page((await fetchPage(h, 'after=0&wait=0')).reply);
    expect(first.messages).toHaveLength(PARENT_MESSAGES_PAGE_MAX);
    expect(first.cursor).toBe(PARENT_MESSAGES_PAGE_MAX);
    const second = page((await fetchPage(h, `after=${String(first.cursor)}&wait=0`)).reply);
    expect(second).toMatchObject({ cursor: PARENT_MESSAGES_PAGE_MAX + 1 });
  });

  it('refuses bad queries, strangers, organisations and parents', async () => {
    const h = await harness();
    for (const query of ['after=-1', 'after=x', 'after=1.5', 'wait=soon', `after=${'9'.repeat(16)}`]) {
      const { reply } = await fetchPage(h, query);
      expect(reply.status, query).toBe(400);
      expectErrorBody(reply.json, 'bad_request');
    }
    const stranger = await call(h, 'GET', '/v1/hub/parent-messages?after=0');
    expect(stranger.status).toBe(401);
    const org = await call(h, 'GET', '/v1/hub/parent-messages?after=0', { token: h.org });
    expect(org.status).toBe(403);
    const parent = await call(h, 'GET', '/v1/hub/parent-messages?after=0', { cookie: h.g1 });
    expect(parent.status).toBe(401);
  });

  it('holds an empty fetch and answers within a second of a notice sent meanwhile', async () => {
    const h = await harness();
    const poll = fetchPage(h, 'after=0&wait=20');
    await until(() => waits(h) === 1, 'the long-poll to wait');
    const body = absence();
    await sendNotice(h, body);
    const sent = performance.now();
    const { reply } = await poll;
    expect(performance.now() - sent).toBeLessThan(1000);
    expect(page(reply)).toMatchObject({ cursor: 1, messages: [{ seq: 1, notice: { id: body.id } }] });
  });

  it('finds a notice stored by another cloud process by re-reading the store every second', async () => {
    const h = await harness();
    const poll = fetchPage(h, 'after=0&wait=20');
    await until(() => waits(h) === 1, 'the long-poll to wait');
    // The second handle on the store is what another cloud process would be: no in-process signal.
    await h.store.parentNotices.insertNotice('fac-a', {
      guardianId: 'g-1',
      request: absence(),
      sentAt: new Date(),
    });
    const stored = performance.now();
    const { reply } = await poll;
    expect(performance.now() - stored).toBeLessThan(2500);
    expect(page(reply).cursor).toBe(1);
  });

  it('answers an empty page with the same cursor when the wait runs out', async () => {
    const h = await harness();
    await sendNotice(h);
    const { reply, ms } = await fetchPage(h, 'after=1&wait=1');
    expect(page(reply)).toStrictEqual({ messages: [], cursor: 1 });
    expect(ms).toBeGreaterThanOrEqual(950);
  });

  it('ends the wait when the hub goes away', async () => {
    const h = await harness();
    // node:http rather than fetch: undici opens a spare connection after an abort, which would hold up
    // the server's close until its connection timeout.
    const poll = get(`${h.base}/v1/hub/parent-messages?after=0&wait=30`, {
      headers: { authorization: `Bearer ${h.hub}` },
      agent: false,
    });
    const failed = new Promise((resolve) => poll.once('error', resolve));
    await until(() => waits(h) === 1, 'the long-poll to wait');
    poll.destroy();
    await failed;
    await until(() => h.logs.some((l) => l.includes('long-poll ended: client gone')), 'the wait to end');
    const closing = performance.now();
    await h.cloud.close();
    expect(performance.now() - closing).toBeLessThan(5000);
  });

  it('answers waiting fetches at once when the server closes', async () => {
    const h = await harness();
    const poll = fetchPage(h, 'after=0&wait=30');
    await until(() => waits(h) === 1, 'the long-poll to wait');
    const closing = performance.now();
    await h.cloud.close();
    expect(performance.now() - closing).toBeLessThan(5000);
    const { reply } = await poll;
    expect(page(reply)).toStrictEqual({ messages: [], cursor: 0 });
  });

  it('logs ids and counts, never names, notes or health details', async () => {
    const h = await harness();
    const body = absence({ note: '夜から熱があり病院に行きます' });
    await sendNotice(h, body);
    await fetchPage(h, 'after=0&wait=0');
    await call(h, 'POST', '/v1/hub/parent-notices/read', {
      body: { reads: [{ id: body.id, readAt: '2026-04-01T08:05:00+09:00' }] },
      token: h.hub,
    });
    await call(h, 'GET', '/parent/api/me', { cookie: h.g1 });
    await h.cloud.close();
    const text = h.logs.join('');
    expect(text).toContain(body.id);
    expect(text).toContain('parent notice stored');
    for (const secret of ['山田', '花子', body.note ?? '', '38.2', 'fever', 'genkan_parent=']) {
      expect(text, secret).not.toContain(secret);
    }
  });
});

describe('ParentNoticeSignal', () => {
  it('wakes a facility’s waiters at once, and only theirs', async () => {
    const signal = new ParentNoticeSignal();
    const never = new AbortController().signal;
    let woke = '';
    const a = signal.wait('fac-a', 60_000, never).then(() => (woke += 'a'));
    const b = signal.wait('fac-b', 50, never).then(() => (woke += 'b'));
    expect(signal.waiting()).toBe(2);
    signal.notify('fac-a');
    await a;
    expect(woke).toBe('a');
    await b;
    expect(woke).toBe('ab');
    expect(signal.waiting()).toBe(0);
  });

  it('ends a wait on abort and on close, leaving no waiter behind', async () => {
    const signal = new ParentNoticeSignal();
    const gone = new AbortController();
    const aborted = signal.wait('fac-a', 60_000, gone.signal);
    const closed = signal.wait('fac-a', 60_000, new AbortController().signal);
    gone.abort();
    await aborted;
    expect(signal.waiting()).toBe(1);
    signal.close();
    await closed;
    expect(signal.waiting()).toBe(0);
    await signal.wait('fac-a', 60_000, new AbortController().signal);
    expect(signal.waiting()).toBe(0);
  });
});
