import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ParentFacilityNoticesSchema, type FacilityNoticeUpload } from '../protocol/facility-notices.ts';
import { ParentMessagesPageSchema } from '../protocol/parent-notices.ts';
import { ParentPushPayloadSchema } from '../protocol/parent-push.ts';
import { movableClock, type MovableClock } from '../test/support/clock.ts';
import { capturingLogger } from '../test/support/logs.ts';
import {
  absenceRequest,
  apiCall,
  expectApiError as expectError,
  parentInvitation,
  signedInParent,
  type ApiCallOptions,
  type ApiReply,
} from '../test/support/parent-api.ts';
import { startParentCloud, type ParentTestCloud } from '../test/support/parent-test-cloud.ts';
import { TestPushService } from '../test/support/push-endpoint.ts';
import { until } from '../test/support/wait.ts';

/**
 * The facility's notices to parents at the cloud (issue 17, slice 3): the hub's upload with recipients
 * (versioned), the Web Push to the recipients once, the parent's list and confirmation, the read as a
 * parent message the hub fetches in seq order with notices and pickup plans, and the audit. In-process on
 * SQLite; the store's contract on both backends is test/contract/cloud-store-parent-pickups.ts.
 */

const NOW = '2026-04-01T10:00:00.000+09:00';

interface Harness extends ParentTestCloud {
  clock: MovableClock;
  logs: string[];
  /** g-1: c-001 and c-002; g-2: c-003; g-3: c-002. */
  g1: string;
  g2: string;
  g3: string;
}

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

const call = (h: Harness, method: string, path: string, options?: ApiCallOptions): Promise<ApiReply> =>
  apiCall(h.base, method, path, options);

async function harness(): Promise<Harness> {
  const clock = movableClock(NOW);
  const { logger, lines: logs } = capturingLogger();
  const cloud = await startParentCloud({ clock, logger, pushAllowInsecure: true });
  open.push(cloud);
  const one = await signedInParent(cloud.base, cloud.hub, 'g-1', parentInvitation(1, ['c-001', 'c-002']));
  const two = await signedInParent(cloud.base, cloud.hub, 'g-2', parentInvitation(1, ['c-003']));
  const three = await signedInParent(cloud.base, cloud.hub, 'g-3', parentInvitation(1, ['c-002']));
  return { ...cloud, clock, logs, g1: one.cookie, g2: two.cookie, g3: three.cookie };
}

function upload(overrides: Partial<FacilityNoticeUpload['notice']> = {}, guardianIds = ['g-1', 'g-3']) {
  return {
    version: 1,
    notice: {
      id: randomUUID(),
      title: '遠足のお知らせ',
      body: '4月10日は遠足です。\nお弁当をお持ちください。',
      classIds: ['usagi'],
      publishedAt: '2026-04-01T09:00:00+09:00',
      withdrawn: false,
      ...overrides,
    },
    guardianIds,
  } satisfies FacilityNoticeUpload;
}

const put = (h: Harness, body: FacilityNoticeUpload, id = body.notice.id, token = h.hub) =>
  call(h, 'PUT', `/v1/hub/facility-notices/${id}`, { body, token });

const list = async (h: Harness, cookie: string) => {
  const reply = await call(h, 'GET', '/parent/api/facility-notices', { cookie });
  expect(reply.status, JSON.stringify(reply.json)).toBe(200);
  return ParentFacilityNoticesSchema.parse(reply.json).notices;
};

const read = (h: Harness, id: string, cookie: string) =>
  call(h, 'POST', `/parent/api/facility-notices/${id}/read`, { cookie });

