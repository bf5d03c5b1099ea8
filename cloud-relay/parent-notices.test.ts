import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.ts';
import {
  ParentNoticeListSchema,
  ParentNoticeSchema,
  type ParentNoticeRequest,
} from '../protocol/parent-notices.ts';
import { ParentMeSchema } from '../protocol/parents.ts';
import { movableClock, type MovableClock } from '../test/support/clock.ts';
import {
  absenceRequest as absence,
  apiCall,
  expectApiError as expectError,
  parentInvitation,
  passkeySignIn,
  signedInParent,
  type ApiCallOptions,
  type ApiReply,
} from '../test/support/parent-api.ts';
import { startParentCloud, type ParentTestCloud } from '../test/support/parent-test-cloud.ts';
import { SoftAuthenticator } from '../test/support/soft-authenticator.ts';
import { CloudRetentionJob } from './retention.ts';
import type { CloudOptions } from './server.ts';

/**
 * Parents' notices at the cloud (issue 17, slice 2): POST/GET /parent/api/notices with their rules
 * (own children, today or later, at most 31 days, the class cut-off when it covers today), the notices of
 * /parent/api/me, the hub's read marks and settings, and the audit. In-process on SQLite with a clock the
 * test moves; the hub's long-poll is in parent-messages.test.ts, the store's contract on both backends in
 * test/contract/cloud-store-parent-notices.ts.
 */

/** 08:00 in Tokyo on a Wednesday: before every cut-off. */
const NOW = '2026-04-01T08:00:00.000+09:00';

interface Harness extends ParentTestCloud {
  clock: MovableClock;
  /** g-1's session: children c-001 (ひよこ組) and c-002 (うさぎ組); g-2 has c-003. */
  g1: string;
  g2: string;
  phone1: SoftAuthenticator;
}

