import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ParentMessagesPageSchema } from '../protocol/parent-notices.ts';
import {
  ParentPickupPeopleSchema,
  ParentPickupSchema,
  type ParentPickupRequest,
  type PickupPerson,
} from '../protocol/parent-pickups.ts';
import { ParentMeSchema } from '../protocol/parents.ts';
import { GRANDMA } from '../test/contract/cloud-store-parent-pickups.ts';
import { movableClock, type MovableClock } from '../test/support/clock.ts';
import { capturingLogger } from '../test/support/logs.ts';
import {
  apiCall,
  expectApiError as expectError,
  parentInvitation,
  signedInParent,
  type ApiCallOptions,
  type ApiReply,
} from '../test/support/parent-api.ts';
import { startParentCloud, type ParentTestCloud } from '../test/support/parent-test-cloud.ts';
import { until } from '../test/support/wait.ts';

/**
 * Pickup plans at the cloud (issue 17, slice 3): the hub's upload of each child's pickup people, the
 * parent's lists of their own children, POST /parent/api/pickups with its rules (own children, today in
 * the facility's zone, a person on every child's list or someone else by name), the plan on /me, the
 * audit and the hub's long-poll woken. In-process on SQLite with a clock the test moves; the store's
 * contract on both backends is test/contract/cloud-store-parent-pickups.ts.
 */

/** 15:00 in Tokyo. */
const NOW = '2026-04-01T15:00:00.000+09:00';

const MOTHER: PickupPerson = {
  id: 'g-1',
  kind: 'guardian',
  name: '山田 太郎',
  relation: '',
  hasPhoto: false,
};
const UNCLE: PickupPerson = { id: 'p-2', kind: 'person', name: '佐藤 健', relation: 'おじ', hasPhoto: false };

interface Harness extends ParentTestCloud {
  clock: MovableClock;
  logs: string[];
  /** g-1: children c-001 and c-002; g-2: c-003. */
  g1: string;
  g2: string;
}