describe('PUT /v1/hub/facility-notices/ID', () => {
  it('stores a notice by version for hub tokens; parents see the notices for them, newest first', async () => {
    const h = await harness();
    const older = upload();
    const newer = upload({ publishedAt: '2026-04-01T09:30:00+09:00', classIds: null }, ['g-1', 'g-2', 'g-3']);
    expect((await put(h, older)).json).toStrictEqual({ stored: true });
    expect((await put(h, older)).json).toStrictEqual({ stored: false });
    expect((await put(h, newer)).json).toStrictEqual({ stored: true });
    expect(await list(h, h.g1)).toStrictEqual([
      {
        id: newer.notice.id,
        title: '遠足のお知らせ',
        body: newer.notice.body,
        publishedAt: '2026-04-01T09:30:00.000+09:00',
        readAt: null,
      },
      {
        id: older.notice.id,
        title: '遠足のお知らせ',
        body: older.notice.body,
        publishedAt: '2026-04-01T09:00:00.000+09:00',
        readAt: null,
      },
    ]);
    expect((await list(h, h.g2)).map((n) => n.id)).toStrictEqual([newer.notice.id]);
    // Withdrawn: no longer shown.
    expect(
      (await put(h, { ...newer, version: 2, notice: { ...newer.notice, withdrawn: true } })).json,
    ).toStrictEqual({
      stored: true,
    });
    expect((await list(h, h.g2)).map((n) => n.id)).toStrictEqual([]);
    expect((await list(h, h.g1)).map((n) => n.id)).toStrictEqual([older.notice.id]);

    expectError(await put(h, upload(), randomUUID()), 400, 'bad_request');
    expectError(await put(h, { ...upload(), version: 0 }), 400, 'bad_request');
    expect((await put(h, upload(), undefined, h.org)).status).toBe(403);
    expect((await call(h, 'GET', '/parent/api/facility-notices')).status).toBe(401);
  });

  it('sends a Web Push to the recipients once: not again on a new version or a re-upload', async () => {
    const h = await harness();
    const service = await TestPushService.start();
    open.push(service);
    const phones = { g1: service.subscribe(), g2: service.subscribe(), g3: service.subscribe() };
    for (const [cookie, phone] of [
      [h.g1, phones.g1],
      [h.g2, phones.g2],
      [h.g3, phones.g3],
    ] as const) {
      const reply = await call(h, 'POST', '/parent/api/push/subscriptions', { body: phone, cookie });
      expect(reply.status).toBe(204);
    }
    // Withdrawn when first stored: no push.
    const first = upload();
    await put(h, { ...first, notice: { ...first.notice, withdrawn: true } });
    await put(h, { ...first, version: 2 });
    const pushed = await service.waitFor((p) => p.endpoint === phones.g1.endpoint);
    expect(ParentPushPayloadSchema.parse(JSON.parse(pushed.payload))).toStrictEqual({
      title: 'ひまわり保育園',
      body: '遠足のお知らせ',
      url: '/parent/#notices',
      tag: `notice-${first.notice.id}`,
    });
    await service.waitFor((p) => p.endpoint === phones.g3.endpoint);
    await put(h, { ...first, version: 3, notice: { ...first.notice, title: '遠足（変更）' } });
    await put(h, { ...first, version: 3 });
    // A second notice, for g-2 and g-1: once it arrived, anything the first would have sent had too.
    const second = upload({ title: '保護者会' }, ['g-2', 'g-1']);
    await put(h, second);
    await service.waitFor((p) => p.endpoint === phones.g2.endpoint);
    await service.waitFor((p) => p.endpoint === phones.g1.endpoint && p.payload.includes('保護者会'));
    const bodies = (endpoint: string) =>
      service.payloadsOf(endpoint).map((p) => ParentPushPayloadSchema.parse(JSON.parse(p)).body);
    expect(bodies(phones.g1.endpoint)).toStrictEqual(['遠足のお知らせ', '保護者会']);
    expect(bodies(phones.g2.endpoint)).toStrictEqual(['保護者会']);
    expect(bodies(phones.g3.endpoint)).toStrictEqual(['遠足のお知らせ']);
    expect(service.refused).toStrictEqual([]);
    // No title or body in the log.
    expect(h.logs.join('\n')).not.toContain('遠足');
  });
});