const open: Harness[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

async function harness(options: Partial<CloudOptions> = {}): Promise<Harness> {
  const clock = movableClock(NOW);
  const cloud = await startParentCloud({ clock, ...options });
  open.push({ ...cloud, clock, g1: '', g2: '', phone1: new SoftAuthenticator(cloud.base) });
  const one = await signedInParent(cloud.base, cloud.hub, 'g-1', parentInvitation(1, ['c-001', 'c-002']));
  const two = await signedInParent(
    cloud.base,
    cloud.hub,
    'g-2',
    parentInvitation(1, ['c-003'], { name: '鈴木 花' }),
  );
  return { ...cloud, clock, g1: one.cookie, g2: two.cookie, phone1: one.phone };
}

const call = (h: Harness, method: string, path: string, options?: ApiCallOptions): Promise<ApiReply> =>
  apiCall(h.base, method, path, options);

/** Lateness of c-001 on 2026-04-02 (family), arriving 10:30. */
function lateness(overrides: Partial<ParentNoticeRequest> = {}): ParentNoticeRequest {
  return {
    id: randomUUID(),
    kind: 'late',
    childIds: ['c-001'],
    date: '2026-04-02',
    reason: 'family',
    arriveAt: '10:30',
    ...overrides,
  };
}

const send = (h: Harness, body: unknown, cookie = h.g1): Promise<ApiReply> =>
  call(h, 'POST', '/parent/api/notices', { body, cookie });

describe('POST /parent/api/notices', () => {
  it('stores an absence for tomorrow with fever and answers the notice; a resend is stored once', async () => {
    const h = await harness();
    const body = absence({ note: '朝から38度あります' });
    const first = await send(h, body);
    expect(first.status, JSON.stringify(first.json)).toBe(200);
    expect(ParentNoticeSchema.parse(first.json)).toStrictEqual({
      id: body.id,
      guardianId: 'g-1',
      kind: 'absence',
      childIds: ['c-001'],
      date: '2026-04-02',
      until: '2026-04-02',
      reason: 'sick',
      symptoms: ['fever'],
      temperature: 38.2,
      note: '朝から38度あります',
      sentAt: '2026-04-01T08:00:00.000+09:00',
      status: 'sent',
      readAt: null,
    });
    // The app resends after a lost answer, later (past the cut-off, even): the same notice, once.
    h.clock.set('2026-04-01T11:00:00.000+09:00');
    const again = await send(h, body);
    expect(again.status).toBe(200);
    expect(again.json).toStrictEqual(first.json);
    expect(await h.store.parentNotices.messagesAfter('fac-a', 0, 100)).toHaveLength(1);
    const audit = await h.store.parentNotices.auditLog('fac-a', 100);
    expect(audit.filter((a) => a.action === 'notice.sent')).toStrictEqual([
      {
        facilityId: 'fac-a',
        guardianId: 'g-1',
        at: '2026-03-31T23:00:00.000Z',
        action: 'notice.sent',
        outcome: 'ok',
        detail: { noticeId: body.id, kind: 'absence', date: '2026-04-02', until: '2026-04-02', children: 1 },
      },
    ]);
  });

  it('takes a notice for today until the class cut-off: 09:30 before the hub sent its settings', async () => {
    const h = await harness();
    h.clock.set('2026-04-01T09:29:59.000+09:00');
    expect((await send(h, absence({ date: '2026-04-01' }))).status).toBe(200);
    h.clock.set('2026-04-01T09:30:00.000+09:00');
    expectError(await send(h, absence({ date: '2026-04-01' })), 400, 'notice_after_cutoff', {
      cutoff: '09:30',
    });
    // Lateness too; tomorrow is still open.
    expectError(await send(h, lateness({ date: '2026-04-01' })), 400, 'notice_after_cutoff', {
      cutoff: '09:30',
    });
    expect((await send(h, absence({ date: '2026-04-02' }))).status).toBe(200);
  });

  it('uses the cut-offs the hub uploaded: the class’s own, else the default; the earliest of several children', async () => {
    const h = await harness();
    const settings = { version: 1, defaultCutoff: '10:00', classCutoffs: { usagi: '09:00' } };
    const put = await call(h, 'PUT', '/v1/hub/parent-settings', { body: settings, token: h.hub });
    expect(put.json).toStrictEqual({ stored: true });
    expect(
      (await call(h, 'PUT', '/v1/hub/parent-settings', { body: settings, token: h.hub })).json,
    ).toStrictEqual({
      stored: false,
    });
    h.clock.set('2026-04-01T09:15:00.000+09:00');
    // c-001 is in ひよこ組 (the default 10:00), c-002 in うさぎ組 (09:00).
    expect((await send(h, absence({ date: '2026-04-01' }))).status).toBe(200);
    expectError(
      await send(h, absence({ date: '2026-04-01', childIds: ['c-002'] })),
      400,
      'notice_after_cutoff',
      {
        cutoff: '09:00',
      },
    );
    expectError(
      await send(h, absence({ date: '2026-04-01', childIds: ['c-001', 'c-002'] })),
      400,
      'notice_after_cutoff',
      { cutoff: '09:00' },
    );
    h.clock.set('2026-04-01T10:00:00.000+09:00');
    expectError(await send(h, absence({ date: '2026-04-01' })), 400, 'notice_after_cutoff', {
      cutoff: '10:00',
    });
  });

  it('refuses past days, more than 31 days, more than 62 days ahead, ranges that end before they start and bad bodies', async () => {
    const h = await harness();
    expectError(await send(h, absence({ date: '2026-03-31' })), 400, 'notice_in_past');
    expect((await send(h, absence({ date: '2026-04-02', until: '2026-05-02' }))).status).toBe(200);
    expectError(await send(h, absence({ date: '2026-04-02', until: '2026-05-03' })), 400, 'notice_too_long', {
      max: 31,
    });
    expectError(await send(h, absence({ date: '2026-04-03', until: '2026-04-02' })), 400, 'bad_request');
    // At most 62 days ahead (today is 2026-04-01): as far as the hub files an absence.
    expect((await send(h, absence({ date: '2026-06-02' }))).status).toBe(200);
    expectError(await send(h, absence({ date: '2026-06-03' })), 400, 'notice_too_far', { max: 62 });
    expectError(await send(h, absence({ date: '2026-05-20', until: '2026-06-03' })), 400, 'notice_too_far', {
      max: 62,
    });
    expectError(await send(h, absence({ date: '2026-04-31' })), 400, 'invalid_date');
    expectError(await send(h, { ...absence(), extra: 1 }), 400, 'bad_request');
    expectError(await send(h, absence({ reason: 'other' })), 400, 'bad_request');
    expectError(await send(h, absence(), ''), 401, 'not_signed_in');
    expectError(
      await call(h, 'POST', '/parent/api/notices', {
        body: absence(),
        cookie: h.g1,
        headers: { origin: 'https://evil.example' },
      }),
      403,
      'forbidden',
    );
    // The 31-day and the 62-days-ahead notices.
    expect(await h.store.parentNotices.messagesAfter('fac-a', 0, 100)).toHaveLength(2);
  });

  it('refuses another guardian’s child and an unknown one alike, and audits the refusal', async () => {
    const h = await harness();
    const other = await send(h, absence({ childIds: ['c-001', 'c-003'] }));
    const unknown = await send(h, absence({ childIds: ['c-999'] }));
    expectError(other, 403, 'not_own_child');
    expectError(unknown, 403, 'not_own_child');
    expect((other.json as { error: { message: string } }).error.message).toBe(
      (unknown.json as { error: { message: string } }).error.message,
    );
    expect(JSON.stringify(other.json)).not.toContain('c-003');
    const refused = (await h.store.parentNotices.auditLog('fac-a', 100)).filter(
      (a) => a.outcome === 'refused',
    );
    expect(refused.map((a) => [a.guardianId, a.action, a.detail?.['code']])).toStrictEqual([
      ['g-1', 'notice.sent', 'not_own_child'],
      ['g-1', 'notice.sent', 'not_own_child'],
    ]);
    expect(await h.store.parentNotices.messagesAfter('fac-a', 0, 100)).toStrictEqual([]);
  });

  it('refuses an id reused with other content', async () => {
    const h = await harness();
    const body = absence();
    expect((await send(h, body)).status).toBe(200);
    expectError(await send(h, { ...body, date: '2026-04-03' }), 409, 'parent_notice_conflict');
    // Another guardian cannot take it over either.
    expectError(await send(h, { ...body, childIds: ['c-003'] }, h.g2), 409, 'parent_notice_conflict');
  });
});

describe('the guardian’s notices', () => {
  it('GET /parent/api/notices lists them newest first, with those ended in the last 30 days', async () => {
    const h = await harness();
    const today = absence({ date: '2026-04-01' });
    const week = absence({ date: '2026-04-06', until: '2026-04-10', childIds: ['c-001', 'c-002'] });
    await send(h, today);
    await send(h, week);
    const theirs = absence({ childIds: ['c-003'] });
    await send(h, theirs, h.g2);
    const list = async (cookie = h.g1) =>
      ParentNoticeListSchema.parse(
        (await call(h, 'GET', '/parent/api/notices', { cookie })).json,
      ).notices.map((n) => n.id);
    expect(await list()).toStrictEqual([week.id, today.id]);
    expect(await list(h.g2)).toStrictEqual([theirs.id]);
    // Sessions last 30 days from their last use.
    h.clock.set('2026-04-20T08:00:00.000+09:00');
    expect(await list()).toStrictEqual([week.id, today.id]);
    h.clock.set('2026-05-01T08:00:00.000+09:00'); // today's ended 30 days ago
    expect(await list()).toStrictEqual([week.id, today.id]);
    h.clock.set('2026-05-02T08:00:00.000+09:00');
    expect(await list()).toStrictEqual([week.id]);
  });

  it('/parent/api/me shows each child’s notices covering today or later, and when staff read them', async () => {
    const h = await harness();
    const both = absence({ date: '2026-04-02', childIds: ['c-001', 'c-002'] });
    const later = lateness({ date: '2026-04-03' });
    await send(h, both);
    await send(h, later);
    const me = async () =>
      ParentMeSchema.parse((await call(h, 'GET', '/parent/api/me', { cookie: h.g1 })).json);
    const first = await me();
    expect(first.children.map((c) => [c.childId, c.notices.map((n) => [n.id, n.status])])).toStrictEqual([
      [
        'c-001',
        [
          [later.id, 'sent'],
          [both.id, 'sent'],
        ],
      ],
      ['c-002', [[both.id, 'sent']]],
    ]);

    const reads = { reads: [{ id: both.id, readAt: '2026-04-01T08:10:00+09:00' }] };
    const read = await call(h, 'POST', '/v1/hub/parent-notices/read', { body: reads, token: h.hub });
    expect(read.status, JSON.stringify(read.json)).toBe(200);
    expect(read.json).toStrictEqual({ stored: 1 });
    expect(
      (await call(h, 'POST', '/v1/hub/parent-notices/read', { body: reads, token: h.hub })).json,
    ).toStrictEqual({ stored: 0 });
    const second = await me();
    expect(second.children[1]?.notices[0]).toMatchObject({
      id: both.id,
      status: 'read',
      readAt: '2026-04-01T08:10:00.000+09:00',
    });

    // The day after the notice's last day, it is no longer on the card.
    h.clock.set('2026-04-03T08:00:00.000+09:00');
    expect((await me()).children.map((c) => c.notices.map((n) => n.id))).toStrictEqual([[later.id], []]);
  });

  it('stay after the guardian is revoked, who can no longer read them', async () => {
    const h = await harness();
    const body = absence();
    await send(h, body);
    const revoked = parentInvitation(2, ['c-001', 'c-002'], { invitation: null, revoked: true });
    await call(h, 'PUT', '/v1/hub/parents/g-1', { body: revoked.upload, token: h.hub });
    expectError(await call(h, 'GET', '/parent/api/notices', { cookie: h.g1 }), 401, 'not_signed_in');
    expectError(await send(h, absence()), 401, 'not_signed_in');
    expect(await h.store.parentNotices.getNotice('fac-a', body.id)).toMatchObject({ guardianId: 'g-1' });
    expect(await h.store.parentNotices.messagesAfter('fac-a', 0, 100)).toHaveLength(1);
  });
});

describe('the hub’s read marks and settings', () => {
  it('take hub tokens only and check their bodies', async () => {
    const h = await harness();
    const reads = { reads: [{ id: randomUUID(), readAt: '2026-04-01T08:10:00+09:00' }] };
    expectError(await call(h, 'POST', '/v1/hub/parent-notices/read', { body: reads }), 401, 'unauthorized');
    expect(
      (await call(h, 'POST', '/v1/hub/parent-notices/read', { body: reads, token: h.hub })).json,
    ).toStrictEqual({
      stored: 0,
    });
    expectError(
      await call(h, 'POST', '/v1/hub/parent-notices/read', { body: { reads: [] }, token: h.hub }),
      400,
      'bad_request',
    );
    expectError(
      await call(h, 'PUT', '/v1/hub/parent-settings', {
        body: { version: 1, defaultCutoff: '9:30', classCutoffs: {} },
        token: h.hub,
      }),
      400,
      'bad_request',
    );
    expectError(
      await call(h, 'PUT', '/v1/hub/parent-settings', { body: {}, cookie: h.g1 }),
      401,
      'unauthorized',
    );
  });
});

describe('the parent audit', () => {
  it('records registration, sign-in, sign-out and notices, without names; retention deletes them', async () => {
    const h = await harness();
    await send(h, absence());
    expect((await call(h, 'POST', '/parent/api/logout', { cookie: h.g2 })).status).toBe(204);
    expectError(await passkeySignIn(h.base, h.phone1, randomUUID()), 401, 'passkey_failed');
    expect((await passkeySignIn(h.base, h.phone1)).status).toBe(204);
    const entries = await h.store.parentNotices.auditLog('fac-a', 100);
    expect(entries.map((e) => [e.guardianId, e.action, e.outcome, e.detail]).reverse()).toStrictEqual([
      ['g-1', 'passkey.register', 'ok', null],
      ['g-2', 'passkey.register', 'ok', null],
      ['g-1', 'notice.sent', 'ok', expect.anything()],
      ['g-2', 'session.sign_out', 'ok', null],
      ['g-1', 'session.sign_in', 'refused', { reason: 'challenge' }],
      ['g-1', 'session.sign_in', 'ok', null],
    ]);
    expect(JSON.stringify(entries)).not.toMatch(/山田|鈴木|genkan_parent/);

    // Five years after the fiscal year: the notice and the entries go with the facility's records.
    const later = movableClock('2032-04-01T01:00:00.000+09:00');
    await new CloudRetentionJob({ store: h.store, clock: later, logger: silentLogger() }).run();
    expect(await h.store.parentNotices.auditLog('fac-a', 100)).toStrictEqual([]);
    expect(await h.store.parentNotices.messagesAfter('fac-a', 0, 100)).toStrictEqual([]);
  });
});