const open: Harness[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

const call = (h: Harness, method: string, path: string, options?: ApiCallOptions): Promise<ApiReply> =>
  apiCall(h.base, method, path, options);

async function putPeople(h: Harness, childId: string, version: number, people: PickupPerson[]) {
  return call(h, 'PUT', `/v1/hub/pickup-people/${childId}`, { body: { version, people }, token: h.hub });
}

async function harness(): Promise<Harness> {
  const clock = movableClock(NOW);
  const { logger, lines: logs } = capturingLogger();
  const cloud = await startParentCloud({ clock, logger });
  const partial = { ...cloud, clock, logs, g1: '', g2: '' };
  open.push(partial);
  const one = await signedInParent(cloud.base, cloud.hub, 'g-1', parentInvitation(1, ['c-001', 'c-002']));
  const two = await signedInParent(cloud.base, cloud.hub, 'g-2', parentInvitation(1, ['c-003']));
  const h = { ...partial, g1: one.cookie, g2: two.cookie };
  // c-001: its guardian and grandmother; c-002: its guardian and uncle; c-003: grandmother (p-1).
  for (const [childId, people] of [
    ['c-001', [MOTHER, GRANDMA]],
    ['c-002', [MOTHER, UNCLE]],
    ['c-003', [GRANDMA]],
  ] as const) {
    expect((await putPeople(h, childId, 1, [...people])).json).toStrictEqual({ stored: true });
  }
  return h;
}

function plan(overrides: Partial<ParentPickupRequest> = {}): ParentPickupRequest {
  return {
    id: randomUUID(),
    childIds: ['c-001'],
    date: '2026-04-01',
    time: '17:30',
    personId: 'p-1',
    ...overrides,
  };
}

const send = (h: Harness, body: unknown, cookie = h.g1): Promise<ApiReply> =>
  call(h, 'POST', '/parent/api/pickups', { body, cookie });

describe('PUT /v1/hub/pickup-people/CHILD', () => {
  it('stores a child’s list by version, for hub tokens only', async () => {
    const h = await harness();
    expect((await putPeople(h, 'c-001', 1, [])).json).toStrictEqual({ stored: false });
    expect((await putPeople(h, 'c-001', 2, [GRANDMA])).json).toStrictEqual({ stored: true });
    expect(await h.store.pickups.pickupPeople('fac-a', ['c-001'])).toStrictEqual([
      { childId: 'c-001', people: [GRANDMA] },
    ]);
    expectError(await putPeople(h, 'c.1', 3, []), 400, 'invalid_id');
    const bad = await call(h, 'PUT', '/v1/hub/pickup-people/c-001', {
      body: { version: 3, people: [{ ...GRANDMA, photo: 'data:' }] },
      token: h.hub,
    });
    expectError(bad, 400, 'bad_request');
    const org = await call(h, 'PUT', '/v1/hub/pickup-people/c-001', {
      body: { version: 3, people: [] },
      token: h.org,
    });
    expect(org.status).toBe(403);
    expect((await call(h, 'PUT', '/v1/hub/pickup-people/c-001', { body: {} })).status).toBe(401);
  });
});

describe('GET /parent/api/pickup-people', () => {
  it('lists the people of the guardian’s own children only', async () => {
    const h = await harness();
    const one = await call(h, 'GET', '/parent/api/pickup-people', { cookie: h.g1 });
    expect(one.status).toBe(200);
    expect(ParentPickupPeopleSchema.parse(one.json)).toStrictEqual({
      children: [
        { childId: 'c-001', people: [MOTHER, GRANDMA] },
        { childId: 'c-002', people: [MOTHER, UNCLE] },
      ],
    });
    const two = await call(h, 'GET', '/parent/api/pickup-people', { cookie: h.g2 });
    expect(two.json).toStrictEqual({ children: [{ childId: 'c-003', people: [GRANDMA] }] });
    expect((await call(h, 'GET', '/parent/api/pickup-people')).status).toBe(401);
  });
});

describe('POST /parent/api/pickups', () => {
  it('stores today’s plan with the person resolved, once; /me shows the latest plan per child', async () => {
    const h = await harness();
    const body = plan({ note: '祖母が伺います' });
    const first = await send(h, body);
    expect(first.status, JSON.stringify(first.json)).toBe(200);
    expect(ParentPickupSchema.parse(first.json)).toStrictEqual({
      id: body.id,
      guardianId: 'g-1',
      childIds: ['c-001'],
      date: '2026-04-01',
      time: '17:30',
      person: { id: 'p-1', kind: 'person', name: '山田 和子', relation: '祖母' },
      note: '祖母が伺います',
      sentAt: '2026-04-01T15:00:00.000+09:00',
      status: 'sent',
      readAt: null,
    });
    // A resend after midnight (the lost answer): the stored plan, not a refusal.
    h.clock.set('2026-04-02T00:10:00.000+09:00');
    expect((await send(h, body)).json).toStrictEqual(first.json);
    h.clock.set('2026-04-01T15:05:00.000+09:00');
    expect((await h.store.parentNotices.messagesAfter('fac-a', 0, 100)).map((m) => m.type)).toStrictEqual([
      'pickup',
    ]);

    // A later plan for both children with a guardian on both lists: the latest wins for c-001.
    const both = plan({ childIds: ['c-001', 'c-002'], personId: 'g-1', time: '18:00' });
    const second = await send(h, both);
    expect(second.json).toMatchObject({
      person: { id: 'g-1', kind: 'guardian', name: '山田 太郎', relation: '' },
    });
    const me = ParentMeSchema.parse((await call(h, 'GET', '/parent/api/me', { cookie: h.g1 })).json);
    expect(me.children.map((c) => [c.childId, c.pickup?.id, c.pickup?.time])).toStrictEqual([
      ['c-001', both.id, '18:00'],
      ['c-002', both.id, '18:00'],
    ]);
    // Tomorrow there is no plan yet.
    h.clock.set('2026-04-02T08:00:00.000+09:00');
    const tomorrow = ParentMeSchema.parse((await call(h, 'GET', '/parent/api/me', { cookie: h.g1 })).json);
    expect(tomorrow.children.map((c) => c.pickup)).toStrictEqual([null, null]);

    const audit = (await h.store.parentNotices.auditLog('fac-a', 100)).filter(
      (a) => a.action === 'pickup.sent',
    );
    expect(audit.map((a) => [a.outcome, a.detail])).toStrictEqual([
      ['ok', { pickupId: both.id, date: '2026-04-01', children: 2, someoneElse: false }],
      ['ok', { pickupId: body.id, date: '2026-04-01', children: 1, someoneElse: false }],
    ]);
    // Names stay out of the log.
    expect(h.logs.join('\n')).not.toContain('山田 和子');
  });

  it('takes someone else by name, flagged as kind other', async () => {
    const h = await harness();
    const { personId: _listed, ...rest } = plan();
    const body: ParentPickupRequest = { ...rest, someoneElse: { name: '田中 友子', relation: '友人' } };
    const reply = await send(h, body);
    expect(reply.status, JSON.stringify(reply.json)).toBe(200);
    expect(reply.json).toMatchObject({
      person: { id: null, kind: 'other', name: '田中 友子', relation: '友人' },
    });
    expect(await h.store.parentNotices.auditLog('fac-a', 1)).toMatchObject([
      { action: 'pickup.sent', outcome: 'ok', detail: { someoneElse: true } },
    ]);
  });

  it('refuses another’s child, another day, and a person not on every child’s list, audited', async () => {
    const h = await harness();
    expectError(await send(h, plan({ childIds: ['c-003'] })), 403, 'not_own_child');
    expectError(await send(h, plan({ childIds: ['c-001', 'c-003'] })), 403, 'not_own_child');
    expectError(await send(h, plan({ date: '2026-04-02' })), 400, 'pickup_not_today');
    expectError(await send(h, plan({ date: '2026-03-31' })), 400, 'pickup_not_today');
    // The grandmother is on c-001's list, not on c-002's; p-9 on none.
    expectError(await send(h, plan({ childIds: ['c-001', 'c-002'] })), 400, 'unknown_pickup_person');
    expectError(await send(h, plan({ personId: 'p-9' })), 400, 'unknown_pickup_person');
    // Another guardian's person id on an own child's list only.
    expectError(await send(h, plan({ childIds: ['c-002'], personId: 'p-1' })), 400, 'unknown_pickup_person');
    expectError(await send(h, { ...plan(), someoneElse: { name: 'x', relation: '' } }), 400, 'bad_request');
    expectError(await send(h, plan({ time: '7:30' })), 400, 'bad_request');
    expect(await h.store.parentNotices.messagesAfter('fac-a', 0, 100)).toStrictEqual([]);
    const refused = (await h.store.parentNotices.auditLog('fac-a', 100)).filter(
      (a) => a.action === 'pickup.sent',
    );
    expect(refused.map((a) => [a.outcome, a.detail?.['code']]).reverse()).toStrictEqual([
      ['refused', 'not_own_child'],
      ['refused', 'not_own_child'],
      ['refused', 'pickup_not_today'],
      ['refused', 'pickup_not_today'],
      ['refused', 'unknown_pickup_person'],
      ['refused', 'unknown_pickup_person'],
      ['refused', 'unknown_pickup_person'],
    ]);
    expect((await send(h, plan(), '')).status).toBe(401);
  });

  it('answers the hub’s waiting long-poll at once with the plan', async () => {
    const h = await harness();
    const poll = call(h, 'GET', '/v1/hub/parent-messages?after=0&wait=20', { token: h.hub });
    await until(() => h.logs.some((l) => l.includes('long-poll waiting')), 'the long-poll to wait');
    const body = plan();
    expect((await send(h, body)).status).toBe(200);
    const sent = performance.now();
    const page = ParentMessagesPageSchema.parse((await poll).json);
    expect(performance.now() - sent).toBeLessThan(1000);
    expect(page).toMatchObject({
      cursor: 1,
      messages: [{ seq: 1, type: 'pickup', pickup: { id: body.id } }],
    });
  });
});