describe('POST /parent/api/facility-notices/ID/read', () => {
  it('records a recipient’s read once, for the parent and the hub; others get 404', async () => {
    const h = await harness();
    const n = upload();
    await put(h, n);
    h.clock.set('2026-04-01T10:05:00.000+09:00');
    const reply = await read(h, n.notice.id, h.g1);
    expect(reply.status, JSON.stringify(reply.json)).toBe(204);
    h.clock.set('2026-04-01T10:10:00.000+09:00');
    expect((await read(h, n.notice.id.toUpperCase(), h.g1)).status).toBe(204);
    expect((await list(h, h.g1))[0]?.readAt).toBe('2026-04-01T10:05:00.000+09:00');
    expect((await list(h, h.g3))[0]?.readAt).toBeNull();

    expectError(await read(h, n.notice.id, h.g2), 404, 'unknown_facility_notice');
    expectError(await read(h, randomUUID(), h.g1), 404, 'unknown_facility_notice');
    expectError(await read(h, 'not-a-notice', h.g1), 404, 'unknown_facility_notice');
    await put(h, { ...n, version: 2, notice: { ...n.notice, withdrawn: true } });
    expectError(await read(h, n.notice.id, h.g3), 404, 'unknown_facility_notice');
    expect((await read(h, n.notice.id, '')).status).toBe(401);

    const page = ParentMessagesPageSchema.parse(
      (await call(h, 'GET', '/v1/hub/parent-messages?after=0', { token: h.hub })).json,
    );
    expect(page).toStrictEqual({
      cursor: 1,
      messages: [
        {
          seq: 1,
          type: 'facility_notice_read',
          read: { noticeId: n.notice.id, guardianId: 'g-1', readAt: '2026-04-01T10:05:00.000+09:00' },
        },
      ],
    });
    const audit = (await h.store.parentNotices.auditLog('fac-a', 100)).filter(
      (a) => a.action === 'facility_notice.read',
    );
    expect(audit.map((a) => [a.guardianId, a.outcome, a.detail])).toStrictEqual([
      ['g-3', 'refused', { code: 'unknown_facility_notice' }],
      ['g-1', 'refused', { code: 'unknown_facility_notice' }],
      ['g-1', 'refused', { code: 'unknown_facility_notice' }],
      ['g-2', 'refused', { code: 'unknown_facility_notice' }],
      ['g-1', 'ok', { noticeId: n.notice.id }],
    ]);
  });

  it('gives the hub notices, pickup plans and reads in one seq order; a read wakes the long-poll', async () => {
    const h = await harness();
    const n = upload();
    await put(h, n);
    const people = {
      version: 1,
      people: [{ id: 'p-1', kind: 'person', name: '山田 和子', relation: '祖母', hasPhoto: false }],
    };
    expect((await call(h, 'PUT', '/v1/hub/pickup-people/c-001', { body: people, token: h.hub })).status).toBe(
      200,
    );
    const absence = absenceRequest();
    expect((await call(h, 'POST', '/parent/api/notices', { body: absence, cookie: h.g1 })).status).toBe(200);
    const pickup = {
      id: randomUUID(),
      childIds: ['c-001'],
      date: '2026-04-01',
      time: '17:00',
      personId: 'p-1',
    };
    expect((await call(h, 'POST', '/parent/api/pickups', { body: pickup, cookie: h.g1 })).status).toBe(200);

    const poll = call(h, 'GET', '/v1/hub/parent-messages?after=2&wait=20', { token: h.hub });
    await until(() => h.logs.some((l) => l.includes('long-poll waiting')), 'the long-poll to wait');
    expect((await read(h, n.notice.id, h.g3)).status).toBe(204);
    const sent = performance.now();
    const woken = ParentMessagesPageSchema.parse((await poll).json);
    expect(performance.now() - sent).toBeLessThan(1000);
    expect(woken.messages.map((m) => [m.seq, m.type])).toStrictEqual([[3, 'facility_notice_read']]);

    const all = ParentMessagesPageSchema.parse(
      (await call(h, 'GET', '/v1/hub/parent-messages?after=0', { token: h.hub })).json,
    );
    expect(all.cursor).toBe(3);
    expect(all.messages.map((m) => [m.seq, m.type])).toStrictEqual([
      [1, 'notice'],
      [2, 'pickup'],
      [3, 'facility_notice_read'],
    ]);
    expect(all.messages[1]).toMatchObject({
      pickup: { id: pickup.id, person: { kind: 'person', name: '山田 和子' } },
    });
    expect(all.messages[2]).toMatchObject({ read: { noticeId: n.notice.id, guardianId: 'g-3' } });
  });
});
